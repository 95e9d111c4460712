/**
 * A digest of the settings a token belongs to. Persisted tokens are only reused while it is
 * unchanged, so a redeploy with another token URL, client, scope or pasted token starts over.
 */
import { createHash } from 'node:crypto';
import type { DatasourceSettings } from '../settings';

export function oauthFingerprint(s: DatasourceSettings): string {
  const o = s.oauth2;
  const c = s.credentials;
  const digest = (v: string | undefined) => (v ? createHash('sha256').update(v).digest('base64url') : '');
  const parts = [
    o.grantType,
    o.tokenUrl,
    o.grantType === 'authorization_code' ? o.authUrl : '',
    o.scopes.join(' '),
    o.audience,
    o.resource,
    JSON.stringify(o.tokenParams),
    c.clientId ?? '',
    o.grantType === 'password' ? (c.username ?? '') : '',
    // Pasting new tokens by hand means: use these, not what an earlier refresh left behind.
    o.grantType === 'manual' ? digest(c.accessToken) + digest(c.refreshToken) : '',
  ];
  // Added only when set, so the fingerprints of settings without them (and their stored tokens)
  // stay as they were: a DPoP-bound token is no use without DPoP, and another signing identity
  // is another client.
  if (o.dpop) parts.push('dpop');
  if (o.grantType === 'jwt_bearer') {
    parts.push(o.assertionIssuer, o.assertionSubject, o.assertionAudience, digest(c.serviceAccountKey));
  }
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 32);
}
