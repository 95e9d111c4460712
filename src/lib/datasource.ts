/**
 * A deployed datasource: validated settings, the precomputed datasource part of every
 * request, one HTTP client, one auth scheme, one limiter. `send` turns a RequestPlan into
 * a response, handling auth challenges, redirects and retries.
 */
import type { AuthScheme } from './auth/scheme';
import { noAuth } from './auth/scheme';
import { apiKeyAuth, basicAuth, bearerAuth } from './auth/static';
import { digestAuth } from './auth/digest';
import { encodeBody } from './body';
import { Cancel } from './cancel';
import { CLOSED, HttpClient, TIMEOUT } from './client';
import type { ClientOptions } from './client';
import { configError, RestError } from './errors';
import { cookieHeader } from './headers';
import { Limiter } from './limiter';
import type { DatasourceDefaults } from './plan';
import { datasourceDefaults } from './plan';
import { Redactor } from './redact';
import { nextHop, redirectLocation } from './redirects';
import { backoff, parseRetryAfter, retryableError, retryableStatus } from './retry';
import type { DatasourceSettings } from './settings';
import { secretsOf } from './settings';
import { buildTlsOptions } from './tls';
import type { HttpResult, RequestPlan, SendObserver, WireRequest, WireResponse } from './types';
import { joinPath, resolveUrl } from './url';

export const TOKEN_PLACEHOLDER = '{{$token}}';

export interface DatasourceOptions {
  /** The OAuth 2.0 scheme (built by the oauth module, which knows about persistence). */
  oauth2?: (settings: DatasourceSettings, client: HttpClient) => AuthScheme;
  /** Agents to use instead of the default keep-alive ones (a proxy). */
  agents?: ClientOptions['agents'];
  /** Extra step run on every request before it is sent (signing). */
  decorate?: (req: WireRequest) => void;
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
    case 'oauth2':
      if (!options.oauth2) throw configError('authType', 'OAuth 2.0 is not available in this build');
      return options.oauth2(s, client);
    default:
      return noAuth;
  }
}

export class Datasource {
  readonly base: URL;
  readonly defaults: DatasourceDefaults;
  readonly redactor = new Redactor();
  readonly client: HttpClient;
  readonly auth: AuthScheme;
  private readonly limiter: Limiter;
  private readonly sensitive: ReadonlySet<string>;
  private readonly inflight = new Set<{ abort(reason?: unknown): void }>();
  private readonly usesTokenInBody: boolean;
  private closed = false;

  constructor(
    readonly settings: DatasourceSettings,
    private readonly options: DatasourceOptions = {},
  ) {
    this.base = settings.baseUrl;
    this.defaults = datasourceDefaults(settings);
    this.redactor.add(...secretsOf(settings));
    const tls = buildTlsOptions({
      verify: settings.tlsVerify,
      ca: settings.credentials.ca,
      cert: settings.credentials.cert,
      key: settings.credentials.key,
      passphrase: settings.credentials.passphrase,
    });
    this.client = new HttpClient({
      tls,
      maxResponseBytes: settings.maxResponseBytes,
      maxRequestBytes: settings.maxRequestBytes,
      agents: options.agents,
    });
    this.auth = createAuth(settings, this.client, options);
    this.limiter = new Limiter(settings.concurrency, settings.rateLimit);
    this.sensitive = new Set([
      'authorization',
      'cookie',
      'proxy-authorization',
      ...settings.secretHeaderNames,
      ...this.auth.sensitiveHeaders,
      ...(settings.signatureEnabled ? [settings.signatureHeader.toLowerCase()] : []),
    ]);
    this.usesTokenInBody = Object.values(this.defaults.body).some((v) => v.includes(TOKEN_PLACEHOLDER));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Mask every secret this datasource knows in a text meant for people. */
  redact(text: string): string {
    return this.redactor.redact(text);
  }

  async send(plan: RequestPlan, observer?: SendObserver): Promise<HttpResult> {
    if (this.closed) throw new RestError('ABORTED', 'the datasource was redeployed or stopped');
    if (!this.limiter.unlimited) {
      if (observer?.onQueued) observer.onQueued();
      await this.limiter.acquire();
      try {
        return await this.sendNow(plan, observer);
      } finally {
        this.limiter.release();
      }
    }
    return this.sendNow(plan, observer);
  }

  private async firstRequest(plan: RequestPlan): Promise<WireRequest> {
    const target = plan.absoluteUrl ? resolveUrl(this.base, plan.absoluteUrl) : joinPath(this.base, plan.path);
    const headers = plan.headers;
    const query: Array<[string, string]> = [];
    for (const [name, values] of plan.params) for (const v of values) query.push([name, v]);
    if (plan.cookies.size) {
      const existing = headers.get('cookie');
      const value = cookieHeader(plan.cookies);
      headers.set('cookie', [existing?.[0] ?? 'Cookie', existing ? `${existing[1]}; ${value}` : value]);
    }
    let bodyValue = plan.body;
    const token = await this.tokenIfNeeded(headers, query, bodyValue);
    if (token !== undefined) {
      for (const [k, [name, value]] of headers) {
        if (value.includes(TOKEN_PLACEHOLDER)) headers.set(k, [name, value.split(TOKEN_PLACEHOLDER).join(token)]);
      }
      for (const pair of query)
        if (pair[1].includes(TOKEN_PLACEHOLDER)) pair[1] = pair[1].split(TOKEN_PLACEHOLDER).join(token);
      if (this.usesTokenInBody && bodyValue && typeof bodyValue === 'object' && !Buffer.isBuffer(bodyValue)) {
        const copy: Record<string, unknown> = { ...(bodyValue as Record<string, unknown>) };
        for (const [k, v] of Object.entries(this.defaults.body)) {
          if (copy[k] === v && v.includes(TOKEN_PLACEHOLDER)) copy[k] = v.split(TOKEN_PLACEHOLDER).join(token);
        }
        bodyValue = copy;
      }
    }
    const encoded = encodeBody(bodyValue, plan.bodyType);
    if (encoded?.contentType && !headers.has('content-type'))
      headers.set('content-type', ['Content-Type', encoded.contentType]);
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
    };
  }

  private async tokenIfNeeded(
    headers: WireRequest['headers'],
    query: WireRequest['query'],
    body: unknown,
  ): Promise<string | undefined> {
    let needed = this.usesTokenInBody && body !== undefined;
    if (!needed) for (const [, value] of headers.values()) if (value.includes(TOKEN_PLACEHOLDER)) needed = true;
    if (!needed) for (const [, value] of query) if (value.includes(TOKEN_PLACEHOLDER)) needed = true;
    if (!needed) return undefined;
    if (!this.auth.currentToken) {
      throw configError('{{$token}}', 'needs OAuth 2.0 or Bearer authentication on the datasource');
    }
    return this.auth.currentToken();
  }

  private async sendNow(plan: RequestPlan, observer?: SendObserver): Promise<HttpResult> {
    const first = await this.firstRequest(plan);
    const timeout = plan.timeout ?? this.settings.timeout;
    const started = Date.now();
    const { retries } = this.settings;
    for (let attempt = 1; ; attempt++) {
      let reason: string;
      let waitMs: number | undefined;
      try {
        const res = await this.exchangeWithRedirects(first, timeout);
        if (attempt > retries || !retryableStatus(first.method, res.statusCode)) {
          return { ...res, attempts: attempt, timeMs: Date.now() - started };
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
  private async exchangeWithRedirects(first: WireRequest, timeout: number): Promise<WireResponse> {
    let req: WireRequest = { ...first, headers: new Map(first.headers), query: first.query.slice() };
    let authRetried = false;
    let hops = 0;
    const ac = new Cancel();
    const timer = setTimeout(() => ac.abort(TIMEOUT), timeout);
    this.inflight.add(ac);
    try {
      for (;;) {
        const onOrigin = req.origin === this.base.origin;
        if (onOrigin) await this.auth.apply(req);
        if (this.options.decorate) this.options.decorate(req);
        const res = await this.client.exchange(req, ac.signal);
        if (onOrigin && !authRetried && this.auth.shouldRetry && (await this.auth.shouldRetry(req, res))) {
          authRetried = true;
          continue;
        }
        const location = this.settings.followRedirects ? redirectLocation(res) : undefined;
        if (!location) return res;
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

  /** Abort what is in flight, reject what waits, free sockets. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.limiter.close();
    for (const ac of this.inflight) ac.abort(CLOSED);
    this.inflight.clear();
    if (this.auth.close) this.auth.close();
    this.client.close();
  }
}
