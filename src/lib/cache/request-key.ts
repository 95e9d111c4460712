/**
 * Cache keys from the request *as asked*: method, URL (the plan's path and parameters on the
 * base URL, before auth adds a key or token), the headers the plan carries, and a fingerprint
 * of the credentials. Never the signature, timestamp, nonce or token that signing and auth
 * add at the wire, so a signed or OAuth request hits the entry its earlier twin stored.
 *
 * Secret header values (Authorization, Cookie, the API key header, secret rows...) are replaced
 * by a keyed digest before the cache sees them: entries never hold a secret, yet a msg with its
 * own Authorization only ever matches entries stored for that same value.
 */
import { createHmac } from 'node:crypto';
import { cookieHeader } from '../http/headers';
import type { Target } from '../http/url';
import type { RequestPlan } from '../types';
import { buildQueryString } from '../types';
import type { CacheRequest } from './stored';

export interface KeyedRequest extends CacheRequest {
  /**
   * The stored responses this request may use: scope, credentials, method, URL, secret headers
   * (as digests). Plain text, for this process's memory; the shared store digests it again.
   */
  primary: string;
  /** The URL's entries (every method and credential), for invalidation. */
  urlId: string;
}

export class RequestKeys {
  /** The datasource (its node id) and its credentials' fingerprint. */
  private readonly scope: string;

  constructor(
    /** Keys the digests: random per process, or derived from the credential secret when shared. */
    private readonly secret: Buffer,
    datasourceId: string,
    /**
     * Everything that decides who the API thinks is asking (the scheme, its settings and
     * secrets, secret rows): another identity, other keys.
     */
    identity: unknown[],
    private readonly sensitive: ReadonlySet<string>,
    private readonly target: (plan: RequestPlan) => Target,
  ) {
    this.scope = `${datasourceId}\n${this.digest(JSON.stringify(identity))}`;
  }

  digest(text: string): string {
    return createHmac('sha256', this.secret).update(text).digest('base64url');
  }

  /** The URL as asked: base URL, path and parameters, with `{{$token}}` slots left as they are. */
  urlOf(plan: RequestPlan): string {
    const t = this.target(plan);
    const query: Array<[string, string]> = [];
    for (const [name, values] of plan.params) for (const v of values) query.push([name, v]);
    const qs = buildQueryString(t.rawQuery, query);
    return t.origin + t.pathname + (qs ? '?' + qs : '');
  }

  /** The id under which `url`'s entries are invalidated. */
  urlId(url: string): string {
    return `${this.scope}\nurl\n${url}`;
  }

  /** Identical requests (every header as asked, the timeout), for coalescing. */
  exact(req: KeyedRequest, plan: RequestPlan): string {
    const all = Object.keys(req.headers)
      .sort()
      .map((name) => `${name}:${req.headers[name]}`)
      .join('\n');
    return `${req.primary}\n${plan.timeout ?? ''}\n${all}`;
  }

  keyed(plan: RequestPlan): KeyedRequest {
    const url = this.urlOf(plan);
    const headers: Record<string, string> = {};
    for (const [lower, [, value]] of plan.headers) headers[lower] = value;
    if (plan.cookies.size) {
      const jar = cookieHeader(plan.cookies);
      headers.cookie = headers.cookie ? `${headers.cookie}; ${jar}` : jar;
    }
    // Secret values only as keyed digests (usually none: auth adds its own at the wire).
    let secrets = '';
    for (const name of Object.keys(headers).sort()) {
      if (!this.sensitive.has(name)) continue;
      headers[name] = 'digest:' + this.digest(headers[name]).slice(0, 32);
      secrets += `\n${name}=${headers[name]}`;
    }
    return {
      method: plan.method,
      url,
      headers,
      primary: `${this.scope}\n${plan.method}\n${url}${secrets}`,
      urlId: this.urlId(url),
    };
  }
}
