/**
 * Fetches an OpenAPI description (and `$ref`'d documents on its origin) for the import route,
 * through a datasource's TLS and proxy settings, with the importer's size cap and a time limit.
 * The datasource's auth, header and cookie rows go along only when the description lies on the
 * datasource's own origin, so no credential leaves its origin.
 */
import type { NodeAPI } from 'node-red';
import { Datasource } from '../lib/datasource';
import { RestError } from '../lib/errors';
import { decodeText } from '../lib/http/response';
import { buildPlan } from '../lib/http/plan';
import { parseSettings } from '../lib/settings';
import type { RawConfig } from '../lib/settings';
import { MAX_SPEC_BYTES, OpenApiImportError, sizeError } from '../lib/import/openapi-load';
import { networkOptions } from '../runtime/network-config';
import { oauthOptions, redactTokens } from '../runtime/oauth-runtime';

/** Longest one fetch of a description may take. */
export const SPEC_TIMEOUT_MS = 30000;
/** Longest all fetches of one import (the description and its `$ref`'d documents) may take. */
export const IMPORT_DEADLINE_MS = 60000;

const NETWORK_SETTINGS = ['tlsVerify', 'tls', 'proxy'];
const TLS_TRUST = ['ca'];

function originOf(url: unknown): string | undefined {
  try {
    return typeof url === 'string' ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why a description could not be fetched, in the words of this import: the datasource's own
 * messages speak of its Base URL, which is not what the user typed here.
 */
function fetchError(err: unknown): string {
  if (!(err instanceof RestError)) return String(err);
  if (err.code === 'ECONNREFUSED')
    return `${err.code}: nothing accepts connections there; check the description URL and that the server is running`;
  if (err.code === 'ENOTFOUND') return `${err.code}: the host is not known; check the description URL`;
  return err.toString();
}

/** The size a server announces for the description (Content-Length of a HEAD request), if any. */
async function announcedSize(ds: Datasource, plan: ReturnType<typeof buildPlan>): Promise<number | undefined> {
  try {
    const head = await ds.send({ ...plan, method: 'HEAD' });
    const length = Number(head.headers['content-length']);
    return Number.isFinite(length) && length > MAX_SPEC_BYTES ? length : undefined;
  } catch {
    return undefined;
  }
}

export interface SpecFetcher {
  fetch(url: string): Promise<string>;
  close(): void;
}

/** A fetcher for URLs on `url`'s origin, set up from a datasource's (editor) values. */
export function specFetcher(
  RED: NodeAPI,
  url: URL,
  datasource:
    | {
        id?: string;
        config: RawConfig;
        credentials: Record<string, unknown>;
        destinationChanged?: boolean;
        clientCertificate?: boolean;
      }
    | undefined,
): SpecFetcher {
  const sameOrigin = !!datasource && originOf(datasource.config.baseUrl) === url.origin;
  const config: RawConfig = {};
  const credentials: Record<string, unknown> = {};
  if (datasource && sameOrigin) {
    Object.assign(config, datasource.config);
    Object.assign(credentials, datasource.credentials);
  } else if (datasource) {
    for (const k of NETWORK_SETTINGS) if (k in datasource.config) config[k] = datasource.config[k];
    for (const k of TLS_TRUST) if (k in datasource.credentials) credentials[k] = datasource.credentials[k];
  }
  Object.assign(config, {
    baseUrl: url.origin,
    maxResponseBytes: MAX_SPEC_BYTES,
    timeout: SPEC_TIMEOUT_MS,
    retries: 0,
    followRedirects: true,
    concurrency: 0,
    rateLimit: 0,
    cookieJar: false,
  });
  const settings = parseSettings(config, credentials);
  const ds = new Datasource(settings, {
    // Stored tokens only for the deployed destinations (see editorSettings).
    ...(sameOrigin ? oauthOptions(RED, datasource?.destinationChanged ? undefined : datasource?.id) : {}),
    // A client certificate is presented to the datasource's own origin only (docs/security.md).
    ...networkOptions(RED, settings, { clientCertificate: sameOrigin && datasource?.clientCertificate === true }),
  });
  redactTokens(ds);
  const deadline = Date.now() + IMPORT_DEADLINE_MS;
  return {
    async fetch(target: string): Promise<string> {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new OpenApiImportError(
          `reading the description took more than ${IMPORT_DEADLINE_MS / 1000} s; it was stopped`,
        );
      }
      const u = new URL(target);
      const plan = buildPlan(
        ds.defaults,
        {
          method: 'GET',
          path: u.pathname + u.search,
          headers: { Accept: 'application/json, application/yaml, text/yaml, */*;q=0.5' },
          params: {},
          cookies: {},
          bodyType: 'none',
          responseType: 'binary',
          timeout: Math.min(SPEC_TIMEOUT_MS, left),
        },
        {},
        () => undefined,
      );
      let result;
      try {
        result = await ds.send(plan);
      } catch (err) {
        if (err instanceof RestError && err.code === 'RESPONSE_TOO_LARGE')
          throw sizeError(await announcedSize(ds, plan), MAX_SPEC_BYTES);
        throw new OpenApiImportError(`${target} could not be fetched: ${ds.redact(fetchError(err))}`);
      }
      if (result.statusCode < 200 || result.statusCode >= 300) {
        throw new OpenApiImportError(`${target} answered HTTP ${result.statusCode}`);
      }
      return decodeText(result.body, String(result.headers['content-type'] ?? ''));
    },
    close: () => ds.close(),
  };
}
