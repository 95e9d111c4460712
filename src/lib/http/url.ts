/**
 * URL handling: `{{placeholder}}` filling, and the same-origin guard that keeps
 * a datasource's credentials on the datasource's own origin.
 */
import { configError, RestError } from '../errors';

const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

/** An encoded value that could make a whole path segment empty, "." or "..". */
const DOTS_OR_EMPTY = /^\.{0,2}$/;
/** A path segment URL resolution would remove or climb with (".", "..", "%2e", "%2E.", ...). */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/** A path split at its placeholders: `text[0] {{names[0]}} text[1] ... text[n]`. */
interface PathTemplate {
  text: string[];
  names: string[];
  /** Whether placeholder i is in the path part (before any `?`). */
  inPath: boolean[];
}

/** Templates by path: a query node's path is one text for every msg. Bounded. */
const templates = new Map<string, PathTemplate>();
const MAX_TEMPLATES = 256;

function templateOf(path: string): PathTemplate {
  let template = templates.get(path);
  if (template) return template;
  const queryAt = path.indexOf('?');
  template = { text: [], names: [], inPath: [] };
  let last = 0;
  for (const match of path.matchAll(PLACEHOLDER)) {
    const at = match.index ?? 0;
    template.text.push(path.slice(last, at));
    template.names.push(match[1]);
    template.inPath.push(queryAt < 0 || at < queryAt);
    last = at + match[0].length;
  }
  template.text.push(path.slice(last));
  if (templates.size >= MAX_TEMPLATES) templates.clear();
  templates.set(path, template);
  return template;
}

/**
 * Fill `{{name}}` placeholders of a path. A value is one segment's content: it is URL-encoded
 * so it cannot add segments, and a value that would make its path segment empty, "." or ".."
 * (which URL resolution removes or climbs with) is refused, never resolved.
 */
export function fillPath(path: string, lookup: (name: string) => unknown): string {
  if (!path.includes('{{')) return path;
  const { text, names, inPath } = templateOf(path);
  let suspect: string | undefined;
  let filled = text[0];
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const value = lookup(name);
    // A function is what a prototype member (`{{constructor}}`, `{{toString}}`) finds on a msg that lacks it.
    if (value === undefined || value === null || typeof value === 'function') {
      throw configError('path', `placeholder {{${name}}} has no value: set msg.${name}`);
    }
    if (typeof value === 'object') {
      throw configError('path', `placeholder {{${name}}} must be text or a number, msg.${name} is an object`);
    }
    const encoded = encodeURIComponent(String(value));
    if (suspect === undefined && inPath[i] && DOTS_OR_EMPTY.test(encoded)) suspect = name;
    filled += encoded + text[i + 1];
  }
  // Only a value of at most two dots (or none) can form such a segment: check then, not always.
  if (suspect !== undefined) checkFilledSegments(path, filled, suspect);
  return filled;
}

function checkFilledSegments(template: string, filled: string, name: string): void {
  const cut = (text: string) => (text.includes('?') ? text.slice(0, text.indexOf('?')) : text).split('/');
  const before = cut(template);
  const after = cut(filled);
  for (let i = 0; i < after.length; i++) {
    // Placeholders never add segments, so the segments line up with the template's.
    if (!before[i]?.includes('{{')) continue;
    if (after[i] === '' || DOT_SEGMENT.test(after[i])) {
      throw configError(
        'path',
        `placeholder {{${name}}} makes the path segment ${JSON.stringify(after[i])}, which would ` +
          'remove or climb a segment; a placeholder value is the content of one path segment: check msg.' +
          name,
      );
    }
  }
}

/** Where a request goes, split for the wire. */
export interface Target {
  origin: string;
  pathname: string;
  rawQuery: string;
}

/** Path text URL parsing leaves as it is (no escaping, no `%`, no `?`, no backslash). */
const PLAIN_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
/** A "." or ".." segment anywhere in a path (URL parsing would resolve it). */
const DOT_SEGMENT_IN_PATH = /(?:^|\/)\.\.?(?:\/|$)/;

/**
 * Join a relative path onto the base URL. The path is appended as text (never resolved as a
 * URL reference), so `//other.host` or `http://x` inside it stay path text on our origin.
 */
export function joinPath(base: URL, path: string): Target {
  const hashAt = path.indexOf('#');
  const clean = hashAt >= 0 ? path.slice(0, hashAt) : path;
  const basePath = base.pathname.endsWith('/') ? base.pathname.slice(0, -1) : base.pathname;
  const rel = clean === '' || clean.startsWith('?') ? clean : '/' + clean.replace(/^\/+/, '');
  // The common path (letters, digits, `-._~!$&'()*+,;=:@/`, no dot segment) is one URL
  // parsing keeps byte for byte: joined as text, without building a URL per request.
  if (PLAIN_PATH.test(rel) && !DOT_SEGMENT_IN_PATH.test(rel)) {
    return { origin: base.origin, pathname: basePath + rel || '/', rawQuery: '' };
  }
  const url = new URL(base.origin + basePath + rel);
  if (url.origin !== base.origin) {
    throw new RestError('ORIGIN_REFUSED', `path "${path}" leaves the datasource origin ${base.origin}`);
  }
  // "..", "%2e%2e" and friends are resolved by the URL parser: the result must stay under the base path.
  if (basePath && url.pathname !== basePath && !url.pathname.startsWith(basePath + '/')) {
    throw configError(
      'path',
      `"${path.split('?')[0]}" leaves the base path ${basePath}; a path is appended to the base URL ` +
        '(use msg.url with an absolute URL on the same origin to reach another path)',
    );
  }
  return { origin: url.origin, pathname: url.pathname, rawQuery: url.search.slice(1) };
}

/** msg.url: absolute URLs must be on the base URL's origin; relative ones act as a path. */
export function resolveUrl(base: URL, urlText: string): Target {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(urlText) && !urlText.startsWith('//') && !urlText.startsWith('\\')) {
    return joinPath(base, urlText);
  }
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw configError('msg.url', `"${urlText}" is not a valid URL`);
  }
  if (url.origin !== base.origin) {
    throw new RestError(
      'ORIGIN_REFUSED',
      `msg.url origin ${url.origin === 'null' ? url.protocol : url.origin} differs from the datasource origin ${base.origin}; ` +
        'the request was not sent so the datasource credentials stay on their own origin',
    );
  }
  return { origin: url.origin, pathname: url.pathname, rawQuery: url.search.slice(1) };
}
