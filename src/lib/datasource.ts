/**
 * A deployed datasource: validated settings, the precomputed datasource part of every
 * request, one HTTP client, one auth scheme, one limiter. `send` turns a RequestPlan into
 * a response, handling auth challenges, redirects and retries.
 */
import type { AuthScheme } from './auth/scheme';
import { noAuth } from './auth/scheme';
import { apiKeyAuth, basicAuth, bearerAuth } from './auth/static';
import { digestAuth } from './auth/digest';
import { awsSigV4Auth } from './auth/sigv4';
import { oauth1Auth } from './auth/oauth1';
import { encodeBody } from './http/body';
import { Cancel } from './http/cancel';
import { CLOSED, HttpClient, TIMEOUT } from './http/client';
import type { ClientOptions } from './http/client';
import { DatasourceCookieJar } from './features/cookie-jar';
import { configError, RestError } from './errors';
import { cookieHeader } from './http/headers';
import { Limiter } from './features/limiter';
import type { DatasourceDefaults } from './http/plan';
import { datasourceDefaults } from './http/plan';
import { MASK, Redactor } from './redact';
import { nextHop, redirectLocation } from './http/redirects';
import { backoff, parseRetryAfter, retryableError, retryableStatus } from './http/retry';
import type { DatasourceSettings } from './settings';
import { secretsOf } from './settings';
import { createProxyAgents } from './net/proxy-agent';
import { proxyRoutesFromEnv } from './net/proxy';
import type { ProxyRoutes } from './net/proxy';
import { RequestSigner } from './features/signature';
import { buildTlsOptions } from './net/tls';
import type { TlsInput } from './net/tls';
import {
  bodyHasSlot,
  defaultsUseToken,
  fillBodySlots,
  fillTokenSlots,
  hasTokenSlot,
  markDefaults,
  showTokenSlots,
} from './features/token-placeholder';
import type { HttpResult, RequestPlan, SendObserver, WireRequest, WireResponse } from './types';
import { wireUrl } from './types';
import { joinPath, resolveUrl } from './http/url';
import { HttpCache } from './cache/http-cache';
import type { SharedCache } from './cache/redis-backend';
import { RequestKeys } from './cache/request-key';
import { randomBytes } from 'node:crypto';

export { TOKEN_PLACEHOLDER } from './features/token-placeholder';

/** Whether a header or query value of the request holds a configured `{{$token}}` slot. */
function hasSlotIn(req: WireRequest): boolean {
  for (const [, value] of req.query) if (hasTokenSlot(value)) return true;
  for (const [, value] of req.headers.values()) if (hasTokenSlot(value)) return true;
  return false;
}

export interface DatasourceOptions {
  /** The OAuth 2.0 scheme (built by the oauth module, which knows about persistence). */
  oauth2?: (settings: DatasourceSettings, client: HttpClient) => AuthScheme;
  /** Agents to use instead of the ones built from the TLS and proxy settings. */
  agents?: ClientOptions['agents'];
  /** TLS material from a Node-RED tls-config node, instead of the inline credentials. */
  tls?: TlsInput;
  /** Proxy routes from a Node-RED http proxy node; absent = from the environment. */
  proxy?: ProxyRoutes;
  /** Extra step run on every request before it is sent (signing). */
  decorate?: (req: WireRequest) => void;
  /**
   * The `rateLimit` paced for several instances together (a shared store). Its turn answers
   * false when it cannot be asked; the datasource then paces per instance.
   */
  pacer?: StartPacer;
  /** Where the HTTP cache (`cache`, `coalesce`) keys and shares its entries. */
  cache?: CacheOptions;
}

export interface CacheOptions {
  /** The datasource's node id: part of every key (another datasource, other entries). */
  id: string;
  /** Keys the key digests; the same on every instance that shares entries. Default: random. */
  keySecret?: Buffer;
  /** The shared store's side (a `sharedStore`). */
  shared?: SharedCache;
  warn?: (text: string) => void;
}

export interface StartPacer {
  /** `maxWaitMs`: the request's timeout; a turn further away rejects (ETIMEDOUT). */
  turn(maxWaitMs?: number): Promise<boolean>;
  close(): void;
}

/** A response reached through redirects (the cache does not store it under the asked URL). */
type Redirected = WireResponse & { redirected?: boolean };

/** The headers every request to the origin carries unchanged unless a query or msg replaces them. */
function constantHeaders(defaults: DatasourceDefaults, auth: AuthScheme): Array<readonly [string, string]> {
  const list: Array<readonly [string, string]> = [];
  for (const entry of defaults.headers.values()) if (!hasTokenSlot(entry[1])) list.push(entry);
  if (auth.constantHeader) list.push(auth.constantHeader);
  return list;
}

export function createAuth(s: DatasourceSettings, client: HttpClient, options: DatasourceOptions): AuthScheme {
  const c = s.credentials;
  switch (s.authType) {
    case 'basic':
      return basicAuth(c.username ?? '', c.password ?? '');
    case 'bearer':
      return bearerAuth(c.token ?? '');
    case 'apiKey':
      return apiKeyAuth(s.apiKeyName, s.apiKeyIn, s.apiKeyPrefix, c.apiKey ?? '');
    case 'digest':
      return digestAuth(c.username ?? '', c.password ?? '');
    case 'awsSigV4':
      return awsSigV4Auth({
        region: s.aws.region,
        service: s.aws.service,
        accessKeyId: c.awsAccessKeyId ?? '',
        secretAccessKey: c.awsSecretAccessKey ?? '',
        sessionToken: c.awsSessionToken,
      });
    case 'oauth1':
      return oauth1Auth(s.oauth1, c);
    case 'oauth2':
      if (!options.oauth2) throw configError('authType', 'OAuth 2.0 is not available in this build');
      return options.oauth2(s, client);
    default:
      return noAuth;
  }
}

/**
 * A redirect hop to another origin is made without the client certificate; when that server
 * asks for one, the hop is refused (ORIGIN_REFUSED) rather than reported as a TLS fault of the
 * datasource's own settings.
 */
function certificateRefused(err: unknown, origin: string): unknown {
  if (
    err instanceof RestError &&
    err.code === 'TLS_ERROR' &&
    /CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE/.test(err.message)
  ) {
    return new RestError(
      'ORIGIN_REFUSED',
      `a redirect to ${origin} asks for a client certificate; the datasource presents its certificate to its own origin only, so the request was not made there`,
    );
  }
  return err;
}

export class Datasource {
  readonly base: URL;
  readonly defaults: DatasourceDefaults;
  readonly redactor = new Redactor();
  readonly client: HttpClient;
  readonly auth: AuthScheme;
  private readonly limiter: Limiter;
  /** With a cluster pacer: the per-instance rate used while the pacer cannot be asked. */
  private readonly fallbackPace?: Limiter;
  private readonly sensitive: ReadonlySet<string>;
  private readonly sensitiveParams: ReadonlySet<string>;
  private readonly inflight = new Set<{ abort(reason?: unknown): void }>();
  private readonly signer?: RequestSigner;
  private readonly cookieJar?: DatasourceCookieJar;
  /** `cache: http` or `coalesce`: lib/cache, around the send path. */
  readonly cache?: HttpCache;
  private closed = false;
  /** False when server certificates are not verified (the datasource or its tls-config says so). */
  readonly tlsVerify: boolean;
  /** Whether the datasource has a client certificate (presented to its own origin only). */
  private readonly clientCertificate: boolean;

  constructor(
    readonly settings: DatasourceSettings,
    private readonly options: DatasourceOptions = {},
  ) {
    this.base = settings.baseUrl;
    this.defaults = markDefaults(datasourceDefaults(settings));
    this.redactor.add(...secretsOf(settings));
    const tlsInput: TlsInput = options.tls ?? {
      verify: settings.tlsVerify,
      ca: settings.credentials.ca,
      cert: settings.credentials.cert,
      key: settings.credentials.key,
      passphrase: settings.credentials.passphrase,
    };
    this.redactor.add(tlsInput.key, tlsInput.passphrase);
    const tls = buildTlsOptions(tlsInput);
    this.tlsVerify = tls.rejectUnauthorized;
    this.clientCertificate = Boolean(tls.withoutClientCertificate);
    // Read once per deploy: the agents (and their keep-alive sockets) live as long as the datasource.
    const proxy = options.proxy ?? proxyRoutesFromEnv(process.env);
    if (proxy) this.redactor.add(...proxy.secrets);
    this.client = new HttpClient({
      tls,
      maxResponseBytes: settings.maxResponseBytes,
      maxRequestBytes: settings.maxRequestBytes,
      agents: options.agents ?? (proxy ? createProxyAgents(proxy, tls, settings.timeout) : undefined),
      ownOrigin: this.base.origin,
    });
    this.auth = createAuth(settings, this.client, options);
    this.client.presetHeaders(constantHeaders(this.defaults, this.auth));
    if (defaultsUseToken(this.defaults) && !this.auth.currentToken) {
      throw configError('{{$token}}', 'needs OAuth 2.0 or Bearer authentication on the datasource');
    }
    if (settings.signatureEnabled) {
      this.signer = new RequestSigner({
        header: settings.signatureHeader,
        issuer: settings.signatureIssuer,
        key: settings.credentials.signatureKey ?? '',
        bindRequest: settings.signatureBindRequest,
      });
    }
    if (settings.cookieJar) this.cookieJar = new DatasourceCookieJar(this.base.origin);
    const clusterPaced = !!options.pacer && settings.rateLimit > 0;
    this.limiter = new Limiter(settings.concurrency, clusterPaced ? 0 : settings.rateLimit);
    if (clusterPaced) this.fallbackPace = new Limiter(0, settings.rateLimit);
    this.sensitive = new Set([
      'authorization',
      'cookie',
      'proxy-authorization',
      ...settings.secretHeaderNames,
      ...this.auth.sensitiveHeaders,
      ...(settings.signatureEnabled ? [settings.signatureHeader.toLowerCase()] : []),
    ]);
    this.sensitiveParams = new Set([...settings.secretParamNames, ...this.auth.sensitiveParams]);
    if (settings.cache === 'http' || settings.coalesce) this.cache = this.createCache(options.cache);
  }

  private createCache(o: CacheOptions | undefined): HttpCache {
    const s = this.settings;
    // Who the API thinks is asking: the scheme and everything that decides its identity.
    const identity = [s.authType, s.apiKeyName, s.apiKeyIn, s.apiKeyPrefix, s.oauth2, s.credentials, s.secretValues];
    const keys = new RequestKeys(
      o?.keySecret ?? randomBytes(32),
      o?.id ?? randomBytes(8).toString('hex'),
      identity,
      this.sensitive,
      (plan) => (plan.absoluteUrl ? resolveUrl(this.base, plan.absoluteUrl) : joinPath(this.base, plan.path)),
    );
    return new HttpCache({
      store: s.cache === 'http',
      coalesce: s.coalesce,
      maxBytes: s.cacheMaxBytes,
      staleIfError: s.staleIfError,
      keys,
      shared: s.cache === 'http' ? o?.shared : undefined,
      warn: o?.warn,
      publicUrl: (url) => this.publicUrl(url),
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Mask every secret this datasource knows in a text meant for people. */
  redact(text: string): string {
    return this.redactor.redact(text);
  }

  send(plan: RequestPlan, observer?: SendObserver): Promise<HttpResult> {
    if (this.closed) return Promise.reject(new RestError('ABORTED', 'the datasource was redeployed or stopped'));
    if (this.cache) return this.cache.send(plan, (p) => this.sendUpstream(p, observer));
    return this.sendUpstream(plan, observer);
  }

  /** The request through the limiter, auth, retries and redirects (below the cache). */
  private sendUpstream(plan: RequestPlan, observer?: SendObserver): Promise<HttpResult> {
    if (this.limiter.unlimited && !this.fallbackPace) return this.sendNow(plan, observer);
    return this.sendLimited(plan, observer);
  }

  private async sendLimited(plan: RequestPlan, observer?: SendObserver): Promise<HttpResult> {
    if (observer?.onQueued) observer.onQueued();
    await this.limiter.acquire();
    try {
      if (this.fallbackPace) await this.clusterTurn(this.fallbackPace, plan.timeout ?? this.settings.timeout);
      // A start timed by a rate goes on the wire at its turn (see ExchangeSignal.unbatched).
      return await this.sendNow(plan, observer, this.limiter.paces || this.fallbackPace !== undefined);
    } finally {
      this.limiter.release();
    }
  }

  /** This start's slot of the cluster's rate, or of this instance's while the store is away. */
  private async clusterTurn(fallback: Limiter, maxWaitMs: number): Promise<void> {
    if (this.options.pacer && (await this.options.pacer.turn(maxWaitMs))) return;
    await fallback.acquire();
    fallback.release();
  }

  /** `token`: the access token when a body field holds a `{{$token}}` slot. */
  private firstRequest(plan: RequestPlan, token: string | undefined): WireRequest {
    const target = plan.absoluteUrl ? resolveUrl(this.base, plan.absoluteUrl) : joinPath(this.base, plan.path);
    // The plan's map may be the datasource's own (see buildPlan): copied before anything is added.
    let headers = plan.headers;
    const query: Array<[string, string]> = [];
    for (const [name, values] of plan.params) for (const v of values) query.push([name, v]);
    if (plan.cookies.size) {
      headers = new Map(headers);
      const existing = headers.get('cookie');
      const value = cookieHeader(plan.cookies);
      headers.set('cookie', [existing?.[0] ?? 'Cookie', existing ? `${existing[1]}; ${value}` : value]);
    }
    // Body slots are filled once per send (the body is encoded once); header and query slots
    // are filled at every exchange, so a retry after a token refresh carries the new token.
    const tokenInBody = token !== undefined;
    const bodyValue = tokenInBody ? fillBodySlots(plan.body, token) : plan.body;
    const encoded = encodeBody(bodyValue, plan.bodyType);
    if (encoded?.contentType && !headers.has('content-type')) {
      if (headers === plan.headers) headers = new Map(headers);
      headers.set('content-type', ['Content-Type', encoded.contentType]);
    }
    return {
      method: plan.method,
      origin: target.origin,
      pathname: target.pathname,
      rawQuery: target.rawQuery,
      query,
      headers,
      body: encoded?.data,
      explicitHeaders: plan.explicitHeaders,
      explicitParams: plan.explicitParams,
      tokenInBody,
    };
  }

  /** The current access token for `{{$token}}` (the scheme refreshes it when needed). */
  private token(): Promise<string> {
    if (!this.auth.currentToken) {
      return Promise.reject(configError('{{$token}}', 'needs OAuth 2.0 or Bearer authentication on the datasource'));
    }
    return this.auth.currentToken();
  }

  /**
   * The request exactly as it goes on the wire to the datasource origin: token slots filled,
   * jar cookies added, signed. A copy, so `req` keeps its slots for the next hop or retry.
   */
  private async onOriginWire(req: WireRequest): Promise<{ wire: WireRequest; filled: boolean }> {
    const needsToken = hasSlotIn(req);
    // Nothing to add: the request goes out as it is (no copy on the common path).
    if (!needsToken && !this.cookieJar && !this.signer && !this.auth.sign) return { wire: req, filled: false };
    const headers = new Map(req.headers);
    let query = req.query;
    if (needsToken) {
      const token = await this.token();
      for (const [key, [name, value]] of headers) {
        if (hasTokenSlot(value)) headers.set(key, [name, fillTokenSlots(value, token)]);
      }
      query = req.query.map(([name, value]) => [name, fillTokenSlots(value, token)]);
    }
    const wire: WireRequest = { ...req, headers, query };
    if (this.cookieJar) {
      const current = headers.get('cookie');
      const value = this.cookieJar.cookieHeader(wireUrl(wire), current?.[1]);
      if (value !== undefined) headers.set('cookie', [current?.[0] ?? 'Cookie', value]);
    }
    if (this.signer) this.signer.sign(wire);
    // The scheme's signature (SigV4, OAuth 1.0a) or proof (DPoP) covers everything above, so it comes last.
    if (this.auth.sign) await this.auth.sign(wire);
    return { wire, filled: needsToken };
  }

  private async sendNow(plan: RequestPlan, observer?: SendObserver, paced = false): Promise<HttpResult> {
    const first = this.firstRequest(plan, bodyHasSlot(plan.body) ? await this.token() : undefined);
    const timeout = plan.timeout ?? this.settings.timeout;
    const started = Date.now();
    const { retries } = this.settings;
    for (let attempt = 1; ; attempt++) {
      let reason: string;
      let waitMs: number | undefined;
      try {
        const res = await this.exchangeWithRedirects(first, timeout, paced);
        if (attempt > retries || !retryableStatus(first.method, res.statusCode)) {
          const result: HttpResult = {
            statusCode: res.statusCode,
            headers: res.headers,
            body: res.body,
            url: this.publicUrl(res.url),
            attempts: attempt,
            timeMs: Date.now() - started,
          };
          if ((res as Redirected).redirected) result.redirected = true;
          return result;
        }
        reason = `HTTP ${res.statusCode}`;
        waitMs = parseRetryAfter(res.headers['retry-after']);
      } catch (err) {
        const e = err instanceof RestError ? err : new RestError('NETWORK_ERROR', String(err));
        if (this.closed || attempt > retries || !retryableError(first.method, e.code)) {
          if (attempt > 1) {
            e.attempts = attempt;
            e.message += ` (after ${attempt} attempts)`;
          }
          throw e;
        }
        reason = e.code;
      }
      const delay = backoff(this.settings.retryDelay, attempt, waitMs);
      if (observer?.onRetry) observer.onRetry(attempt + 1, reason, delay);
      await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new RestError('ABORTED', 'the datasource was redeployed or stopped'));
      const ac = new AbortController();
      const timer = setTimeout(() => {
        this.inflight.delete(ac);
        resolve();
      }, ms);
      ac.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new RestError('ABORTED', 'the datasource was redeployed or stopped while waiting to retry'));
      });
      this.inflight.add(ac);
    });
  }

  /** One attempt: the request, an auth challenge answered once, and redirects. */
  private async exchangeWithRedirects(first: WireRequest, timeout: number, paced: boolean): Promise<WireResponse> {
    let req: WireRequest = { ...first, headers: new Map(first.headers), query: first.query.slice() };
    let authRetried = false;
    let hops = 0;
    const ac = new Cancel();
    if (paced) ac.unbatched = true;
    const timer = setTimeout(() => ac.abort(TIMEOUT), timeout);
    this.inflight.add(ac);
    try {
      for (;;) {
        const onOrigin = req.origin === this.base.origin;
        if (onOrigin) {
          // Static schemes apply synchronously: no promise to wait for.
          const applied = this.auth.apply(req);
          if (applied) await applied;
        } else if (first.tokenInBody && req.body) {
          throw new RestError(
            'ORIGIN_REFUSED',
            `a redirect to ${req.origin} would carry the access token in the body; the request was not sent there`,
          );
        } else if (req.body && this.settings.secretBodyNames.length) {
          throw new RestError(
            'ORIGIN_REFUSED',
            `a redirect to ${req.origin} would carry the datasource's secret body fields; the request was not sent there`,
          );
        } else {
          // Configured {{$token}} values are for the datasource origin only.
          for (const [key, [, value]] of req.headers) if (hasTokenSlot(value)) req.headers.delete(key);
        }
        if (this.options.decorate) this.options.decorate(req);
        // Token slots, jar cookies, a signature: only then is the request copied for the wire.
        let wire = req;
        let filled = false;
        if (onOrigin && (this.cookieJar || this.signer || this.auth.sign || hasSlotIn(req)))
          ({ wire, filled } = await this.onOriginWire(req));
        let res = await (onOrigin || !this.clientCertificate
          ? this.client.exchange(wire, ac.signal)
          : this.client.exchange(wire, ac.signal).catch((e: unknown) => {
              throw certificateRefused(e, req.origin);
            }));
        // The URL a flow sees shows the placeholder, never the token.
        if (filled) res = { ...res, url: showTokenSlots(wireUrl(req)) };
        if (onOrigin && this.cookieJar) this.cookieJar.store(wire.origin + wire.pathname, res.headers['set-cookie']);
        if (onOrigin && !authRetried && this.auth.shouldRetry && (await this.auth.shouldRetry(req, res))) {
          authRetried = true;
          continue;
        }
        const location = this.settings.followRedirects ? redirectLocation(res) : undefined;
        if (!location) return hops ? Object.assign(res, { redirected: true }) : res;
        if (++hops > this.settings.maxRedirects) {
          throw new RestError(
            'TOO_MANY_REDIRECTS',
            `more than ${this.settings.maxRedirects} redirects (maxRedirects), last to ${location.split('?')[0]}`,
          );
        }
        try {
          req = nextHop(req, res, location, this.base.origin, this.sensitive);
        } catch (e) {
          throw new RestError('NETWORK_ERROR', (e as Error).message);
        }
      }
    } finally {
      clearTimeout(timer);
      this.inflight.delete(ac);
    }
  }

  /** The response URL as a msg may show it: secret query parameters (a token, a key) masked. */
  private publicUrl(url: string): string {
    // The one place a response URL is masked: secret parameters by name, then any known
    // secret value (a redirect may have put one elsewhere).
    if (!this.sensitiveParams.size || !url.includes('?')) return this.redactor.redact(url);
    const u = new URL(url);
    let masked = false;
    for (const name of this.sensitiveParams) {
      if (u.searchParams.has(name)) {
        u.searchParams.set(name, MASK);
        masked = true;
      }
    }
    return this.redactor.redact(masked ? u.toString() : url);
  }

  /** Abort what is in flight, reject what waits, free sockets. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.limiter.close();
    if (this.fallbackPace) this.fallbackPace.close();
    if (this.options.pacer) this.options.pacer.close();
    for (const ac of this.inflight) ac.abort(CLOSED);
    this.inflight.clear();
    if (this.auth.close) this.auth.close();
    if (this.cache) this.cache.close();
    this.client.close();
  }
}
