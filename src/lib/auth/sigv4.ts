/**
 * AWS Signature Version 4 (authType `awsSigV4`), written on node:crypto: no SDK, no new
 * dependency. The canonical request follows AWS's specification and its published test suite
 * (test/unit/sigv4.test.js runs every case of it):
 * - the URI path is normalized (dot segments and empty segments removed) and URI-encoded once
 *   more from its wire form, which double-encodes it; service `s3` does neither: its path is
 *   the decoded key, encoded once;
 * - the query pairs are decoded, encoded with `UriEncode` and sorted by name, then by value;
 *   repeated names and empty values are kept;
 * - header names lower-cased, values trimmed with inner runs of spaces squeezed to one;
 * - the payload hash is the SHA-256 of the exact body bytes (sent as `X-Amz-Content-Sha256`).
 *
 * The scheme signs in its `sign(wire)` step, which the datasource runs last on the request
 * exactly as it goes on the wire: once per attempt, page and redirect hop.
 */
import { createHash, createHmac } from 'node:crypto';
import { normalizeHeaderValue } from '../http/client';
import type { WireRequest } from '../types';
import type { DecodedPair } from './percent';
import { percentDecode, queryPairs, strictEncode } from './percent';
import type { AuthScheme } from './scheme';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
const EMPTY_SHA256 = createHash('sha256').digest('hex');

/**
 * Headers left out of the signature: the ones a proxy or the HTTP stack may change on the way
 * (hop-by-hop headers, User-Agent, Expect), the trace id AWS itself adds, and Authorization.
 */
const UNSIGNED = new Set([
  'authorization',
  'connection',
  'expect',
  'keep-alive',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
]);

export interface SigV4Options {
  region: string;
  service: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials (STS): sent and signed as `X-Amz-Security-Token`. */
  sessionToken?: string;
}

/** What the canonical request is computed from. */
export interface CanonicalInput {
  method: string;
  /** The path as it appears in the request line (no query). */
  path: string;
  /** Query parameters, decoded. */
  query: readonly DecodedPair[];
  /** Header names in any case; a name may repeat (its values are joined with commas). */
  headers: ReadonlyArray<readonly [string, string]>;
  payloadHash: string;
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, text: string): Buffer => createHmac('sha256', key).update(text, 'utf8').digest();

/** RFC 3986 §5.2.4 dot-segment removal; AWS also drops empty segments (`//`). */
function normalizePath(path: string): string {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  const trailing = path.endsWith('/') && out.length > 0 ? '/' : '';
  return '/' + out.join('/') + trailing;
}

/** The path of an S3 request on the wire and in the canonical request: each decoded segment encoded once. */
export function s3Path(path: string): string {
  return path
    .split('/')
    .map((segment) => strictEncode(percentDecode(segment, false)))
    .join('/');
}

export function canonicalUri(path: string, service: string): string {
  if (!path) return '/';
  if (service === 's3') return s3Path(path);
  return normalizePath(path)
    .split('/')
    .map((segment) => strictEncode(segment))
    .join('/');
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function canonicalQuery(pairs: readonly DecodedPair[]): string {
  return pairs
    .map((p) => [strictEncode(p.name), strictEncode(p.value)] as const)
    .sort((a, b) => byteOrder(a[0], b[0]) || byteOrder(a[1], b[1]))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** Canonical header lines and the SignedHeaders list. */
export function canonicalHeaders(headers: CanonicalInput['headers']): { lines: string; signed: string } {
  const values = new Map<string, string[]>();
  for (const [name, value] of headers) {
    const key = name.trim().toLowerCase();
    const list = values.get(key) ?? [];
    list.push(value.trim().replace(/\s+/g, ' '));
    values.set(key, list);
  }
  const names = [...values.keys()].sort(byteOrder);
  return {
    lines: names.map((name) => `${name}:${values.get(name)!.join(',')}\n`).join(''),
    signed: names.join(';'),
  };
}

export function canonicalRequest(input: CanonicalInput, service: string): { text: string; signedHeaders: string } {
  const { lines, signed } = canonicalHeaders(input.headers);
  const text = [
    input.method.toUpperCase(),
    canonicalUri(input.path, service),
    canonicalQuery(input.query),
    lines,
    signed,
    input.payloadHash,
  ].join('\n');
  return { text, signedHeaders: signed };
}

/** `20150830T123600Z` */
export function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export function credentialScope(date: string, region: string, service: string): string {
  return `${date.slice(0, 8)}/${region}/${service}/aws4_request`;
}

export function stringToSign(date: string, scope: string, canonical: string): string {
  return [SIGV4_ALGORITHM, date, scope, sha256Hex(canonical)].join('\n');
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac('AWS4' + secret, date.slice(0, 8));
  return hmac(hmac(hmac(kDate, region), service), 'aws4_request');
}

/** The Authorization header value for a canonical input signed at `date`. */
export function authorization(input: CanonicalInput, date: string, o: SigV4Options): string {
  const { text, signedHeaders } = canonicalRequest(input, o.service);
  const scope = credentialScope(date, o.region, o.service);
  const sts = stringToSign(date, scope, text);
  const signature = createHmac('sha256', signingKey(o.secretAccessKey, date, o.region, o.service))
    .update(sts, 'utf8')
    .digest('hex');
  return `${SIGV4_ALGORITHM} Credential=${o.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

/**
 * Sign a wire request in place. The query goes out exactly as it was signed (each pair
 * `UriEncode`d, order kept), and an S3 path in S3's encoding, so a server that compares the
 * raw request line sees the signed bytes.
 */
export function signWire(wire: WireRequest, o: SigV4Options, nowMs: number): void {
  const pairs = queryPairs(wire);
  wire.rawQuery = pairs.map((p) => strictEncode(p.name) + (p.hasValue ? '=' + strictEncode(p.value) : '')).join('&');
  wire.query = [];
  if (o.service === 's3') wire.pathname = s3Path(wire.pathname) || '/';
  const date = amzDate(nowMs);
  const given = wire.headers.get('x-amz-content-sha256')?.[1];
  const payloadHash = given ?? (wire.body?.length ? sha256Hex(wire.body) : EMPTY_SHA256);
  wire.headers.set('x-amz-date', ['X-Amz-Date', date]);
  if (given === undefined) wire.headers.set('x-amz-content-sha256', ['X-Amz-Content-Sha256', payloadHash]);
  if (o.sessionToken) wire.headers.set('x-amz-security-token', ['X-Amz-Security-Token', o.sessionToken]);
  const headers: Array<[string, string]> = [['host', new URL(wire.origin).host]];
  for (const [key, [, value]] of wire.headers) {
    if (!UNSIGNED.has(key)) headers.push([key, normalizeHeaderValue(value)]);
  }
  const input: CanonicalInput = { method: wire.method, path: wire.pathname, query: pairs, headers, payloadHash };
  wire.headers.set('authorization', ['Authorization', authorization(input, date, o)]);
}

export function awsSigV4Auth(options: SigV4Options, clock: () => number = Date.now): AuthScheme {
  return {
    apply() {
      // Nothing before the request is final: the signature is made in `sign`.
    },
    sign(wire) {
      // An Authorization header the query node or msg set is theirs: no signature replaces it.
      if (wire.explicitHeaders.has('authorization')) return;
      signWire(wire, options, clock());
    },
    sensitiveHeaders: ['authorization', 'x-amz-security-token'],
    sensitiveParams: [],
  };
}
