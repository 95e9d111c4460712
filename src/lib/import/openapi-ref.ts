/**
 * What a datasource keeps in its `openapi` property since 0.2: a reference to an operation
 * index, not the index. The index (often hundreds of kilobytes) lives in the Node-RED user
 * directory under its hash and reaches the editor through an admin route, so flows.json, every
 * export and every diff stay small. 0.1.x flows kept the whole index inline; `isInlineIndex`
 * recognises that form so it can be moved out. No Node.js type in reach: the editor uses this.
 */
import { sha256Hex } from './sha256';
import type { IndexedOperation } from './operation-types';

/** The index file's content. */
export interface OperationIndex {
  title: string;
  version: string;
  operations: IndexedOperation[];
}

/** The datasource's `openapi` property. */
export interface OpenApiRef {
  title: string;
  version: string;
  /** where the description came from: its URL, or '' for a pasted or uploaded file */
  source: string;
  /** SHA-256 (hex) of the index, its file name */
  hash: string;
  /** how many operations the index holds */
  count: number;
}

/** The 0.1.x form: the index inline. */
export interface InlineIndex extends OperationIndex {
  source: string;
}

export const HASH_PATTERN = /^[0-9a-f]{64}$/;

/** The hash of an index: of its JSON, title, version and operations in this order. */
export function indexHash(index: OperationIndex): string {
  return sha256Hex(JSON.stringify({ title: index.title, version: index.version, operations: index.operations }));
}

export function refOf(index: OperationIndex, source: string): OpenApiRef {
  return {
    title: index.title,
    version: index.version,
    source,
    hash: indexHash(index),
    count: index.operations.length,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

export function isInlineIndex(v: unknown): v is InlineIndex {
  return isRecord(v) && Array.isArray(v.operations);
}

export function isRef(v: unknown): v is OpenApiRef {
  return isRecord(v) && typeof v.hash === 'string' && HASH_PATTERN.test(v.hash);
}

/** An inline (0.1.x) index: the index file's content and the reference that replaces it. */
export function splitInline(v: InlineIndex): { index: OperationIndex; ref: OpenApiRef } {
  const index: OperationIndex = { title: text(v.title), version: text(v.version), operations: v.operations };
  return { index, ref: refOf(index, text(v.source)) };
}
