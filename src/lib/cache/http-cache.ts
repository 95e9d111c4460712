/**
 * The datasource's HTTP cache (`cache: http`) and request coalescing (`coalesce`), around its
 * send path: above the limiter, auth, signing, retries and redirects, so a hit costs no
 * request, no token and no rate-limit slot, and a key is the request as asked (request-key.ts).
 *
 * One send:
 *   GET/HEAD → look up (memory, then the shared store) → fresh: `hit`
 *            → stale with validators: revalidate (If-None-Match / If-Modified-Since) → 304: `revalidated`
 *            → nothing usable: fetch → store when RFC 9111 allows: `miss`
 *            → 5xx or network error while a stale entry is within stale-if-error: `stale`
 *   other methods → sent as they are; a successful POST/PUT/PATCH/DELETE invalidates its URL
 *            (and same-origin Location / Content-Location), RFC 9111 §4.4.
 * Coalescing joins identical GET/HEAD requests that go upstream at the same moment.
 */
import { RestError } from '../errors';
import type { ErrorCode } from '../errors';
import type { CacheOutcome, HttpResult, RequestPlan } from '../types';
import { Coalescer } from './coalescer';
import { MemoryLru } from './memory-lru';
import type { SharedCache } from './redis-backend';
import type { KeyedRequest, RequestKeys } from './request-key';
import type { StoredResponse } from './stored';
import {
  evaluate,
  headerText,
  matchesVary,
  mayServeStale,
  refreshed,
  requestDirectives,
  servedHeaders,
  toStored,
  usableLifeMs,
} from './stored';

export interface HttpCacheOptions {
  /** `cache: http`; false = coalescing only. */
  store: boolean;
  coalesce: boolean;
  maxBytes: number;
  staleIfError: number;
  keys: RequestKeys;
  /** The shared store's side, with a `sharedStore`. */
  shared?: SharedCache;
  /** Told once per outage that the shared store does not answer, and once when it does again. */
  warn?: (text: string) => void;
  /** The URL as a msg may show it (secret parameters masked). */
  publicUrl: (url: string) => string;
}

/** Failures that mean "the API could not be reached", after which a stale entry may answer. */
const UNREACHABLE = new Set<ErrorCode>([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'NETWORK_ERROR',
  'TLS_ERROR',
  'PROXY_ERROR',
]);
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** A request that carries its own validators or a range is the flow's business: passed through. */
const OWN_CONDITIONS = ['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range'];

type Upstream = (plan: RequestPlan) => Promise<HttpResult>;

export class HttpCache {
  readonly memory: MemoryLru;
  private readonly coalescer = new Coalescer();
  private sharedDown = false;

  constructor(private readonly o: HttpCacheOptions) {
    this.memory = new MemoryLru(o.maxBytes);
  }

  async send(plan: RequestPlan, upstream: Upstream): Promise<HttpResult> {
    if (plan.method !== 'GET' && plan.method !== 'HEAD') return this.passThrough(plan, upstream);
    const req = this.o.keys.keyed(plan);
    if (!this.o.store) return this.fetch(req, plan, upstream);
    const cc = requestDirectives(req);
    if (cc.has('no-store') || OWN_CONDITIONS.some((h) => h in req.headers)) {
      return outcome(await upstream(plan), 'miss');
    }
    const found = await this.lookup(req);
    const verdict = found.entry ? evaluate(found.entry, req) : undefined;
    if (found.entry && verdict?.use === 'fresh') return this.answer(found.entry, 'hit');
    if (cc.has('only-if-cached')) return gatewayTimeout(this.o.publicUrl(req.url));
    return this.fetch(req, plan, upstream, found, verdict);
  }

  /** Forget what the memory holds (redeploy). */
  close(): void {
    this.memory.clear();
  }

  private async passThrough(plan: RequestPlan, upstream: Upstream): Promise<HttpResult> {
    const res = await upstream(plan);
    if (!this.o.store) return outcome(res, 'miss');
    if (UNSAFE.has(plan.method) && res.statusCode >= 200 && res.statusCode < 400) {
      const url = this.o.keys.urlOf(plan);
      const urls = new Set([url]);
      const origin = new URL(url).origin;
      for (const name of ['location', 'content-location']) {
        const value = headerText(res.headers[name]);
        if (!value) continue;
        try {
          const target = new URL(value, res.url);
          if (target.origin === origin) urls.add(target.href);
        } catch {
          // not a URL: nothing to invalidate
        }
      }
      for (const u of urls) await this.invalidate(this.o.keys.urlId(u));
    }
    return outcome(res, 'miss');
  }

  private async invalidate(urlId: string): Promise<void> {
    this.memory.invalidate(urlId);
    if (this.o.shared) await this.sharedCall(() => (this.o.shared as SharedCache).invalidate(urlId));
  }

  /** The stored variant that matches the request (Vary), from memory or else the shared store. */
  private async lookup(req: KeyedRequest): Promise<{ entry?: StoredResponse; generation?: string }> {
    let variants = this.memory.variants(req.primary);
    let generation: string | undefined;
    if (!variants && this.o.shared) {
      const shared = this.o.shared;
      const read = await this.sharedCall(() => shared.read(req.primary, req.urlId));
      if (read) {
        generation = read.generation;
        if (read.variants?.length) {
          this.memory.replaceAll(req.primary, req.urlId, read.variants);
          variants = read.variants;
        }
      }
    }
    if (!variants) return { generation };
    let best: StoredResponse | undefined;
    for (const v of variants) {
      const verdict = evaluate(v, req);
      if (verdict.use === 'fresh') return { entry: v, generation };
      // A variant whose Vary headers match (a 304 can refresh it), else none.
      if (!best && matchesVary(v, req)) best = v;
    }
    return { entry: best, generation };
  }

  /** Upstream, coalesced with identical requests in flight when `coalesce` is on. */
  private fetch(
    req: KeyedRequest,
    plan: RequestPlan,
    upstream: Upstream,
    found: { entry?: StoredResponse; generation?: string } = {},
    verdict?: ReturnType<typeof evaluate>,
  ): Promise<HttpResult> {
    const go = () => (this.o.store ? this.fetchAndStore(req, plan, upstream, found, verdict) : miss(upstream(plan)));
    return this.o.coalesce ? this.coalescer.run(this.o.keys.exact(req, plan), go) : go();
  }

  private async fetchAndStore(
    req: KeyedRequest,
    plan: RequestPlan,
    upstream: Upstream,
    found: { entry?: StoredResponse; generation?: string },
    verdict?: ReturnType<typeof evaluate>,
  ): Promise<HttpResult> {
    const stale = found.entry;
    let sent = plan;
    if (stale && verdict?.use === 'revalidate') {
      const headers = new Map(plan.headers);
      for (const [name, value] of Object.entries(verdict.headers)) headers.set(name, [name, value]);
      sent = { ...plan, headers };
    }
    let res: HttpResult;
    try {
      res = await upstream(sent);
    } catch (err) {
      if (stale && err instanceof RestError && UNREACHABLE.has(err.code) && mayServeStale(stale, this.o.staleIfError)) {
        return this.answer(stale, 'stale');
      }
      throw err;
    }
    if (stale && res.statusCode >= 500 && mayServeStale(stale, this.o.staleIfError)) return this.answer(stale, 'stale');
    const ttl = plan.cacheTtl ?? 0;
    if (stale && res.statusCode === 304 && sent !== plan) {
      const updated = refreshed(stale, req, res.headers, ttl);
      if (updated) {
        this.memory.put(req.primary, req.urlId, updated, stale);
        await this.share(req, found.generation);
        return this.answer(updated, 'revalidated', res.timeMs, res.attempts);
      }
      this.memory.remove(req.primary, stale);
    }
    if (!res.redirected && res.statusCode !== 304) {
      const entry = toStored(req, res.statusCode, res.headers, res.body, res.url, ttl, this.o.staleIfError);
      if (entry) {
        this.memory.put(req.primary, req.urlId, entry, stale);
        await this.share(req, found.generation);
      } else if (stale) this.memory.remove(req.primary, stale);
    }
    return outcome(res, 'miss');
  }

  /** Write the key's variants to the shared store, as long as the longest-lived one is usable. */
  private async share(req: KeyedRequest, generation: string | undefined): Promise<void> {
    const shared = this.o.shared;
    if (!shared) return;
    const variants = this.memory.variants(req.primary);
    if (!variants?.length) return;
    const ttl = Math.max(...variants.map((v) => usableLifeMs(v, this.o.staleIfError)));
    await this.sharedCall(() => shared.write(req.primary, req.urlId, [...variants], ttl, generation));
  }

  /** A call to the shared store; on failure undefined (the cache goes on locally), said once per outage. */
  private async sharedCall<T>(call: () => Promise<T>): Promise<T | undefined> {
    try {
      const out = await call();
      if (this.sharedDown) {
        this.sharedDown = false;
        if (this.o.warn) this.o.warn('the shared store answers again; cached responses are shared again');
      }
      return out;
    } catch (err) {
      if (!this.sharedDown) {
        this.sharedDown = true;
        if (this.o.warn) {
          this.o.warn(`cached responses are kept locally only: ${(err as Error).message}`);
        }
      }
      return undefined;
    }
  }

  private answer(s: StoredResponse, cache: CacheOutcome, timeMs = 0, attempts = 0): HttpResult {
    return { statusCode: s.status, headers: servedHeaders(s), body: s.body, url: s.url, attempts, timeMs, cache };
  }
}

/** The datasource's result, marked (it is this send's own object: no copy needed). */
function outcome(res: HttpResult, cache: CacheOutcome): HttpResult {
  res.cache = cache;
  return res;
}

async function miss(result: Promise<HttpResult>): Promise<HttpResult> {
  return outcome(await result, 'miss');
}

/** RFC 9111 §5.2.1.7: `only-if-cached` and nothing usable stored: 504, as if the API had said so. */
function gatewayTimeout(url: string): HttpResult {
  return {
    statusCode: 504,
    headers: {},
    body: Buffer.alloc(0),
    url,
    attempts: 0,
    timeMs: 0,
    cache: 'miss',
  };
}
