/**
 * Header, parameter and cookie values: validation (no malformed header is ever sent) and the
 * merge rule datasource < query < msg where the more specific entry replaces the whole entry.
 */
import { configError } from '../errors';
import type { HeaderMap, NameValue, ParamMap } from '../types';
import { setOwn } from '../own';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Field values: visible ASCII, space, tab and obs-text; never CR, LF or NUL.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Headers the transport decides, dropped from every level (datasource rows, query rows,
 * msg.headers): the hop-by-hop headers of RFC 9110 §7.6.1 describe one connection, not the
 * request, and Content-Length / Transfer-Encoding frame the body node:http sends. A given
 * Transfer-Encoding next to the computed Content-Length would be a smuggled request; a given
 * Connection: close would end the datasource's keep-alive connection. docs/security.md.
 */
export const TRANSPORT_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
]);

/**
 * Headers that decide where, or to whom, a request goes. Node's https client takes the TLS
 * server name (SNI) and the certificate host check from a Host header, so a Host value could
 * send the datasource's credentials to another site on a shared front (CDN, ingress). The
 * base URL's origin alone decides; pseudo-header names (`:authority`, `:path`) are already
 * refused by the token rule.
 */
const ROUTING_HEADERS = new Set(['host']);

export function checkHeaderName(name: string, where: string, lower = name.toLowerCase()): void {
  if (!TOKEN.test(name)) {
    throw configError(where, `header name ${JSON.stringify(name)} has characters a header name cannot have`);
  }
  if (ROUTING_HEADERS.has(lower)) {
    throw configError(
      `${where} "${name}"`,
      'cannot be set: the datasource base URL decides the host a request (and its credentials) goes to; ' +
        'remove the header, or use a datasource whose base URL names that host',
    );
  }
}

/** Turn a header value into wire text, refusing what would corrupt the request. */
export function headerValue(value: unknown, name: string, where: string): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
    text = value.join(', ');
  } else {
    throw configError(`${where} "${name}"`, `must be text or a number, got ${value === null ? 'null' : typeof value}`);
  }
  if (!FIELD_VALUE.test(text)) {
    throw configError(
      `${where} "${name}"`,
      'contains a line break or control character, which would let it inject headers; remove it',
    );
  }
  return text;
}

export function setHeader(map: HeaderMap, name: string, value: string): void {
  map.set(name.toLowerCase(), [name, value]);
}

export function headersFromRows(rows: readonly NameValue[], where: string): HeaderMap {
  const map: HeaderMap = new Map();
  for (const row of rows) {
    checkHeaderName(row.name, where);
    if (TRANSPORT_HEADERS.has(row.name.toLowerCase())) continue;
    setHeader(map, row.name, headerValue(row.value, row.name, where));
  }
  return map;
}

/**
 * Merge one level of headers over another. Returns the names set by this level so auth knows
 * it must not override them. Transport headers are dropped: they are computed on send.
 */
export function mergeHeaders(
  target: HeaderMap,
  source: Record<string, unknown>,
  where: string,
  explicit: Set<string>,
): void {
  for (const name of Object.keys(source)) {
    const lower = name.toLowerCase();
    const value = source[name];
    if (TRANSPORT_HEADERS.has(lower)) continue;
    checkHeaderName(name, where, lower);
    if (value === undefined) continue;
    if (value === null) {
      // An explicit null removes an inherited header (for example a datasource default).
      target.delete(lower);
      explicit.add(lower);
      continue;
    }
    target.set(lower, [name, headerValue(value, name, where)]);
    explicit.add(lower);
  }
}

function paramValues(value: unknown, name: string, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (v && typeof v === 'object') return JSON.stringify(v);
    throw configError(`${where} "${name}"`, `must be text or a number, got ${v === null ? 'null' : typeof v}`);
  });
}

export function mergeParams(
  target: ParamMap,
  source: Record<string, unknown>,
  where: string,
  explicit: Set<string>,
): void {
  for (const name of Object.keys(source)) {
    const value = source[name];
    if (value === undefined) continue;
    if (!name) throw configError(where, 'a parameter name is empty');
    explicit.add(name);
    if (value === null) target.delete(name);
    else target.set(name, paramValues(value, name, where));
  }
}

const COOKIE_NAME = TOKEN;
// cookie-octet of RFC 6265 plus space (commonly tolerated inside values would break parsing, so not allowed)
const COOKIE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

export function mergeCookies(target: Map<string, string>, source: Record<string, unknown>, where: string): void {
  for (const name of Object.keys(source)) {
    const raw = source[name];
    if (raw === undefined) continue;
    if (raw === null) {
      target.delete(name);
      continue;
    }
    if (!COOKIE_NAME.test(name)) throw configError(where, `cookie name ${JSON.stringify(name)} is not valid`);
    // Node-RED's core node accepts {value: ...}; so do we.
    const value = raw && typeof raw === 'object' && 'value' in raw ? (raw as { value: unknown }).value : raw;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw configError(`${where} "${name}"`, 'must be text or a number');
    }
    const text = String(value);
    target.set(name, COOKIE_VALUE.test(text) ? text : encodeURIComponent(text));
  }
}

export function cookieHeader(cookies: Map<string, string>): string {
  let out = '';
  for (const [name, value] of cookies) out += (out ? '; ' : '') + name + '=' + value;
  return out;
}

export function rowsToObject(rows: readonly NameValue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rows) setOwn(out, r.name, r.value);
  return out;
}
