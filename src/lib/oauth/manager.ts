/**
 * The token of one datasource: cached, refreshed shortly before it expires or when the API
 * rejects it, and obtained by exactly one token request however many requests wait for it.
 */
import { RestError } from '../errors';
import type { DatasourceCredentials, OAuth2Settings } from '../settings';
import type { OAuthClient } from './client';
import { GrantRevokedError } from './client';
import type { TokenSet } from './tokens';

/** Refresh this long before the expiry (capped at a tenth of a short token's lifetime). */
const REFRESH_MARGIN_MS = 60 * 1000;

export const REAUTHORIZE_HINT =
  'open the datasource in the editor, Authentication tab, and click Authorize to sign in again';

export interface TokenManagerOptions {
  settings: OAuth2Settings;
  credentials: DatasourceCredentials;
  client: OAuthClient;
  /** Tokens restored from the vault, or pasted by hand (manual grant). */
  initial?: TokenSet;
  /** Called with every new token set (persist it, teach the redactor). */
  onTokens?: (tokens: TokenSet) => void;
}

export class TokenManager {
  private tokens: TokenSet | undefined;
  private pending: Promise<TokenSet> | undefined;
  /** Set when the grant is dead: every request fails fast until new tokens arrive. */
  private failure: RestError | undefined;
  private issuedAt = 0;

  constructor(private readonly o: TokenManagerOptions) {
    this.tokens = o.initial;
    this.issuedAt = Date.now();
  }

  /** The current token set, never a copy a caller could change. */
  get current(): Readonly<TokenSet> | undefined {
    return this.tokens;
  }

  /** A valid access token: cached, or obtained by the one shared token request. */
  async accessToken(): Promise<string> {
    const t = this.tokens;
    if (t && t.accessToken && !this.expiresSoon(t)) return t.accessToken;
    return (await this.renew()).accessToken;
  }

  /**
   * The API rejected `token`. When it is still the current one, get a new one (shared by every
   * request that saw the same rejection); when it was replaced meanwhile, just use the new one.
   */
  async rejected(token: string): Promise<void> {
    const t = this.tokens;
    if (t && t.accessToken === token) {
      this.tokens = { ...t, accessToken: '' };
      await this.renew();
    } else if (this.pending) {
      await this.pending;
    }
  }

  /** Tokens from elsewhere (the authorization callback): used at once. */
  replace(tokens: TokenSet, notify = true): void {
    this.tokens = tokens;
    this.issuedAt = Date.now();
    this.failure = undefined;
    if (notify && this.o.onTokens) this.o.onTokens(tokens);
  }

  private expiresSoon(t: TokenSet): boolean {
    if (t.expiresAt === undefined) return false;
    const lifetime = Math.max(0, t.expiresAt - this.issuedAt);
    const margin = Math.min(REFRESH_MARGIN_MS, lifetime / 10);
    return Date.now() >= t.expiresAt - margin;
  }

  private renew(): Promise<TokenSet> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.pending) {
      this.pending = this.obtain().then(
        (tokens) => {
          this.pending = undefined;
          // Even after close (a redeploy during a refresh): a rotated refresh token must reach
          // the vault, where the datasource that replaces this one picks it up.
          this.replace(tokens);
          return tokens;
        },
        (err: unknown) => {
          this.pending = undefined;
          if (err instanceof GrantRevokedError && this.needsUser()) {
            this.failure = new RestError(
              'TOKEN_ERROR',
              `the OAuth 2.0 authorization is no longer valid (${err.message}); ${REAUTHORIZE_HINT}`,
            );
            throw this.failure;
          }
          throw err;
        },
      );
    }
    return this.pending;
  }

  /** Grants that cannot start over without a person (consent in a browser, pasted tokens). */
  private needsUser(): boolean {
    return this.o.settings.grantType === 'authorization_code' || this.o.settings.grantType === 'manual';
  }

  private async obtain(): Promise<TokenSet> {
    const { settings: s, credentials: c, client } = this.o;
    const refresh = this.tokens?.refreshToken;
    if (refresh && s.tokenUrl) {
      try {
        return await client.refresh(refresh);
      } catch (err) {
        // Machine grants simply start over when their refresh token is refused.
        if (!(err instanceof GrantRevokedError) || this.needsUser()) throw err;
      }
    }
    switch (s.grantType) {
      case 'client_credentials':
        return client.clientCredentials();
      case 'password':
        return client.password(c.username ?? '', c.password ?? '');
      case 'authorization_code':
        throw new RestError(
          'TOKEN_ERROR',
          this.tokens
            ? `the access token expired or was rejected and the provider gave no refresh token; ${REAUTHORIZE_HINT}`
            : `the datasource is not authorized yet; ${REAUTHORIZE_HINT}`,
        );
      default:
        throw new RestError(
          'TOKEN_ERROR',
          s.tokenUrl
            ? 'the pasted access token was rejected and there is no refresh token; paste new tokens in the datasource'
            : 'the pasted access token was rejected or expired; paste a new one, or set a token URL and refresh token so it can be refreshed',
        );
    }
  }
}
