/**
 * Operation indexes of imported OpenAPI descriptions, kept outside the flow: one JSON file per
 * index in `<userDir>/rest-datasource/openapi/<hash>.json` (in memory when Node-RED runs without
 * a user directory, as under the test helper). Written when the import route answers and when a
 * 0.1.x datasource with an inline index starts; read by the admin route the query dialog uses.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import type { NodeAPI } from 'node-red';
import { HASH_PATTERN, refOf } from '../lib/import/openapi-ref';
import type { OpenApiRef, OperationIndex } from '../lib/import/openapi-ref';

interface Store {
  dir?: string;
  memory: Map<string, OperationIndex>;
  /** writes in flight, so a read right after a save finds the index */
  writing: Map<string, Promise<void>>;
}

const stores = new WeakMap<object, Store>();

function storeOf(RED: NodeAPI): Store {
  let store = stores.get(RED);
  if (!store) {
    const userDir = (RED.settings as unknown as { userDir?: unknown }).userDir;
    const dir = typeof userDir === 'string' && userDir ? path.join(userDir, 'rest-datasource', 'openapi') : undefined;
    store = { dir, memory: new Map(), writing: new Map() };
    stores.set(RED, store);
  }
  return store;
}

/** Keep an index; its reference (with `source`). An index already kept is not written again. */
export function saveIndex(RED: NodeAPI, index: OperationIndex, source: string): OpenApiRef {
  const ref = refOf(index, source);
  const store = storeOf(RED);
  if (!store.dir) {
    store.memory.set(ref.hash, index);
    return ref;
  }
  if (store.writing.has(ref.hash)) return ref;
  const dir = store.dir;
  const file = path.join(dir, `${ref.hash}.json`);
  const write = fs
    .access(file)
    .catch(async () => {
      await fs.mkdir(dir, { recursive: true });
      // Written whole under another name first: a reader never sees half a file.
      const tmp = `${file}.${process.pid}.tmp`;
      await fs.writeFile(tmp, JSON.stringify(index));
      await fs.rename(tmp, file);
    })
    .catch((err: Error) => RED.log.warn(`[rest-datasource] could not keep an OpenAPI operation index: ${err.message}`))
    .finally(() => store.writing.delete(ref.hash));
  store.writing.set(ref.hash, write);
  return ref;
}

/** Resolves once a save of this hash in flight has reached the disk (at once when none is). */
export async function written(RED: NodeAPI, hash: string): Promise<void> {
  await storeOf(RED).writing.get(hash);
}

/** The index with this hash, or undefined when none is kept. */
export async function readIndex(RED: NodeAPI, hash: string): Promise<OperationIndex | undefined> {
  if (!HASH_PATTERN.test(hash)) return undefined;
  const store = storeOf(RED);
  if (!store.dir) return store.memory.get(hash);
  await store.writing.get(hash);
  try {
    const parsed = JSON.parse(await fs.readFile(path.join(store.dir, `${hash}.json`), 'utf8')) as OperationIndex;
    return parsed && Array.isArray(parsed.operations) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
