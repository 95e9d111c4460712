/**
 * `GET /rest-datasource/openapi-index/:hash`: the operation index a datasource refers to by its
 * hash (its `openapi` property), for the query dialog's operation picker. When the index is not
 * kept here (a flow imported from another Node-RED) and a deployed datasource names a URL as its
 * description's source, the index is built again from that URL, fetched as the import fetches it.
 */
import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { importOpenApi } from '../lib/import/openapi';
import { HASH_PATTERN, isRef } from '../lib/import/openapi-ref';
import type { OperationIndex } from '../lib/import/openapi-ref';
import { readIndex, saveIndex, written } from '../runtime/openapi-index-store';
import { editorSettings } from './editor-settings';
import { specFetcher } from './spec-fetch';

/** A deployed datasource that refers to this hash and whose description came from a URL. */
function sourceOf(RED: NodeAPI, hash: string): { id: string; url: URL } | undefined {
  let found: { id: string; url: URL } | undefined;
  RED.nodes.eachNode((n: { id: string; type: string; openapi?: unknown }) => {
    if (found || n.type !== 'rest-datasource' || !isRef(n.openapi) || n.openapi.hash !== hash) return;
    try {
      const url = new URL(n.openapi.source);
      if (url.protocol === 'http:' || url.protocol === 'https:') found = { id: n.id, url };
    } catch {
      // a pasted or uploaded description: nothing to fetch again
    }
  });
  return found;
}

/** Fetch and index the description again; the index with the hash it has now. */
async function rebuild(RED: NodeAPI, id: string, url: URL): Promise<OperationIndex & { hash: string }> {
  const fetcher = specFetcher(RED, url, { id, ...editorSettings(RED, id, {}) });
  try {
    const text = await fetcher.fetch(url.toString());
    const result = await importOpenApi(text, { sourceUrl: url.toString(), fetchRef: (u) => fetcher.fetch(u) });
    const index = { title: result.title, version: result.version, operations: result.operations };
    const { hash } = saveIndex(RED, index, url.toString());
    await written(RED, hash);
    return { ...index, hash };
  } finally {
    fetcher.close();
  }
}

export function registerOpenApiIndexRoute(RED: NodeAPI): void {
  const read = RED.auth.needsPermission('rest-datasource.read');

  RED.httpAdmin.get('/rest-datasource/openapi-index/:hash', read, async (req: Request, res: Response) => {
    const hash = String(req.params.hash);
    if (!HASH_PATTERN.test(hash)) {
      res.status(400).json({ error: 'hash: must be the 64 hexadecimal digits of an operation index' });
      return;
    }
    const kept = await readIndex(RED, hash);
    if (kept) {
      // An index never changes under its hash.
      res.set('Cache-Control', 'private, max-age=31536000, immutable');
      res.json({ ...kept, hash });
      return;
    }
    const source = sourceOf(RED, hash);
    if (!source) {
      res.status(404).json({ error: 'this operation index is not kept here; import the description again' });
      return;
    }
    try {
      const index = await rebuild(RED, source.id, source.url);
      res.set('Cache-Control', 'no-store');
      // `hash` differs from the one asked for when the description has changed since its import.
      res.json(index);
    } catch (err) {
      res
        .status(502)
        .json({ error: `${source.url.toString()}: ${(err as Error).message}`, source: source.url.toString() });
    }
  });
}
