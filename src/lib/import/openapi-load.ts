/**
 * Reads an OpenAPI or Swagger description (JSON or YAML) and resolves its `$ref`s with
 * @apidevtools/json-schema-ref-parser, under one rule: a reference may point inside the
 * description, or to another document on the origin the description itself came from, fetched
 * through the caller's `fetchRef`. Local files, other origins and other schemes are refused.
 * Nothing is dereferenced eagerly: `Spec.follow()` resolves one `$ref` when the index needs it,
 * so circular references cost nothing and a big description is walked once.
 */
import { $RefParser } from '@apidevtools/json-schema-ref-parser';
import type { FileInfo, ParserOptions } from '@apidevtools/json-schema-ref-parser';

export class OpenApiImportError extends Error {}

/** Largest description accepted, in bytes (GitHub's REST description is about 13 MB). */
export const MAX_SPEC_BYTES = 16 * 1024 * 1024;
/** Most other documents one description may pull in through `$ref`s. */
export const MAX_REF_DOCUMENTS = 50;

/** Where pasted text "lives": a relative reference in it resolves here and is refused. */
const PASTED_ORIGIN = 'https://pasted.invalid';
const PASTED = PASTED_ORIGIN + '/openapi';
/** Most objects and lists a description may hold, YAML aliases counted each time they are used (GitHub's REST description has about 90,000). */
export const MAX_NODES = 2_000_000;

export interface LoadOptions {
  /** the URL the text was fetched from (other documents on its origin may be referenced) */
  sourceUrl?: string;
  /** fetches another document on the source's origin; absent: only internal references */
  fetchRef?: (url: string) => Promise<string>;
  maxBytes?: number;
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** The description is too large; `bytes` is its size when known (undefined: only that it exceeds `max`). */
export function sizeError(bytes: number | undefined, max: number): OpenApiImportError {
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  const size = bytes === undefined ? 'larger than' : `${mb(bytes)} MB, more than`;
  return new OpenApiImportError(
    `the description is ${size} the ${mb(max)} MB the importer reads; ` +
      'import a smaller description (for example one API of a larger product)',
  );
}

/** What text that is not a description starts with, when it is something else known (an HTML page). */
function notADescription(text: string): OpenApiImportError | undefined {
  let i = 0;
  while (
    i < text.length &&
    i < 1000 &&
    (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t' || text[i] === '\ufeff')
  )
    i++;
  const head = text.slice(i, i + 200).toLowerCase();
  if (
    head.startsWith('<!doctype html') ||
    head.startsWith('<html') ||
    (head.startsWith('<') && head.includes('<html'))
  ) {
    return new OpenApiImportError(
      'this is an HTML page, not an OpenAPI description: give the URL of the .json or .yaml file ' +
        '(documentation pages often link it as "OpenAPI", "Swagger" or "Download")',
    );
  }
  if (head.startsWith('<')) {
    return new OpenApiImportError('this is XML, not an OpenAPI description (JSON or YAML)');
  }
  return undefined;
}

/** A loaded description: its root object, and `follow` for `$ref`s. */
export interface Spec {
  root: JsonObject;
  /** Resolve `value` if it is a (bundled, so internal) `$ref`, chains at most 20; anything else as is. */
  follow(value: unknown): unknown;
}

function describe(url: string): string {
  if (url.startsWith(PASTED_ORIGIN + '/'))
    return 'a document beside pasted text (paste a description that needs no other file)';
  if (/^file:/i.test(url) || url.startsWith('/')) return 'a local file';
  try {
    return `${new URL(url).origin}, another origin than the description's`;
  } catch {
    return 'an unreadable location';
  }
}

/**
 * YAML aliases share one value among many places; walked as a tree (as the reference resolver
 * walks it) a few lines can stand for billions of values. Count the values as a tree walk meets
 * them; on the way, tell whether any `$ref` leaves the document.
 */
function walk(root: unknown): { externalRefs: boolean } {
  let budget = MAX_NODES;
  let externalRefs = false;
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop() as Record<string, unknown>;
    if (--budget < 0) {
      throw new OpenApiImportError(
        'the description expands to more than 2 million objects (YAML aliases used over and over); it was not read',
      );
    }
    if (typeof v.$ref === 'string' && !v.$ref.startsWith('#')) externalRefs = true;
    for (const child of Object.values(v)) if (child && typeof child === 'object') stack.push(child);
  }
  return { externalRefs };
}

export async function loadSpec(text: string, options: LoadOptions = {}): Promise<Spec> {
  const max = options.maxBytes ?? MAX_SPEC_BYTES;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > max) throw sizeError(bytes, max);
  if (!text.trim()) throw new OpenApiImportError('the description is empty');
  const other = notADescription(text);
  if (other) throw other;
  const rootUrl = options.sourceUrl ?? PASTED;
  const origin = options.sourceUrl ? new URL(options.sourceUrl).origin : undefined;
  let refused: OpenApiImportError | undefined;
  let documents = 0;
  const resolver = {
    order: 1,
    canRead: true,
    read: async (file: FileInfo): Promise<string> => {
      const url = file.url;
      if (url === rootUrl) return text;
      let target: URL | undefined;
      try {
        target = new URL(url);
      } catch {
        target = undefined;
      }
      const allowed =
        !!target && !!origin && !!options.fetchRef && target.origin === origin && /^https?:$/.test(target.protocol);
      if (!allowed) {
        refused = new OpenApiImportError(`$ref "${url}" points to ${describe(url)}; it was not read`);
        throw refused;
      }
      if (++documents > MAX_REF_DOCUMENTS) {
        refused = new OpenApiImportError(`the description references more than ${MAX_REF_DOCUMENTS} other documents`);
        throw refused;
      }
      const body = await (options.fetchRef as (u: string) => Promise<string>)(url);
      if (Buffer.byteLength(body, 'utf8') > max) throw (refused = sizeError(Buffer.byteLength(body, 'utf8'), max));
      return body;
    },
  };
  const parser = new $RefParser();
  try {
    const parsed = await parser.parse(rootUrl, {
      resolve: { file: false, http: false, guarded: resolver },
    } as ParserOptions);
    // Only references into other documents need the resolver's walk (most descriptions, GitHub's
    // included, have none: that walk would block the runtime for a second on them).
    if (parsed && typeof parsed === 'object' && walk(parsed).externalRefs) {
      // bundle = resolve, then references into other documents become internal ones.
      const parserOptions: ParserOptions = {
        resolve: { file: false, http: false, external: true, guarded: resolver },
        parse: { text: false, binary: false },
      };
      await parser.bundle(rootUrl, parsed, parserOptions);
    }
  } catch (err) {
    if (refused) throw refused;
    if (err instanceof OpenApiImportError) throw err;
    throw new OpenApiImportError(
      `the description could not be read: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const root = parser.schema as unknown;
  if (!isObject(root)) throw new OpenApiImportError('the description is not a JSON or YAML object');
  const refs = parser.$refs;
  const follow = (value: unknown): unknown => {
    let v = value;
    for (let hops = 0; isObject(v) && typeof v.$ref === 'string'; hops++) {
      if (hops >= 20) return undefined;
      try {
        v = refs.get(rootUrl + (v.$ref as string));
      } catch {
        return undefined;
      }
    }
    return v;
  };
  return { root: root as JsonObject, follow };
}
