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
const PASTED = 'https://pasted.invalid/openapi';

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

export function sizeError(bytes: number, max: number): OpenApiImportError {
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  return new OpenApiImportError(
    `the description is ${mb(bytes)} MB, more than the ${mb(max)} MB the importer reads; ` +
      'import a smaller description (for example one API of a larger product)',
  );
}

/** A loaded description: its root object, and `follow` for `$ref`s. */
export interface Spec {
  root: JsonObject;
  /** Resolve `value` if it is a (bundled, so internal) `$ref`, chains at most 20; anything else as is. */
  follow(value: unknown): unknown;
}

function describe(url: string): string {
  if (url.startsWith(PASTED)) return 'a document beside pasted text (paste a description that needs no other file)';
  if (/^file:/i.test(url) || url.startsWith('/')) return 'a local file';
  try {
    return `${new URL(url).origin}, another origin than the description's`;
  } catch {
    return 'an unreadable location';
  }
}

export async function loadSpec(text: string, options: LoadOptions = {}): Promise<Spec> {
  const max = options.maxBytes ?? MAX_SPEC_BYTES;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > max) throw sizeError(bytes, max);
  if (!text.trim()) throw new OpenApiImportError('the description is empty');
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
    // bundle = resolve, then references into other documents become internal ones.
    const parserOptions: ParserOptions = {
      resolve: { file: false, http: false, external: true, guarded: resolver },
      parse: { text: false, binary: false },
    };
    await parser.bundle(rootUrl, parserOptions);
  } catch (err) {
    if (refused) throw refused;
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
