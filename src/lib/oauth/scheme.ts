/**
 * OAuth 2.0 as an AuthScheme: puts the current token in a header (with its prefix) or a query
 * parameter, and refreshes it once when the API answers one of `oauth2ExpiredStatus`.
 */
import type { AuthScheme } from '../auth/scheme';
import { setAuthHeader, setAuthParam } from '../auth/scheme';
import type { HttpClient } from '../http/client';
import { configError } from '../errors';
import type { DatasourceSettings } from '../settings';
import type { WireRequest, WireResponse } from '../types';
import { OAuthClient } from './client';
import { oauthFingerprint } from './fingerprint';
import { TokenManager } from './manager';
import type { TokenSharing } from './manager';
import type { TokenSet } from './tokens';
import { secretsOfTokens } from './tokens';
import type { TokenVault } from './vault';

export interface OAuthScheme extends AuthScheme {
  readonly tokens: TokenManager;
  readonly client: OAuthClient;
  readonly fingerprint: string;
  /** Be told about every token set, the current one first (the datasource's redactor). */
  onSecrets(listener: (secrets: string[]) => void): void;
}

export function isOAuthScheme(auth: AuthScheme | undefined): auth is OAuthScheme {
  return !!auth && (auth as Partial<OAuthScheme>).tokens instanceof TokenManager;
}

export interface OAuthSchemeOptions {
  /** Where runtime tokens are kept across restarts; none: memory only. */
  vault?: TokenVault;
  /** The datasource's node id, the vault key. */
  nodeId?: string;
  /** Several instances: token sharing for these settings (their fingerprint), closed with the scheme. */
  sharing?: (fingerprint: string) => TokenSharing & { close(): void };
}

function validate(s: DatasourceSettings): void {
  const o = s.oauth2;
  const c = s.credentials;
  const needs = (ok: unknown, field: string, what: string) => {
    if (!ok) throw configError(field, `is required for the ${o.grantType} grant; ${what}`);
  };
  if (o.grantType !== 'manual') {
    needs(o.tokenUrl, 'oauth2TokenUrl', 'enter the token endpoint URL');
    needs(c.clientId, 'clientId', 'enter the client ID the provider gave you');
  }
  if (o.grantType === 'authorization_code') needs(o.authUrl, 'oauth2AuthUrl', 'enter the authorization endpoint URL');
  if (o.grantType === 'password') needs(c.username, 'username', "enter the resource owner's user name");
  if (o.grantType === 'manual' && !c.accessToken && !(c.refreshToken && o.tokenUrl)) {
    throw configError(
      'accessToken',
      'is required for manual tokens; paste an access token (or a refresh token and a token URL)',
    );
  }
  if (o.tokenPlacement === 'query' && !o.queryParam)
    throw configError('oauth2QueryParam', 'must name the query parameter');
}

/** Build the scheme of a datasource; `http` is its client, whose agents carry the token requests. */
export function createOAuthScheme(
  s: DatasourceSettings,
  http: HttpClient,
  options: OAuthSchemeOptions = {},
): OAuthScheme {
  validate(s);
  const o = s.oauth2;
  const fingerprint = oauthFingerprint(s);
  const client = new OAuthClient({ settings: o, credentials: s.credentials, http, timeout: s.timeout });
  const { vault, nodeId } = options;
  const sharing = options.sharing ? options.sharing(fingerprint) : undefined;
  const pasted: TokenSet | undefined =
    o.grantType === 'manual'
      ? { accessToken: s.credentials.accessToken ?? '', refreshToken: s.credentials.refreshToken }
      : undefined;
  const restored = vault && nodeId ? vault.load(nodeId, fingerprint) : undefined;
  const listeners: Array<(secrets: string[]) => void> = [];
  const tokens = new TokenManager({
    settings: o,
    credentials: s.credentials,
    client,
    initial: restored ?? pasted,
    sharing,
    onTokens: (t) => {
      for (const l of listeners) l(secretsOfTokens(t));
      if (vault && nodeId) vault.save(nodeId, fingerprint, t);
    },
  });
  // The authorization callback stores tokens in the vault: a running datasource with the same
  // settings takes them at once.
  const unsubscribe =
    vault && nodeId
      ? vault.subscribe((id, fp, t) => {
          if (id !== nodeId || fp !== fingerprint || tokens.current === t) return;
          tokens.replace(t, false);
          for (const l of listeners) l(secretsOfTokens(t));
        })
      : undefined;
  const applied = new WeakMap<WireRequest, string>();
  const headerName = 'Authorization';

  return {
    tokens,
    client,
    fingerprint,
    sensitiveHeaders: o.tokenPlacement === 'header' ? ['authorization'] : [],
    sensitiveParams: o.tokenPlacement === 'query' ? [o.queryParam] : [],
    onSecrets(listener) {
      listeners.push(listener);
      listener(secretsOfTokens(tokens.current));
    },
    async apply(req: WireRequest) {
      const token = await tokens.accessToken();
      applied.set(req, token);
      if (o.tokenPlacement === 'query') {
        setAuthParam(req, o.queryParam, token);
        // A URL with a token in it must not be kept by caches on the way.
        if (!req.explicitHeaders.has('cache-control')) req.headers.set('cache-control', ['Cache-Control', 'no-store']);
      } else {
        setAuthHeader(req, headerName, o.headerPrefix ? `${o.headerPrefix} ${token}` : token);
      }
    },
    async shouldRetry(req: WireRequest, res: WireResponse) {
      if (!o.expiredStatus.includes(res.statusCode)) return false;
      const used = applied.get(req);
      if (used === undefined) return false;
      await tokens.rejected(used);
      return true;
    },
    currentToken: () => tokens.accessToken(),
    close() {
      if (unsubscribe) unsubscribe();
      if (sharing) sharing.close();
    },
  };
}
