/** Every admin HTTP route of the package (under httpAdminRoot), registered once. */
import type { NodeAPI } from 'node-red';
import { registerOAuthRoutes } from './oauth-routes';
import { registerTestRoute } from './test-route';
import { registerSharedStoreRoute } from './shared-store-route';
import { registerImportRoutes } from './import-routes';
import { registerOpenApiIndexRoute } from './openapi-index-route';

export function registerAdminRoutes(RED: NodeAPI): void {
  registerOAuthRoutes(RED);
  registerTestRoute(RED);
  registerSharedStoreRoute(RED);
  registerImportRoutes(RED);
  registerOpenApiIndexRoute(RED);
}
