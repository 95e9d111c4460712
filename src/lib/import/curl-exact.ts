/**
 * Query strings and cookies exactly as curl sends them. The importer proposes rows (which the
 * user can edit) only when the rows send the same bytes; otherwise the text stays as written
 * (the query in the path, the cookies as one secret `Cookie` header row). No regex here runs
 * over the input: every scan is an index loop.
 */
import type { NameValue } from '../types';

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/** curl's `--data-urlencode` encoding: unreserved kept, space as `+`, the rest `%XX` (upper case). */
export function curlEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (byte < 0x80 && UNRESERVED.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** curl appends `-G` data and `--url-query` parts to the URL with its `%xx` escapes in lower case. */
export function lowerEscapes(text: string): string {
  if (!text.includes('%')) return text;
  const hex = (c: string | undefined) => c !== undefined && ((c >= '0' && c <= '9') || /[a-f]/i.test(c));
  const parts: string[] = [];
  let from = 0;
  for (let i = text.indexOf('%'); i >= 0 && i + 2 < text.length; i = text.indexOf('%', i + 1)) {
    if (hex(text[i + 1]) && hex(text[i + 2])) {
      parts.push(text.slice(from, i + 1), text.slice(i + 1, i + 3).toLowerCase());
      from = i + 3;
    }
  }
  parts.push(text.slice(from));
  return parts.join('');
}

/** The query of a URL as written: after the first `?`, before a `#`. */
export function rawQueryOf(urlText: string): string {
  const q = urlText.indexOf('?');
  if (q < 0) return '';
  const hash = urlText.indexOf('#', q);
  return urlText.slice(q + 1, hash < 0 ? undefined : hash);
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.split('+').join(' '));
  } catch {
    return undefined;
  }
}

/** One `name=value` piece of a query, decoded, with its text. */
export interface QueryPair extends NameValue {
  raw: string;
  /** the runtime's encoding of name and value gives back exactly `raw` */
  exact: boolean;
}

export function queryPairs(raw: string): QueryPair[] {
  if (!raw) return [];
  return raw.split('&').map((piece) => {
    const eq = piece.indexOf('=');
    const rawName = eq < 0 ? piece : piece.slice(0, eq);
    const rawValue = eq < 0 ? '' : piece.slice(eq + 1);
    const name = decode(rawName);
    const value = decode(rawValue);
    const exact =
      eq > 0 &&
      name !== undefined &&
      value !== undefined &&
      encodeURIComponent(name) === rawName &&
      encodeURIComponent(value) === rawValue;
    return { name: name ?? rawName, value: value ?? rawValue, raw: piece, exact };
  });
}

/**
 * Rows for the pairs when the runtime sends them back byte for byte (a name repeated in a run
 * becomes one list value, which the runtime repeats in order); undefined when only the text
 * as written would do (a piece without `=`, an escape the runtime writes otherwise, a name
 * repeated around another).
 */
export function exactRows(pairs: QueryPair[]): Array<{ name: string; values: string[] }> | undefined {
  const rows: Array<{ name: string; values: string[] }> = [];
  const seen = new Set<string>();
  for (const p of pairs) {
    if (!p.exact) return undefined;
    const last = rows[rows.length - 1];
    if (last && last.name === p.name) last.values.push(p.value);
    else if (seen.has(p.name)) return undefined;
    else {
      rows.push({ name: p.name, values: [p.value] });
      seen.add(p.name);
    }
  }
  return rows;
}

/** Cookie value characters the runtime sends as they are (RFC 6265 cookie-octets). */
const COOKIE_OCTET = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Cookies as rows when the runtime's `a=1; b=2` gives back `text` exactly; else undefined. */
export function exactCookies(text: string): NameValue[] | undefined {
  const out: NameValue[] = [];
  const names = new Set<string>();
  for (const part of text.split('; ')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const name = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (!TOKEN.test(name) || !COOKIE_OCTET.test(value) || names.has(name)) return undefined;
    out.push({ name, value });
    names.add(name);
  }
  return out.length ? out : undefined;
}

/** The names in a cookie text, for the notice (never the values). */
export function cookieNames(text: string): string[] {
  return text
    .split(';')
    .map((part) => {
      const eq = part.indexOf('=');
      return (eq < 0 ? part : part.slice(0, eq)).trim();
    })
    .filter(Boolean);
}
