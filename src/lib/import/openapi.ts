/**
 * OpenAPI 3.0 / 3.1 or Swagger 2.0 description → a datasource proposal (base URL from the
 * servers, auth from the security schemes) and the compact operation index the query dialog's
 * picker uses. Text in, data out; other documents are read only through the caller's fetchRef.
 */
import { loadSpec, OpenApiImportError, isObject } from './openapi-load';
import type { LoadOptions, Spec } from './openapi-load';
import { indexOperations } from './openapi-index';
import type { IndexedOperation } from './openapi-index';
import { securityOf, serversOf } from './openapi-security';
import type { SecurityChoice, ServerChoice } from './openapi-security';
import type { DatasourceProposal } from './types';
import { openApiNotice } from './notices';
import type { Notice } from './notices';

export { OpenApiImportError };

export interface OpenApiImport {
  title: string;
  version: string;
  /** `openapi` or `swagger` field of the description, e.g. `3.1.0` or `2.0` */
  specVersion: string;
  servers: ServerChoice[];
  security: SecurityChoice[];
  /** base URL of the first server, auth of the first scheme the datasource supports */
  datasource: DatasourceProposal;
  operations: IndexedOperation[];
  warnings: Notice[];
}

/** The index as the datasource keeps it in the flow (property `openapi`). */
export interface StoredIndex {
  title: string;
  version: string;
  source: string;
  operations: IndexedOperation[];
}

function absoluteFrom(url: string | undefined, base: string): string | undefined {
  if (!url) return url;
  try {
    return new URL(url, base.endsWith('/') ? base : base + '/').toString();
  } catch {
    return url;
  }
}

/** Operation methods OpenAPI allows that a query cannot send (the index leaves them out). */
const UNSENDABLE = ['trace', 'query'];

/** `TRACE /path` of every operation the index leaves out because the query cannot send it. */
function unsendableOperations(spec: Spec): string[] {
  const paths = spec.follow(spec.root.paths);
  if (!isObject(paths)) return [];
  const out: string[] = [];
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = spec.follow(rawItem);
    if (!isObject(item)) continue;
    for (const method of UNSENDABLE)
      if (isObject(spec.follow(item[method]))) out.push(`${method.toUpperCase()} ${path}`);
  }
  return out;
}

export async function importOpenApi(text: string, options: LoadOptions = {}): Promise<OpenApiImport> {
  const spec = await loadSpec(text, options);
  const root = spec.root;
  const specVersion =
    typeof root.openapi === 'string' ? root.openapi : typeof root.swagger === 'string' ? root.swagger : '';
  if (!/^(3\.[01]\.\d+|3\.[01]|2\.0)$/.test(specVersion)) {
    throw new OpenApiImportError(
      specVersion
        ? `version ${specVersion} is not supported; import OpenAPI 3.0, 3.1 or Swagger 2.0`
        : 'this is not an OpenAPI or Swagger description (no "openapi" or "swagger" field)',
    );
  }
  const info = isObject(root.info) ? root.info : {};
  const servers = serversOf(spec, options.sourceUrl);
  const security = securityOf(spec);
  const operations = indexOperations(spec);
  const warnings: Notice[] = [];
  if (servers.some((s) => s.relative)) {
    warnings.push(openApiNotice('relativeServer'));
  }
  if (!operations.length) warnings.push(openApiNotice('noOperations'));
  const unsendable = unsendableOperations(spec);
  if (unsendable.length) {
    warnings.push(
      openApiNotice('unsendable', {
        operations: unsendable.slice(0, 10).join(', ') + (unsendable.length > 10 ? ', …' : ''),
      }),
    );
  }
  if (!security.length) warnings.push(openApiNotice('noSecurity'));
  const baseUrl = servers[0].url;
  const chosen = security.find((s) => s.proposal);
  const datasource: DatasourceProposal = { baseUrl, authType: 'none', credentials: {} };
  if (chosen?.proposal) {
    Object.assign(datasource, chosen.proposal);
    // Relative OAuth URLs are relative to the server.
    if (datasource.oauth2TokenUrl) datasource.oauth2TokenUrl = absoluteFrom(datasource.oauth2TokenUrl, baseUrl);
    if (datasource.oauth2AuthUrl) datasource.oauth2AuthUrl = absoluteFrom(datasource.oauth2AuthUrl, baseUrl);
  }
  return {
    title: typeof info.title === 'string' ? info.title : '',
    version: typeof info.version === 'string' ? info.version : '',
    specVersion,
    servers,
    security,
    datasource,
    operations,
    warnings,
  };
}
