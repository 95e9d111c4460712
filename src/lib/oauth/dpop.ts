/**
 * DPoP (RFC 9449): an ES256 key pair per datasource, and a fresh proof JWT for every token
 * request and every API request — `htm`, `htu` (no query, no fragment), `iat`, a unique `jti`,
 * `ath` (the access token's SHA-256) on API requests, and the server's latest nonce. The
 * nonces are remembered per origin, as each server issues its own.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import type { KeyObject, JsonWebKey } from 'node:crypto';
import { configError } from '../errors';
import { signJws } from './jwt';

export interface DpopProofInput {
  method: string;
  /** The full request URL; query and fragment are dropped. */
  url: string;
  /** The access token the request carries (API requests). */
  accessToken?: string;
}

/** A key pair as the credential store and the shared store keep it: a private JWK, as JSON text. */
export function generateDpopKey(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return JSON.stringify(privateKey.export({ format: 'jwk' }));
}

export function parseDpopKey(text: string, field = 'dpopKey'): KeyObject {
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw configError(field, 'is not a JSON Web Key; clear it to have a key generated');
  }
  const j = jwk as JsonWebKey;
  if (!j || typeof j !== 'object' || j.kty !== 'EC' || j.crv !== 'P-256' || typeof j.d !== 'string') {
    throw configError(
      field,
      'must be a private EC P-256 JWK ({"kty":"EC","crv":"P-256","x","y","d"}); clear it to have one generated',
    );
  }
  try {
    return createPrivateKey({ key: j, format: 'jwk' });
  } catch {
    throw configError(field, 'is not a valid EC P-256 private key; clear it to have one generated');
  }
}

/** `htu`: scheme, host and path of the request URL (RFC 9449 4.2). */
export function htuOf(url: string): string {
  const u = new URL(url);
  return u.origin + u.pathname;
}

/** The `ath` claim / a token's hash: base64url of its SHA-256. */
export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('base64url');
}

export class DpopProver {
  private readonly publicJwk: { kty: string; crv: string; x: string; y: string };
  private readonly nonces = new Map<string, string>();
  /** RFC 7638 thumbprint of the public key: what a bound token's `cnf.jkt` holds. */
  readonly thumbprint: string;

  constructor(private readonly key: KeyObject) {
    const pub = createPublicKey(key).export({ format: 'jwk' });
    this.publicJwk = { kty: 'EC', crv: String(pub.crv), x: String(pub.x), y: String(pub.y) };
    const { crv, kty, x, y } = this.publicJwk;
    // Members in lexicographic order, no spaces (RFC 7638 3).
    this.thumbprint = createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
  }

  proof(input: DpopProofInput, nowMs = Date.now()): string {
    const origin = new URL(input.url).origin;
    const claims: Record<string, unknown> = {
      jti: randomUUID(),
      htm: input.method.toUpperCase(),
      htu: htuOf(input.url),
      iat: Math.floor(nowMs / 1000),
    };
    const nonce = this.nonces.get(origin);
    if (nonce) claims.nonce = nonce;
    if (input.accessToken !== undefined) claims.ath = accessTokenHash(input.accessToken);
    return signJws({ typ: 'dpop+jwt', jwk: this.publicJwk }, claims, { alg: 'ES256', key: this.key });
  }

  /** Remember a server's nonce (a `DPoP-Nonce` response header); answers whether it is new. */
  rememberNonce(url: string, nonce: string | string[] | undefined): boolean {
    const value = Array.isArray(nonce) ? nonce[0] : nonce;
    if (!value) return false;
    const origin = new URL(url).origin;
    if (this.nonces.get(origin) === value) return false;
    this.nonces.set(origin, value);
    return true;
  }

  nonceFor(url: string): string | undefined {
    return this.nonces.get(new URL(url).origin);
  }
}

/** Whether an API answer asks for a (new) nonce: `WWW-Authenticate: DPoP error="use_dpop_nonce"`. */
export function asksForNonce(headers: Record<string, string | string[] | undefined>): boolean {
  const raw = headers['www-authenticate'];
  const values = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return values.some((v) => /^\s*DPoP\b/i.test(v) && /error\s*=\s*"?use_dpop_nonce"?/i.test(v));
}
