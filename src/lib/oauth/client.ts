/**
 * Every token request goes through simple-oauth2, over the datasource's own agents so its TLS
 * settings (custom CA, client certificate, verify off) and proxy apply to the token endpoint.
 * That includes the JWT client assertions, the jwt_bearer grant and DPoP proofs: simple-oauth2
 * takes them as extra body parameters and request headers (see `clientConfig`), so the one
 * token path (agents, timeouts, size cap, error translation) serves every grant.
 */
import { AuthorizationCode, ClientCredentials, ResourceOwnerPassword } from 'simple-oauth2';
import type { AccessToken, ModuleOptions, WreckHttpOptions } from 'simple-oauth2';
import type { HttpClient } from '../http/client';
import { configError, fromNetworkError, RestError } from '../errors';
import type { OAuth2Settings, DatasourceCredentials } from '../settings';
import type { TokenSet } from './tokens';
import { tokenSetFrom } from './tokens';
import { TRANSPORT_HEADERS } from '../http/headers';
import type { BearerGrant } from './assertion';
import { bearerGrant, CLIENT_ASSERTION_TYPE, clientAssertionSigner, JWT_BEARER_GRANT } from './assertion';
import type { DpopProver } from './dpop';

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
  /** DPoP: a proof on every token request, by this datasource's prover. */
  dpop?: () => Promise<DpopProver>;
}

/**
 * simple-oauth2's client options for the client authentication method. It knows Basic and
 * body credentials only, and always writes `client.id` and `client.secret` into the body under
 * `idParamName` and `secretParamName` in body mode. The other methods are expressed in those
 * terms, with values fixed per deploy (the fresh assertion itself is an extra parameter):
 * - JWT assertions: `client_id` and `client_assertion_type` (RFC 7523 2.2 lets client_id stay).
 * - tls_client_auth: only `client_id` (both names point at it); the certificate is on the agent.
 * - the jwt_bearer grant without a client secret: no client authentication at all (Google,
 *   DocuSign); both names point at `grant_type`, which carries the grant's URN anyway.
 */
function clientConfig(s: OAuth2Settings, c: DatasourceCredentials): Pick<ModuleOptions<string>, 'client' | 'options'> {
  const id = c.clientId ?? '';
  switch (s.clientAuth) {
    case 'private_key_jwt':
    case 'client_secret_jwt':
      return {
        client: { id, secret: CLIENT_ASSERTION_TYPE, secretParamName: 'client_assertion_type' },
        options: { authorizationMethod: 'body' },
      };
    case 'tls_client_auth':
      return { client: { id, secret: id, secretParamName: 'client_id' }, options: { authorizationMethod: 'body' } };
    default:
      if (s.grantType === 'jwt_bearer' && !c.clientSecret) {
        return {
          client: {
            id: JWT_BEARER_GRANT,
            idParamName: 'grant_type',
            secret: JWT_BEARER_GRANT,
            secretParamName: 'grant_type',
          },
          options: { authorizationMethod: 'body' },
        };
      }
      return { client: { id, secret: c.clientSecret ?? '' }, options: { authorizationMethod: s.clientAuth } };
  }
}

/** How one token request is sent: simple-oauth2's call with the per-request parameters and options. */
type TokenCall = (params: Record<string, string>, http: WreckHttpOptions) => Promise<AccessToken>;

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
  private readonly assertion: ReturnType<typeof clientAssertionSigner>;
  /** The jwt_bearer grant's signer and claims (with a service-account key's values). */
  readonly bearer: BearerGrant | undefined;

  constructor(private readonly o: OAuthClientOptions) {
    const s = o.settings;
    this.bearer = s.grantType === 'jwt_bearer' ? bearerGrant(s, o.credentials) : undefined;
    const tokenUrlText = this.bearer ? this.bearer.tokenUrl : s.tokenUrl;
    if (!tokenUrlText) throw configError('oauth2TokenUrl', 'is required for OAuth 2.0; enter the token endpoint URL');
    const token = splitUrl(this.bearer && !s.tokenUrl ? 'serviceAccountKey' : 'oauth2TokenUrl', tokenUrlText);
    this.tokenUrl = token.host + token.path.split('?')[0];
    this.assertion = clientAssertionSigner(s, o.credentials);
    if (s.clientAuth === 'tls_client_auth' && !o.credentials.clientId) {
      throw configError('clientId', 'is required for tls_client_auth; it is sent with the client certificate');
    }
    // simple-oauth2 and Wreck deep-clone their options (Joi, Hoek.applyToDefaults), which would
    // copy the agents and lose their sockets and TLS context. Hoek returns an object whose
    // prototype says `isImmutable` as it is, so the datasource's own agents arrive untouched.
    const agents = Object.assign(Object.create({ isImmutable: true }) as object, {
      http: o.http.httpAgent,
      https: o.http.httpsAgent,
      httpsAllowUnauthorized: o.http.httpsAgent,
    });
    const config: ModuleOptions<string> = {
      ...clientConfig(s, o.credentials),
      auth: { tokenHost: token.host, tokenPath: token.path },
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
    return this.run((auth, http) => c.getToken({ ...this.scope(), ...this.extraParams(), ...auth }, http));
  }

  async password(username: string, password: string): Promise<TokenSet> {
    const c = this.owner;
    return this.run((auth, http) =>
      c.getToken({ username, password, ...this.scope(), ...this.extraParams(), ...auth }, http),
    );
  }

  /**
   * RFC 7523 2.1: a fresh signed assertion is the grant. simple-oauth2's client-credentials call
   * carries it: its parameters are merged over `grant_type`, so the grant's URN replaces it.
   */
  async jwtBearer(): Promise<TokenSet> {
    const b = this.bearer;
    if (!b) throw configError('oauth2GrantType', 'jwt_bearer needs its assertion settings');
    const c = this.machine;
    // A service-account key carries the scopes inside the assertion (Google's form).
    const scope = b.account ? {} : this.scope();
    return this.run((auth, http) =>
      c.getToken(
        { ...scope, ...this.extraParams(), ...auth, grant_type: JWT_BEARER_GRANT, assertion: b.signer.sign(b.claims) },
        http,
      ),
    );
  }

  async authorizationCode(code: string, redirectUri: string, verifier?: string): Promise<TokenSet> {
    const c = this.authorizer();
    const params = {
      code,
      redirect_uri: redirectUri,
      ...(verifier ? { code_verifier: verifier } : {}),
      ...this.extraParams(),
    };
    return this.run((auth, http) => c.getToken({ ...params, ...auth }, http));
  }

  /** Refresh; the old refresh token is kept when the answer carries none (simple-oauth2 5.1.0 drops it). */
  async refresh(refreshToken: string): Promise<TokenSet> {
    const old = this.machine.createToken({ access_token: '', refresh_token: refreshToken });
    return this.run((auth, http) => old.refresh({ ...this.extraParams(), ...auth }, http), refreshToken);
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

  /**
   * One token request. Each attempt gets a fresh client assertion and DPoP proof; a DPoP server
   * that answers `use_dpop_nonce` with a `DPoP-Nonce` header is asked once more with that nonce.
   */
  private async run(request: TokenCall, previousRefresh?: string): Promise<TokenSet> {
    let answer: AccessToken;
    const dpop = this.o.dpop ? await this.o.dpop() : undefined;
    for (let attempt = 1; ; attempt++) {
      const auth: Record<string, string> = {};
      if (this.assertion) {
        auth.client_assertion = this.assertion.signer.sign({ ...this.assertion.claims, aud: this.tokenUrl });
      }
      let http = this.httpOptions;
      if (dpop) {
        const proof = dpop.proof({ method: 'POST', url: this.tokenUrl });
        http = { ...http, headers: { ...http.headers, DPoP: proof } };
      }
      try {
        answer = await request(auth, http);
        break;
      } catch (err) {
        if (dpop && attempt === 1 && this.nonceAsked(err, dpop)) continue;
        throw this.translate(err);
      }
    }
    const set = tokenSetFrom(answer.token, this.o.settings.expiresIn, previousRefresh);
    if (!set)
      throw new RestError('TOKEN_ERROR', `the token endpoint ${this.tokenUrl} answered without an access_token`);
    return set;
  }

  /** RFC 9449 8: the token endpoint wants a nonce; answers whether it gave a new one. */
  private nonceAsked(err: unknown, dpop: DpopProver): boolean {
    const data = (err as { data?: { isResponseError?: boolean; headers?: Record<string, unknown>; payload?: unknown } })
      .data;
    if (!data || !data.isResponseError) return false;
    if (parsePayload(data.payload).error !== 'use_dpop_nonce') return false;
    const nonce = data.headers?.['dpop-nonce'];
    return typeof nonce === 'string' && dpop.rememberNonce(this.tokenUrl, nonce);
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
