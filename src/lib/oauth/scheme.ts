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
import { wireUrl } from '../types';
import { OAuthClient } from './client';
import { oauthFingerprint } from './fingerprint';
import { TokenManager } from './manager';
import type { TokenSharing } from './manager';
import type { TokenSet } from './tokens';
import { secretsOfTokens } from './tokens';
import type { TokenVault } from './vault';
import type { DpopKeyOptions } from './dpop-key';
import { dpopProverSource } from './dpop-key';
import { asksForNonce } from './dpop';

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
  /** DPoP: where a generated key is kept and shared (the `dpopKey` credential comes from the settings). */
  dpopKey?: Omit<DpopKeyOptions, 'configured'>;
}

function validate(s: DatasourceSettings): void {
  const o = s.oauth2;
  const c = s.credentials;
  const needs = (ok: unknown, field: string, what: string) => {
    if (!ok) throw configError(field, `is required for the ${o.grantType} grant; ${what}`);
  };
  if (o.grantType === 'jwt_bearer') {
    needs(
      o.tokenUrl || c.serviceAccountKey,
      'oauth2TokenUrl',
      'enter the token endpoint URL (or paste a service-account key)',
    );
  } else if (o.grantType !== 'manual') {
    needs(o.tokenUrl, 'oauth2TokenUrl', 'enter the token endpoint URL');
    needs(c.clientId, 'clientId', 'enter the client ID the provider gave you');
  }
  if (o.dpop && o.tokenPlacement === 'query')
    throw configError('oauth2TokenPlacement', 'must be header with DPoP (the token travels as Authorization: DPoP)');
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
  const dpop = o.dpop ? dpopProverSource({ ...options.dpopKey, configured: s.credentials.dpopKey }) : undefined;
  const client = new OAuthClient({ settings: o, credentials: s.credentials, http, timeout: s.timeout, dpop });
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
    sensitiveHeaders: [...(o.tokenPlacement === 'header' ? ['authorization'] : []), ...(dpop ? ['dpop'] : [])],
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
        // A DPoP-bound token goes with the DPoP scheme (RFC 9449 7.1); one the server issued as
        // plain Bearer (it does not do DPoP) keeps the configured prefix.
        const bound = dpop && (tokens.current?.tokenType ?? 'DPoP').toLowerCase() === 'dpop';
        const prefix = bound ? 'DPoP' : o.headerPrefix;
        setAuthHeader(req, headerName, prefix ? `${prefix} ${token}` : token);
      }
    },
    // The DPoP proof covers the request as it goes on the wire (method and URL of this hop, the
    // token on it), so it is made in the datasource's final signing step, fresh for every
    // exchange: retries, pages and redirect hops on the origin included.
    ...(dpop
      ? {
          async sign(wire: WireRequest) {
            const prover = await dpop();
            const auth = wire.headers.get('authorization')?.[1] ?? '';
            const m = /^DPoP\s+(\S+)$/i.exec(auth);
            wire.headers.set('dpop', [
              'DPoP',
              prover.proof({ method: wire.method, url: wireUrl(wire), accessToken: m?.[1] }),
            ]);
          },
        }
      : {}),
    async shouldRetry(req: WireRequest, res: WireResponse) {
      if (dpop) {
        // RFC 9449 9: remember the server's newest nonce; ask once more when it demands one.
        const prover = await dpop();
        const fresh = prover.rememberNonce(req.origin, res.headers['dpop-nonce']);
        if (fresh && res.statusCode === 401 && asksForNonce(res.headers)) return true;
      }
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
