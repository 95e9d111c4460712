/**
 * Every token request goes through simple-oauth2, over the datasource's own agents so its TLS
 * settings (custom CA, client certificate, verify off) and proxy apply to the token endpoint.
 */
import { AuthorizationCode, ClientCredentials, ResourceOwnerPassword } from 'simple-oauth2';
import type { AccessToken, ModuleOptions, WreckHttpOptions } from 'simple-oauth2';
import type { HttpClient } from '../http/client';
import { configError, fromNetworkError, RestError } from '../errors';
import type { OAuth2Settings, DatasourceCredentials } from '../settings';
import type { TokenSet } from './tokens';
import { tokenSetFrom } from './tokens';
import { TRANSPORT_HEADERS } from '../http/headers';

/** A token answer bigger than this is not a token answer. */
const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

/** Raised when the grant itself is dead (invalid_grant): only a new authorization helps. */
export class GrantRevokedError extends RestError {
  constructor(message: string) {
    super('TOKEN_ERROR', message);
  }
}

export interface OAuthClientOptions {
  settings: OAuth2Settings;
  credentials: DatasourceCredentials;
  http: HttpClient;
  /** ms per token request */
  timeout: number;
}

function splitUrl(field: string, text: string): { host: string; path: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw configError(field, `must be an absolute http(s) URL, got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw configError(field, `must be an http or https URL, got ${url.protocol}`);
  }
  return { host: url.origin, path: url.pathname + url.search };
}

export class OAuthClient {
  private readonly httpOptions: WreckHttpOptions;
  private readonly tokenUrl: string;
  private readonly machine: ClientCredentials;
  private readonly owner: ResourceOwnerPassword;
  /** Only with an authorization URL: simple-oauth2 refuses authorize options on other grants. */
  private readonly code: AuthorizationCode | undefined;

  constructor(private readonly o: OAuthClientOptions) {
    const s = o.settings;
    if (!s.tokenUrl) throw configError('oauth2TokenUrl', 'is required for OAuth 2.0; enter the token endpoint URL');
    const token = splitUrl('oauth2TokenUrl', s.tokenUrl);
    this.tokenUrl = token.host + token.path.split('?')[0];
    // simple-oauth2 and Wreck deep-clone their options (Joi, Hoek.applyToDefaults), which would
    // copy the agents and lose their sockets and TLS context. Hoek returns an object whose
    // prototype says `isImmutable` as it is, so the datasource's own agents arrive untouched.
    const agents = Object.assign(Object.create({ isImmutable: true }) as object, {
      http: o.http.httpAgent,
      https: o.http.httpsAgent,
      httpsAllowUnauthorized: o.http.httpsAgent,
    });
    const config: ModuleOptions = {
      client: { id: o.credentials.clientId ?? '', secret: o.credentials.clientSecret ?? '' },
      auth: { tokenHost: token.host, tokenPath: token.path },
      options: { authorizationMethod: s.clientAuth },
      http: { agents } as unknown as ModuleOptions['http'],
    };
    try {
      this.machine = new ClientCredentials(config);
      this.owner = new ResourceOwnerPassword(config);
      if (s.authUrl) {
        const a = splitUrl('oauth2AuthUrl', s.authUrl);
        this.code = new AuthorizationCode({
          ...config,
          auth: { ...config.auth, authorizeHost: a.host, authorizePath: a.path },
        });
      }
    } catch (err) {
      if (err instanceof RestError) throw err;
      // Joi's words name the option, e.g. "client.id" must only contain printable characters
      throw configError('oauth2', `the OAuth settings are not valid: ${(err as Error).message}`);
    }
    const headers: Record<string, string> = {};
    for (const { name, value } of s.tokenHeaders) if (!TRANSPORT_HEADERS.has(name.toLowerCase())) headers[name] = value;
    this.httpOptions = { headers, timeout: o.timeout, maxBytes: MAX_TOKEN_RESPONSE_BYTES };
  }

  /** audience, resource and extra params, sent with every token request. */
  private extraParams(): Record<string, string> {
    const s = this.o.settings;
    const out: Record<string, string> = {};
    if (s.audience) out.audience = s.audience;
    if (s.resource) out.resource = s.resource;
    for (const { name, value } of s.tokenParams) out[name] = value;
    return out;
  }

  private scope(): { scope?: string } {
    const scopes = this.o.settings.scopes;
    return scopes.length ? { scope: scopes.join(' ') } : {};
  }

  async clientCredentials(): Promise<TokenSet> {
    const c = this.machine;
    return this.run(() => c.getToken({ ...this.scope(), ...this.extraParams() }, this.httpOptions));
  }

  async password(username: string, password: string): Promise<TokenSet> {
    const c = this.owner;
    return this.run(() => c.getToken({ username, password, ...this.scope(), ...this.extraParams() }, this.httpOptions));
  }

  async authorizationCode(code: string, redirectUri: string, verifier?: string): Promise<TokenSet> {
    const c = this.authorizer();
    const params = {
      code,
      redirect_uri: redirectUri,
      ...(verifier ? { code_verifier: verifier } : {}),
      ...this.extraParams(),
    };
    return this.run(() => c.getToken(params, this.httpOptions));
  }

  /** Refresh; the old refresh token is kept when the answer carries none (simple-oauth2 5.1.0 drops it). */
  async refresh(refreshToken: string): Promise<TokenSet> {
    const old = this.machine.createToken({ access_token: '', refresh_token: refreshToken });
    return this.run(() => old.refresh(this.extraParams(), this.httpOptions), refreshToken);
  }

  /** The URL the user's browser goes to for consent. */
  authorizeUrl(redirectUri: string, state: string, challenge?: string): string {
    const s = this.o.settings;
    const c = this.authorizer();
    const params: Record<string, string> = { redirect_uri: redirectUri, state };
    if (s.scopes.length) params.scope = s.scopes.join(' ');
    if (s.audience) params.audience = s.audience;
    if (s.resource) params.resource = s.resource;
    if (challenge) {
      params.code_challenge = challenge;
      params.code_challenge_method = 'S256';
    }
    for (const { name, value } of s.authParams) params[name] = value;
    return c.authorizeURL(params);
  }

  private authorizer(): AuthorizationCode {
    if (!this.code) throw configError('oauth2AuthUrl', 'is required for the authorization code grant');
    return this.code;
  }

  private async run(request: () => Promise<AccessToken>, previousRefresh?: string): Promise<TokenSet> {
    let answer: AccessToken;
    try {
      answer = await request();
    } catch (err) {
      throw this.translate(err);
    }
    const set = tokenSetFrom(answer.token, this.o.settings.expiresIn, previousRefresh);
    if (!set)
      throw new RestError('TOKEN_ERROR', `the token endpoint ${this.tokenUrl} answered without an access_token`);
    return set;
  }

  private translate(err: unknown): RestError {
    const e = err as { isBoom?: boolean; output?: { statusCode?: number }; data?: unknown; message?: string };
    const status = e.output?.statusCode;
    const data = e.data as { payload?: unknown; isResponseError?: boolean } | Error | undefined;
    // An HTTP answer from the token endpoint: Wreck puts the parsed body in data.payload.
    if (data && !(data instanceof Error) && data.isResponseError) {
      const body = parsePayload(data.payload);
      const code = typeof body.error === 'string' ? body.error : '';
      const description = typeof body.error_description === 'string' ? body.error_description : '';
      const what = code ? `${code}${description ? ': ' + description : ''}` : `HTTP ${status ?? '?'}`;
      const message = `the token endpoint ${this.tokenUrl} refused the request (${what})`;
      if (code === 'invalid_grant') return new GrantRevokedError(message);
      return new RestError('TOKEN_ERROR', message, { statusCode: status });
    }
    const res = (data as { res?: { statusCode?: number } } | undefined)?.res;
    if (res && typeof res.statusCode === 'number') {
      return new RestError(
        'TOKEN_ERROR',
        `the token endpoint ${this.tokenUrl} answered HTTP ${res.statusCode} without a JSON token response`,
        { statusCode: res.statusCode },
      );
    }
    const cause = data instanceof Error ? data : err;
    const net = fromNetworkError(cause, this.tokenUrl);
    return new RestError('TOKEN_ERROR', `token request failed: ${net.message}`);
  }
}

function parsePayload(payload: unknown): Record<string, unknown> {
  if (payload && typeof payload === 'object' && !Buffer.isBuffer(payload)) return payload as Record<string, unknown>;
  const text = Buffer.isBuffer(payload) ? payload.toString('utf8') : typeof payload === 'string' ? payload : '';
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return {};
}
