/**
 * The token of one datasource: cached, refreshed shortly before it expires or when the API
 * rejects it, and obtained by exactly one token request however many requests wait for it.
 */
import { RestError } from '../errors';
import type { DatasourceCredentials, OAuth2Settings } from '../settings';
import type { OAuthClient } from './client';
import { GrantRevokedError } from './client';
import type { TokenSet } from './tokens';
import { needsRenewal } from './tokens';

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
  /** Several instances: token requests go through the shared store (see TokenSharing). */
  sharing?: TokenSharing;
}

/** A token set and when it was obtained. */
export interface ObtainedTokens {
  tokens: TokenSet;
  issuedAt: number;
}

/** Why a token request runs without the cluster: the store's own words, naming it. */
export interface Offline {
  message: string;
}

/**
 * Token requests of a datasource that runs on several instances: a newer set another instance
 * obtained is used as it is; otherwise `fetch` runs under the cluster's lock with the newest
 * shared set as its base, and its answer is shared. When the store cannot be reached, `fetch`
 * runs with `offline` set and must not present a refresh token.
 */
export interface TokenSharing {
  obtain(request: SharingRequest): Promise<ObtainedTokens>;
  /** Share a set obtained outside a refresh (Authorize in the editor). */
  publish(tokens: ObtainedTokens): void;
}

export interface SharingRequest {
  current: ObtainedTokens | undefined;
  /** The access token the API refused, never to be adopted again. */
  rejected?: string;
  fetch(base: TokenSet | undefined, offline?: Offline): Promise<TokenSet>;
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
    if (t && !needsRenewal(t, this.issuedAt)) return t.accessToken;
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
      await this.renew(token);
    } else if (this.pending) {
      await this.pending;
    }
  }

  /**
   * Tokens from elsewhere (the authorization callback): used at once, and shared with the other
   * instances when `share` is set.
   */
  replace(tokens: TokenSet, notify = true, issuedAt = Date.now(), share = !notify): void {
    this.tokens = tokens;
    this.issuedAt = issuedAt;
    this.failure = undefined;
    if (notify && this.o.onTokens) this.o.onTokens(tokens);
    if (share && this.o.sharing) this.o.sharing.publish({ tokens, issuedAt });
  }

  private renew(rejected?: string): Promise<TokenSet> {
    const sharing = this.o.sharing;
    // Another instance may have been authorized again: a dead grant still asks the cluster.
    if (this.failure && !sharing) return Promise.reject(this.failure);
    if (!this.pending) {
      const failure = this.failure;
      const request: Promise<ObtainedTokens> = sharing
        ? sharing.obtain({
            current: this.tokens ? { tokens: this.tokens, issuedAt: this.issuedAt } : undefined,
            rejected,
            fetch: (base, offline) => (failure ? Promise.reject(failure) : this.obtain(base, offline)),
          })
        : this.obtain(this.tokens).then((tokens) => ({ tokens, issuedAt: Date.now() }));
      this.pending = request.then(
        ({ tokens, issuedAt }) => {
          this.pending = undefined;
          // Even after close (a redeploy during a refresh): a rotated refresh token must reach
          // the vault, where the datasource that replaces this one picks it up.
          if (tokens !== this.tokens) this.replace(tokens, true, issuedAt, false);
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

  /** One token request: a refresh with `base`'s refresh token, or the grant itself. */
  private async obtain(base: TokenSet | undefined, offline?: Offline): Promise<TokenSet> {
    const { settings: s, credentials: c, client } = this.o;
    const refresh = base?.refreshToken;
    if (offline && (this.needsUser() || (refresh && !s.tokenUrl))) {
      // Presenting the refresh token without the cluster's lock is what gets a grant revoked.
      throw new RestError(
        'TOKEN_ERROR',
        `${offline.message}; the OAuth token needs a refresh, and without the store this instance does not refresh on its own (another instance may be refreshing the same grant); the request was not sent`,
      );
    }
    if (refresh && s.tokenUrl && !offline) {
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
      case 'jwt_bearer':
        // No refresh token: a new assertion is the renewal.
        return client.jwtBearer();
      case 'authorization_code':
        throw new RestError(
          'TOKEN_ERROR',
          base
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
