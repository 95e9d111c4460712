/**
 * Signed requests: every exchange on the datasource origin carries a header (default
 * `X-Signature`) holding a fresh HS256 JWT, so the API can check that the call comes from
 * this Node-RED and, with request binding on, that the token was made for this very request.
 * HS256 is HMAC-SHA-256 from node:crypto; no JWT library is needed to produce it.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { configError } from '../errors';
import { checkHeaderName } from '../http/headers';
import type { WireRequest } from '../types';
import { wireUrl } from '../types';

/** Seconds a signature stays valid after it is made. */
export const SIGNATURE_LIFETIME_S = 600;
export const MIN_SIGNATURE_KEY_LENGTH = 32;

export interface SignatureOptions {
  header: string;
  issuer: string;
  /** The shared secret, used as its UTF-8 bytes. */
  key: string;
  /** Add the `method` and `url_sha256` claims that tie the token to one request. */
  bindRequest: boolean;
}

export interface SignatureClaims {
  iss: string;
  iat: number;
  exp: number;
  jti: string;
  method?: string;
  url_sha256?: string;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** The `url_sha256` claim: base64url (no padding) of the SHA-256 of the full request URL. */
export function urlHash(url: string): string {
  return createHash('sha256').update(url, 'utf8').digest('base64url');
}

export function signatureClaims(
  options: SignatureOptions,
  method: string,
  url: string,
  nowMs: number = Date.now(),
): SignatureClaims {
  const iat = Math.floor(nowMs / 1000);
  const claims: SignatureClaims = { iss: options.issuer, iat, exp: iat + SIGNATURE_LIFETIME_S, jti: randomUUID() };
  if (options.bindRequest) {
    claims.method = method.toUpperCase();
    claims.url_sha256 = urlHash(url);
  }
  return claims;
}

/** A compact JWS (header.payload.signature) with alg HS256. */
export function signJwt(claims: object, key: string): string {
  const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = base64url(JSON.stringify(claims));
  const mac = createHmac('sha256', Buffer.from(key, 'utf8')).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${mac}`;
}

export class RequestSigner {
  private readonly headerKey: string;

  constructor(private readonly options: SignatureOptions) {
    checkHeaderName(options.header, 'signatureHeader');
    if (options.key.length < MIN_SIGNATURE_KEY_LENGTH) {
      throw configError(
        'signatureKey',
        `must be at least ${MIN_SIGNATURE_KEY_LENGTH} characters when signed requests are enabled`,
      );
    }
    this.headerKey = options.header.toLowerCase();
  }

  /** Lower-case name of the header this signer fills (a secret-bearing header). */
  get headerName(): string {
    return this.headerKey;
  }

  /** Set the signature header on a request exactly as it will go on the wire. */
  sign(req: WireRequest, nowMs?: number): void {
    const claims = signatureClaims(this.options, req.method, wireUrl(req), nowMs);
    req.headers.set(this.headerKey, [this.options.header, signJwt(claims, this.options.key)]);
  }
}
