/**
 * URL handling: `{{placeholder}}` filling, and the same-origin guard that keeps
 * a datasource's credentials on the datasource's own origin.
 */
import { configError, RestError } from '../errors';

const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

/** Fill `{{name}}` placeholders of a path; values are URL-encoded so they cannot add segments. */
export function fillPath(path: string, lookup: (name: string) => unknown): string {
  if (!path.includes('{{')) return path;
  return path.replace(PLACEHOLDER, (_all, name: string) => {
    const value = lookup(name);
    if (value === undefined || value === null) {
      throw configError('path', `placeholder {{${name}}} has no value: set msg.${name}`);
    }
    if (typeof value === 'object') {
      throw configError('path', `placeholder {{${name}}} must be text or a number, msg.${name} is an object`);
    }
    return encodeURIComponent(String(value));
  });
}

/** Where a request goes, split for the wire. */
export interface Target {
  origin: string;
  pathname: string;
  rawQuery: string;
}

/** Path text URL parsing leaves as it is (no escaping, no `%`, no `?`, no backslash). */
const PLAIN_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

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
  if (PLAIN_PATH.test(rel) && !DOT_SEGMENT.test(rel)) {
    return { origin: base.origin, pathname: basePath + rel || '/', rawQuery: '' };
  }
  const url = new URL(base.origin + basePath + rel);
  if (url.origin !== base.origin) {
    throw new RestError('ORIGIN_REFUSED', `path "${path}" leaves the datasource origin ${base.origin}`);
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
