/**
 * The import routes (CONTRACT.md): a curl command or an OpenAPI description in, a datasource
 * and query proposal out. The parsing lives in src/lib/import; these routes add the deployed
 * datasource's values and, for `{url}`, the one fetch of the description (and `$ref`s on its
 * origin). Nothing a command or description names is run or fetched otherwise.
 */
import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { CurlImportError, importCurl } from '../lib/import/curl';
import { importOpenApi, OpenApiImportError } from '../lib/import/openapi';
import { MAX_SPEC_BYTES, sizeError } from '../lib/import/openapi-load';
import { RestError } from '../lib/errors';
import { saveIndex } from '../runtime/openapi-index-store';
import { editorSettings } from './editor-settings';
import { specFetcher } from './spec-fetch';
import type { SpecFetcher } from './spec-fetch';
import type { RawConfig } from '../lib/settings';
import { acceptOnly, jsonOnly } from './json-only';

type Body = Record<string, unknown>;

/** `datasource`: a node id, or the dialog's current values with their `id`. */
function datasourceOf(
  RED: NodeAPI,
  value: unknown,
):
  | {
      id?: string;
      config: RawConfig;
      credentials: Record<string, unknown>;
      destinationChanged: boolean;
      clientCertificate: boolean;
    }
  | undefined {
  if (typeof value === 'string' && value) return { id: value, ...editorSettings(RED, value, {}) };
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const { id, ...values } = value as Body;
    const nodeId = typeof id === 'string' ? id : '';
    return { id: nodeId || undefined, ...editorSettings(RED, nodeId, values) };
  }
  if (value !== undefined && value !== null && value !== '') {
    throw new CurlImportError('datasource: must be a datasource id or an object of its settings');
  }
  return undefined;
}

function fail(res: Response, err: unknown): void {
  const known = err instanceof CurlImportError || err instanceof OpenApiImportError;
  const message = known ? err.message : err instanceof RestError ? err.toString() : String(err);
  res.status(known || err instanceof RestError ? 400 : 500).json({ error: message });
}

/** The body as text when it was not sent as JSON (a description file larger than apiMaxLength). */
function rawText(req: Request): Promise<string | undefined> {
  if (req.is('application/json') || req.is('application/x-www-form-urlencoded') || !req.readable) {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_SPEC_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        // the real size when the upload announced it (what was read so far is only the cap)
        const announced = Number(req.headers['content-length']);
        reject(
          sizeError(Number.isFinite(announced) && announced > MAX_SPEC_BYTES ? announced : undefined, MAX_SPEC_BYTES),
        );
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined));
    req.on('error', reject);
  });
}

function specUrl(value: unknown): URL {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new OpenApiImportError('url: must be an http:// or https:// URL of an OpenAPI description');
  }
  if (url.username || url.password) throw new OpenApiImportError('url: must not contain a user name or password');
  return url;
}

/**
 * The OpenAPI route also takes a description as its raw body (larger than the admin API's JSON
 * limit), under the description's registered media types: never a simple content type.
 */
export const OPENAPI_MEDIA_TYPES = [
  'application/vnd.oai.openapi',
  'application/vnd.oai.openapi+json',
  'application/yaml',
  'application/x-yaml',
];
const openApiBody = acceptOnly('application/json', ...OPENAPI_MEDIA_TYPES);

export function registerImportRoutes(RED: NodeAPI): void {
  const write = RED.auth.needsPermission('rest-datasource.write');

  RED.httpAdmin.post('/rest-datasource/import/curl', write, jsonOnly, (req: Request, res: Response) => {
    try {
      const body = (req.body ?? {}) as Body;
      if (typeof body.command !== 'string') throw new CurlImportError('command: paste a curl command as text');
      const ds = datasourceOf(RED, body.datasource);
      const baseUrl = typeof ds?.config.baseUrl === 'string' ? ds.config.baseUrl : undefined;
      res.set('Cache-Control', 'no-store');
      res.json(importCurl(body.command, { datasourceBaseUrl: baseUrl }));
    } catch (err) {
      fail(res, err);
    }
  });

  RED.httpAdmin.post('/rest-datasource/import/openapi', write, openApiBody, async (req: Request, res: Response) => {
    let fetcher: SpecFetcher | undefined;
    try {
      const raw = await rawText(req);
      const body: Body = raw !== undefined ? { ...(req.query as Body), text: raw } : ((req.body ?? {}) as Body);
      let text = typeof body.text === 'string' ? body.text : undefined;
      let sourceUrl: string | undefined;
      if (text === undefined) {
        if (body.url === undefined)
          throw new OpenApiImportError('give {text} (the description) or {url} (where it is)');
        const url = specUrl(body.url);
        fetcher = specFetcher(RED, url, datasourceOf(RED, body.datasource));
        text = await fetcher.fetch(url.toString());
        sourceUrl = url.toString();
      }
      const current = fetcher;
      const result = await importOpenApi(text, {
        sourceUrl,
        fetchRef: current ? (u) => current.fetch(u) : undefined,
      });
      // The index goes to the user directory; the datasource keeps only its reference.
      const index = { title: result.title, version: result.version, operations: result.operations };
      const { hash, count } = saveIndex(RED, index, sourceUrl ?? '');
      res.set('Cache-Control', 'no-store');
      res.json({ ...result, source: sourceUrl ?? '', hash, count });
    } catch (err) {
      fail(res, err);
    } finally {
      if (fetcher) fetcher.close();
    }
  });
}
