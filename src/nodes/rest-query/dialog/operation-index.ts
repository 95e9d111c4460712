// The operation index of the chosen datasource, for the picker. The datasource holds only a
// reference (`openapi`: title, version, source, hash, count); the index comes from the admin
// route by its hash, once per editor session. A 0.1.x datasource still holding its index inline
// is used as it is. Each operation is prepared once: plain text, its group, its search text.
import { isInlineIndex, isRef } from '../../../lib/import/openapi-ref';
import type { IndexedOperation } from '../../../lib/import/operation-types';
import { plainText } from '../../../lib/import/plain-text';

export interface PreparedOperation {
  op: IndexedOperation;
  /** the tag, or for an untagged operation its first path segment */
  group: string;
  /** the option's text: method, path, summary */
  label: string;
  /** what a search matches, lower case */
  haystack: string;
}

export type IndexState =
  | { state: 'none' }
  | { state: 'ready'; operations: PreparedOperation[] }
  | { state: 'missing'; source: string; message: string };

/** Indexes already loaded in this editor session, by hash (an index never changes under its hash). */
const loaded = new Map<string, PreparedOperation[]>();
/** Loads in flight, so the dialog's two refreshes on opening fetch once. */
const loading = new Map<string, Promise<IndexState>>();

/** `/repos/{owner}/{repo}` → `repos`: where GitHub, Stripe and others leave tags out. */
function firstSegment(path: string): string {
  const segment = path.split('/').find((s) => s !== '');
  return segment ? `/${segment}` : '/';
}

export function prepare(operations: IndexedOperation[]): PreparedOperation[] {
  return operations.map((raw) => {
    // 0.1.x indexes kept HTML and Markdown; today's are plain text already (cheap then).
    const op = { ...raw, summary: plainText(raw.summary || '') };
    const label = `${op.method} ${op.path}${op.summary ? ` — ${op.summary}` : ''}`;
    return {
      op,
      group: op.tag || firstSegment(op.path),
      label,
      haystack: `${op.id} ${label} ${op.tag}`.toLowerCase(),
    };
  });
}

/** The index of a datasource's `openapi` property, now if it is at hand, else when loaded. */
export function indexOf(openapi: unknown): IndexState | Promise<IndexState> {
  if (isInlineIndex(openapi)) return { state: 'ready', operations: prepare(openapi.operations) };
  if (!isRef(openapi)) return { state: 'none' };
  const hit = loaded.get(openapi.hash);
  if (hit) return { state: 'ready', operations: hit };
  const { hash, source } = openapi;
  const inFlight = loading.get(hash);
  if (inFlight) return inFlight;
  const load = new Promise<IndexState>((resolve) => {
    $.getJSON(`rest-datasource/openapi-index/${hash}`)
      .done((index: { operations?: IndexedOperation[] }) => {
        const operations = prepare(Array.isArray(index.operations) ? index.operations : []);
        loaded.set(hash, operations);
        resolve({ state: 'ready', operations });
      })
      .fail((xhr: JQuery.jqXHR) => {
        const message = (xhr.responseJSON as { error?: string } | undefined)?.error ?? xhr.statusText;
        resolve({ state: 'missing', source, message });
      })
      .always(() => loading.delete(hash));
  });
  loading.set(hash, load);
  return load;
}
