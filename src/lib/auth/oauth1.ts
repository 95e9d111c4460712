/**
 * OAuth 1.0a request signing (RFC 5849; authType `oauth1`), written on node:crypto. The
 * signature base string is built from the request exactly as it goes on the wire (§3.4.1): the
 * method, the base string URI (scheme and host lower-case, the port only when it is not the
 * scheme's default, the path as sent), and every parameter — the query's, the `oauth_*` ones
 * and, for an `application/x-www-form-urlencoded` body, the body's — each encoded per §3.6 and
 * sorted by name, then value. A fresh nonce and timestamp go into every request, retries too.
 * A two-legged client leaves the token empty: `oauth_token` is then not sent.
 */
import { createHmac, createPrivateKey, createSign, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { configError } from '../errors';
import type { WireRequest } from '../types';
import { parsePairs, queryPairs, strictEncode } from './percent';
import type { AuthScheme } from './scheme';

export type OAuth1SignatureMethod =
  'HMAC-SHA1' | 'HMAC-SHA256' | 'HMAC-SHA512' | 'RSA-SHA1' | 'RSA-SHA256' | 'PLAINTEXT';
export const OAUTH1_SIGNATURE_METHODS: readonly OAuth1SignatureMethod[] = [
  'HMAC-SHA1',
  'HMAC-SHA256',
  'HMAC-SHA512',
  'RSA-SHA1',
  'RSA-SHA256',
  'PLAINTEXT',
];

export interface OAuth1Settings {
  signatureMethod: OAuth1SignatureMethod;
  /** The Authorization header's `realm` (NetSuite: the account id); empty = none. */
  realm: string;
}

export interface OAuth1Credentials {
  oauth1ConsumerKey?: string;
  oauth1ConsumerSecret?: string;
  oauth1Token?: string;
  oauth1TokenSecret?: string;
  oauth1PrivateKey?: string;
}

export const isRsaMethod = (m: OAuth1SignatureMethod): boolean => m.startsWith('RSA-');

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** §3.4.1.2: scheme and host lower-case, the default port left out, the path as on the wire. */
export function baseStringUri(origin: string, pathname: string): string {
  const u = new URL(origin);
  const port = u.port && u.port !== DEFAULT_PORTS[u.protocol] ? ':' + u.port : '';
  return `${u.protocol.toLowerCase()}//${u.hostname.toLowerCase()}${port}${pathname || '/'}`;
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** §3.4.1.3.2: encode each name and value, sort by name then value, join. */
export function normalizedParameters(params: ReadonlyArray<readonly [string, string]>): string {
  return params
    .map(([n, v]) => [strictEncode(n), strictEncode(v)] as const)
    .sort((a, b) => byteOrder(a[0], b[0]) || byteOrder(a[1], b[1]))
    .map(([n, v]) => `${n}=${v}`)
    .join('&');
}

/** §3.4.1.1 */
export function signatureBaseString(
  method: string,
  uri: string,
  params: ReadonlyArray<readonly [string, string]>,
): string {
  return [method.toUpperCase(), strictEncode(uri), strictEncode(normalizedParameters(params))].join('&');
}

/** The HMAC and PLAINTEXT key: both secrets encoded and joined with `&` (§3.4.2, §3.4.4). */
export function signingSecret(consumerSecret: string, tokenSecret: string): string {
  return `${strictEncode(consumerSecret)}&${strictEncode(tokenSecret)}`;
}

export function sign(
  method: OAuth1SignatureMethod,
  base: string,
  consumerSecret: string,
  tokenSecret: string,
  key?: KeyObject,
): string {
  switch (method) {
    case 'PLAINTEXT':
      return signingSecret(consumerSecret, tokenSecret);
    case 'RSA-SHA1':
    case 'RSA-SHA256': {
      if (!key) throw configError('oauth1PrivateKey', `is required for ${method}`);
      return createSign(method === 'RSA-SHA1' ? 'RSA-SHA1' : 'RSA-SHA256')
        .update(base, 'utf8')
        .sign(key, 'base64');
    }
    default: {
      const hash = method === 'HMAC-SHA1' ? 'sha1' : method === 'HMAC-SHA256' ? 'sha256' : 'sha512';
      return createHmac(hash, signingSecret(consumerSecret, tokenSecret)).update(base, 'utf8').digest('base64');
    }
  }
}

/** §3.5.1: `OAuth realm="…", oauth_…="…"`, every value encoded per §3.6. */
export function authorizationHeader(oauthParams: ReadonlyArray<readonly [string, string]>, realm: string): string {
  const parts = oauthParams.map(([n, v]) => `${strictEncode(n)}="${strictEncode(v)}"`);
  if (realm) parts.unshift(`realm="${strictEncode(realm)}"`);
  return 'OAuth ' + parts.join(', ');
}

/** Parameters of a single-part form body (§3.4.1.3.1): only with that content type. */
function formBodyParams(wire: WireRequest): Array<[string, string]> {
  const type = wire.headers.get('content-type')?.[1] ?? '';
  if (!wire.body?.length || !/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type.trim())) return [];
  return parsePairs(wire.body.toString('utf8')).map((p) => [p.name, p.value]);
}

/** A nonce of 24 hex digits (96 random bits): unique per request, and within the 20-30 characters oauthlib accepts. */
export function newNonce(): string {
  return randomBytes(12).toString('hex');
}

/** Parse the RSA private key once, at deploy; a clear error names the field otherwise. */
export function parseOAuth1Key(pem: string | undefined): KeyObject {
  if (!pem || !pem.trim())
    throw configError('oauth1PrivateKey', 'is required for the RSA signature methods: paste the PEM private key');
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    // The parser's message may quote the text: say what is wrong without it.
    throw configError(
      'oauth1PrivateKey',
      'is not a PEM private key (expected "-----BEGIN PRIVATE KEY-----" or "-----BEGIN RSA PRIVATE KEY-----", unencrypted)',
    );
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw configError(
      'oauth1PrivateKey',
      `must be an RSA key for ${'RSA-SHA1/RSA-SHA256'}, got ${String(key.asymmetricKeyType)}`,
    );
  }
  return key;
}

export function oauth1Auth(
  settings: OAuth1Settings,
  c: OAuth1Credentials,
  clock: () => number = Date.now,
  nonce: () => string = newNonce,
): AuthScheme {
  const method = settings.signatureMethod;
  const key = isRsaMethod(method) ? parseOAuth1Key(c.oauth1PrivateKey) : undefined;
  const consumerKey = c.oauth1ConsumerKey ?? '';
  const consumerSecret = c.oauth1ConsumerSecret ?? '';
  const token = c.oauth1Token ?? '';
  const tokenSecret = c.oauth1TokenSecret ?? '';
  return {
    apply() {
      // Nothing before the request is final: the signature is made in `sign`.
    },
    sign(wire) {
      if (wire.explicitHeaders.has('authorization')) return;
      const oauth: Array<[string, string]> = [
        ['oauth_consumer_key', consumerKey],
        ['oauth_nonce', nonce()],
        ['oauth_signature_method', method],
        ['oauth_timestamp', String(Math.floor(clock() / 1000))],
      ];
      if (token) oauth.push(['oauth_token', token]);
      oauth.push(['oauth_version', '1.0']);
      const params: Array<[string, string]> = [
        ...queryPairs(wire).map((p): [string, string] => [p.name, p.value]),
        ...formBodyParams(wire),
        ...oauth,
      ];
      const base = signatureBaseString(wire.method, baseStringUri(wire.origin, wire.pathname), params);
      oauth.push(['oauth_signature', sign(method, base, consumerSecret, tokenSecret, key)]);
      wire.headers.set('authorization', ['Authorization', authorizationHeader(oauth, settings.realm)]);
    },
    sensitiveHeaders: ['authorization'],
    sensitiveParams: [],
  };
}
