/**
 * Percent-encoding as the signing schemes define it. AWS Signature Version 4 ("UriEncode") and
 * OAuth 1.0a (RFC 5849 §3.6) agree: every byte of the UTF-8 form is encoded as `%XX` (upper
 * case hex) except the unreserved characters `A-Z a-z 0-9 - . _ ~`. encodeURIComponent leaves
 * `!'()*` as they are, so it is not enough on its own.
 */
import type { WireRequest } from '../types';

const HEX = '0123456789ABCDEF';

function unreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d || // -
    byte === 0x2e || // .
    byte === 0x5f || // _
    byte === 0x7e // ~
  );
}

/** Percent-encode everything but the unreserved characters (RFC 3986 §2.3). */
export function strictEncode(text: string): string {
  // Fast path: nothing to encode.
  if (/^[A-Za-z0-9\-._~]*$/.test(text)) return text;
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    out += unreserved(byte) ? String.fromCharCode(byte) : '%' + HEX[byte >> 4] + HEX[byte & 15];
  }
  return out;
}

/**
 * Decode `%XX` escapes to the UTF-8 text they spell. A `%` not followed by two hex digits stays
 * a literal `%` (servers do the same). With `plusIsSpace`, `+` means a space, as in
 * application/x-www-form-urlencoded query strings and bodies.
 */
export function percentDecode(text: string, plusIsSpace: boolean): string {
  const spaced = plusIsSpace ? text.replace(/\+/g, ' ') : text;
  if (!spaced.includes('%')) return spaced;
  // A run of escapes is decoded together: one UTF-8 character may take several of them.
  return spaced.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'));
}

/** A query string or form body (`a=1&b&c=`) as decoded name/value pairs; `b` alone has no `=`. */
export interface DecodedPair {
  name: string;
  value: string;
  /** The pair had an `=` (`b=` rather than `b`). */
  hasValue: boolean;
}

export function parsePairs(text: string): DecodedPair[] {
  const out: DecodedPair[] = [];
  for (const piece of text.split('&')) {
    if (!piece) continue;
    const eq = piece.indexOf('=');
    const name = eq < 0 ? piece : piece.slice(0, eq);
    const value = eq < 0 ? '' : piece.slice(eq + 1);
    out.push({ name: percentDecode(name, true), value: percentDecode(value, true), hasValue: eq >= 0 });
  }
  return out;
}

/** Every query parameter of a wire request, decoded, in wire order: the path's own, then the added ones. */
export function queryPairs(req: WireRequest): DecodedPair[] {
  const out = req.rawQuery ? parsePairs(req.rawQuery) : [];
  for (const [name, value] of req.query) out.push({ name, value, hasValue: true });
  return out;
}
