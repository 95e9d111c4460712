/**
 * JWT assertions (RFC 7521, RFC 7523): the client assertion that authenticates the client at
 * the token endpoint (`private_key_jwt`, `client_secret_jwt`), and the assertion that is the
 * grant itself (`jwt_bearer`, e.g. a Google service account). Each one is fresh: its own `jti`,
 * `iat` now and a short `exp`.
 */
import { randomUUID } from 'node:crypto';
import { configError } from '../errors';
import type { DatasourceCredentials, OAuth2Settings } from '../settings';
import type { SigningKey } from './jwt';
import { privateKeyFor, signJws } from './jwt';
import { parseServiceAccountKey } from './service-account';

/** Seconds an assertion is valid: long enough for one token request, short enough to be useless later. */
export const ASSERTION_LIFETIME_S = 60;

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface AssertionClaims {
  iss: string;
  sub?: string;
  aud: string;
  /** Extra claims (Google wants `scope` in the assertion). */
  extra?: Record<string, unknown>;
}

export class AssertionSigner {
  constructor(
    private readonly key: SigningKey,
    private readonly kid: string,
  ) {}

  sign(c: AssertionClaims, nowMs = Date.now()): string {
    const iat = Math.floor(nowMs / 1000);
    const claims: Record<string, unknown> = { iss: c.iss, ...(c.sub ? { sub: c.sub } : {}), aud: c.aud };
    Object.assign(claims, c.extra, { iat, exp: iat + ASSERTION_LIFETIME_S, jti: randomUUID() });
    return signJws({ typ: 'JWT', ...(this.kid ? { kid: this.kid } : {}) }, claims, this.key);
  }
}

/** The client assertion of `private_key_jwt` / `client_secret_jwt`, or undefined for other methods. */
export function clientAssertionSigner(
  s: OAuth2Settings,
  c: DatasourceCredentials,
): { signer: AssertionSigner; claims: AssertionClaims } | undefined {
  if (s.clientAuth !== 'private_key_jwt' && s.clientAuth !== 'client_secret_jwt') return undefined;
  const id = c.clientId ?? '';
  if (!id)
    throw configError('clientId', `is required for ${s.clientAuth}; it is the issuer and subject of the assertion`);
  let key: SigningKey;
  if (s.clientAuth === 'client_secret_jwt') {
    // HS256 is the one algorithm of a shared secret: whatever oauth2ClientAssertionAlg says.
    if (!c.clientSecret) throw configError('clientSecret', 'is required for client_secret_jwt (the HS256 key)');
    key = { alg: 'HS256', secret: c.clientSecret };
  } else {
    key = privateKeyFor(c.clientPrivateKey, s.clientAssertionAlg, 'clientPrivateKey');
  }
  // RFC 7523 3: the audience is the token endpoint.
  return { signer: new AssertionSigner(key, s.clientKeyId), claims: { iss: id, sub: id, aud: s.tokenUrl } };
}

/** What the jwt_bearer grant needs: its signer and claims, with a service-account key's values. */
export interface BearerGrant {
  signer: AssertionSigner;
  claims: AssertionClaims;
  tokenUrl: string;
  /** The service account's e-mail, for status and the dialog; '' without a service-account key. */
  account: string;
}

export function bearerGrant(s: OAuth2Settings, c: DatasourceCredentials): BearerGrant {
  const sa = c.serviceAccountKey ? parseServiceAccountKey(c.serviceAccountKey) : undefined;
  const tokenUrl = s.tokenUrl || sa?.tokenUri || '';
  if (!tokenUrl)
    throw configError('oauth2TokenUrl', 'is required for the jwt_bearer grant; enter the token endpoint URL');
  if (sa) {
    // Google's keys are RSA and its token endpoint takes RS256 only.
    const key = privateKeyFor(sa.privateKey, 'RS256', 'serviceAccountKey');
    const iss = s.assertionIssuer || sa.clientEmail;
    // Google's form: the scopes travel in the assertion; `sub` only to act as another user
    // (domain-wide delegation).
    const extra = s.scopes.length ? { scope: s.scopes.join(' ') } : undefined;
    return {
      signer: new AssertionSigner(key, s.clientKeyId || sa.privateKeyId),
      claims: { iss, sub: s.assertionSubject || undefined, aud: s.assertionAudience || tokenUrl, extra },
      tokenUrl,
      account: sa.clientEmail,
    };
  }
  const iss = s.assertionIssuer || c.clientId || '';
  if (!iss)
    throw configError(
      'oauth2AssertionIssuer',
      'is required for the jwt_bearer grant; enter the issuer (or a client ID, or paste a service-account key)',
    );
  const key = privateKeyFor(c.clientPrivateKey, s.clientAssertionAlg, 'clientPrivateKey');
  return {
    signer: new AssertionSigner(key, s.clientKeyId),
    claims: { iss, sub: s.assertionSubject || iss, aud: s.assertionAudience || tokenUrl },
    tokenUrl,
    account: '',
  };
}
