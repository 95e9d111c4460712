/**
 * The dialog-values merge every admin route shares: the editor's current, unsaved values over
 * the deployed node's config and credentials.
 */
import type { NodeAPI } from 'node-red';
import { CREDENTIAL_NAMES } from '../lib/settings';
import type { RawConfig } from '../lib/settings';
import type { RestDatasourceNode } from '../runtime/types';

/** Node-RED's editor sends this for an unchanged password credential. */
const UNCHANGED = '__PWRD__';

/**
 * The deployed `rest-datasource` with this id, or undefined. The id comes from a URL: only a
 * node of our type counts (a prototype name such as `constructor` is an unknown id).
 */
export function deployedDatasource(RED: NodeAPI, id: string): RestDatasourceNode | undefined {
  const node = RED.nodes.getNode(id) as RestDatasourceNode | null;
  return node && typeof node === 'object' && node.type === 'rest-datasource' && node.id === id ? node : undefined;
}

/** Merge the editor's values over the deployed node's config and credentials. */
export function editorSettings(
  RED: NodeAPI,
  id: string,
  body: unknown,
): { config: RawConfig; credentials: Record<string, unknown> } {
  const input = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const deployed = deployedDatasource(RED, id);
  const config: RawConfig = { ...(deployed?.rawConfig ?? {}) };
  const stored = (deployed ? (RED.nodes.getCredentials(id) ?? {}) : {}) as Record<string, unknown>;
  // Stored secrets belong to the deployed origin: a dialog pointed elsewhere must type them again.
  const credentials: Record<string, unknown> = sameOrigin(config.baseUrl, input.baseUrl) ? { ...stored } : {};
  for (const [key, value] of Object.entries(input)) {
    if ((CREDENTIAL_NAMES as readonly string[]).includes(key)) {
      if (value !== UNCHANGED && value !== undefined) credentials[key] = value;
    } else {
      config[key] = value;
    }
  }
  return { config, credentials };
}

function originOf(url: unknown): string | undefined {
  try {
    return typeof url === 'string' ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}

function sameOrigin(deployed: unknown, edited: unknown): boolean {
  return edited === undefined || edited === deployed || originOf(edited) === originOf(deployed);
}
