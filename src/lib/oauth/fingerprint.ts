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
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 32);
}
