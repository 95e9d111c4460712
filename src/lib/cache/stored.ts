/**
 * A stored response and the RFC 9111 questions asked about it: may it be stored, is it fresh
 * for this request, may it answer stale after an error, how long is it worth keeping. The
 * rules come from http-cache-semantics (a private cache: `shared: false`), given a *policy
 * view* of the response headers that differs from what the API sent in three deliberate ways:
 * - `cacheTtl` adds `max-age` to a 200 GET that carries no freshness information;
 * - `must-revalidate` is taken out and enforced here: http-cache-semantics 4.3.0 revalidates a
 *   fresh `must-revalidate` response on every request (kornelski/http-cache-semantics#54),
 *   while RFC 9111 §5.2.2.2 only forbids serving it once it is stale;
 * - no heuristic freshness (`cacheHeuristic: 0`): a response without explicit freshness is
 *   revalidated or fetched again, never guessed fresh from its Last-Modified date.
 * The headers the flow sees are the API's own, with `age` updated.
 */
import CachePolicy from 'http-cache-semantics';
import type { HttpMethod } from '../types';

export type ResponseHeaders = Record<string, string | string[]>;

/** The request as the cache sees it: the URL and headers as asked, secret values digested. */
export interface CacheRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
}

export interface StoredResponse {
  status: number;
  /** The API's headers (lower-case names), updated by 304s. */
  headers: ResponseHeaders;
  body: Buffer;
  /** The URL that answered, as a msg shows it (secrets masked). */
  url: string;
  policy: CachePolicy;
  /** `must-revalidate`: never served stale (not by max-stale, not by stale-if-error). */
  mustRevalidate: boolean;
  /** The response's own `stale-if-error` seconds. */
  staleIfError: number;
  /** Bytes the entry holds (body and an estimate of the rest), for the memory bound. */
  bytes: number;
  /** The request header values its `Vary` names (lower-case), absent without Vary. */
  vary?: Record<string, string>;
}

const POLICY_OPTIONS: CachePolicy.Options = { shared: false, cacheHeuristic: 0 };

export function headerText(v: string | string[] | undefined): string {
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
}

function directives(cacheControl: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of cacheControl.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name)
      out.set(
        name,
        eq < 0
          ? ''
          : part
              .slice(eq + 1)
              .trim()
              .replace(/^"|"$/g, ''),
      );
  }
  return out;
}

/** The request's Cache-Control directives (lower-case names; `no-cache` also from Pragma). */
export function requestDirectives(req: CacheRequest): Map<string, string> {
  const cc = directives(req.headers['cache-control'] ?? '');
  if (!req.headers['cache-control'] && /no-cache/i.test(req.headers.pragma ?? '')) cc.set('no-cache', '');
  return cc;
}

function seconds(value: string | undefined): number {
  const n = value === undefined ? NaN : parseInt(value, 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** The response headers as http-cache-semantics should judge them (see the file comment). */
function policyView(method: HttpMethod, status: number, headers: ResponseHeaders, cacheTtl: number) {
  const view: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) view[name] = headerText(value);
  const cc = directives(view['cache-control'] ?? '');
  const mustRevalidate = cc.has('must-revalidate');
  const hasFreshness = cc.has('max-age') || cc.has('no-cache') || cc.has('no-store') || 'expires' in view;
  if (mustRevalidate || (cacheTtl > 0 && !hasFreshness && status === 200 && method === 'GET')) {
    cc.delete('must-revalidate');
    if (cacheTtl > 0 && !hasFreshness && status === 200 && method === 'GET') cc.set('max-age', String(cacheTtl));
    view['cache-control'] = [...cc].map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join(', ');
  }
  return { view, mustRevalidate, staleIfError: seconds(cc.get('stale-if-error')) };
}

/** The values of the request headers a response's Vary names; `*` never matches. */
function varyValues(headers: ResponseHeaders, req: Record<string, unknown>): Record<string, string> | undefined {
  const vary = headerText(headers.vary).toLowerCase();
  if (!vary.trim()) return undefined;
  const out: Record<string, string> = {};
  for (const name of vary.split(',')) {
    const n = name.trim();
    if (n) out[n] = n === '*' ? '\u0000never' : String(req[n] ?? '');
  }
  return out;
}

/** Whether the request sends the header values the stored response varies on. */
export function matchesVary(s: StoredResponse, req: CacheRequest): boolean {
  if (!s.vary) return true;
  for (const [name, value] of Object.entries(s.vary)) if ((req.headers[name] ?? '') !== value) return false;
  return true;
}

function sizeOf(headers: ResponseHeaders, body: Buffer, url: string): number {
  let n = body.length + url.length + 256;
  for (const [name, value] of Object.entries(headers)) n += name.length + headerText(value).length + 16;
  return n;
}

/** The response as a stored entry, or undefined when RFC 9111 (or usefulness) says not to keep it. */
export function toStored(
  req: CacheRequest,
  status: number,
  headers: ResponseHeaders,
  body: Buffer,
  url: string,
  cacheTtl: number,
  staleIfErrorSetting: number,
): StoredResponse | undefined {
  const { view, mustRevalidate, staleIfError } = policyView(req.method, status, headers, cacheTtl);
  const policy = new CachePolicy(req, { status, headers: view }, POLICY_OPTIONS);
  if (!policy.storable()) return undefined;
  const stored: StoredResponse = {
    status,
    headers,
    body,
    url,
    policy,
    mustRevalidate,
    staleIfError,
    bytes: sizeOf(headers, body, url),
    vary: varyValues(headers, req.headers),
  };
  // Worth keeping only if it can answer: fresh, revalidated, or served stale on an error.
  const useful = policy.maxAge() > 0 || hasValidator(stored) || staleWindow(stored, staleIfErrorSetting) > 0;
  return useful ? stored : undefined;
}

export function hasValidator(s: StoredResponse): boolean {
  return 'etag' in s.headers || 'last-modified' in s.headers;
}

/** Seconds past freshness during which the entry may answer for a failing API. */
export function staleWindow(s: StoredResponse, staleIfErrorSetting: number): number {
  return s.mustRevalidate ? 0 : Math.max(s.staleIfError, staleIfErrorSetting);
}

const FRESH = { use: 'fresh' } as const;

export type Verdict = { use: 'fresh' } | { use: 'revalidate'; headers: Record<string, string> } | { use: 'fetch' };

/**
 * What the stored response can do for this request: answer as it is, be revalidated with the
 * returned conditional headers, or nothing (a new fetch).
 */
export function evaluate(s: StoredResponse, req: CacheRequest): Verdict {
  // The common case, decided without the library's full evaluation (which also builds response
  // headers nobody reads): no request directive, matching Vary, not stale. The same answer as
  // evaluateRequest gives then (the URL and method match by key).
  if (!('cache-control' in req.headers) && !('pragma' in req.headers) && matchesVary(s, req) && !s.policy.stale()) {
    return FRESH;
  }
  // A request `max-age=0` revalidates, as a browser's reload does; the library would still
  // accept a response received within the same millisecond (age 0 is not greater than 0).
  const zeroAge = /(?:^|,)\s*max-age\s*=\s*"?0+"?\s*(?:,|$)/i.test(req.headers['cache-control'] ?? '');
  const result = s.policy.evaluateRequest(req);
  const fresh = !zeroAge && !result.revalidation && !(s.mustRevalidate && s.policy.stale());
  if (fresh) return FRESH;
  if (!hasValidator(s)) return { use: 'fetch' };
  const conditional: Record<string, string> = {};
  const wanted = s.policy.revalidationHeaders(req);
  for (const name of ['if-none-match', 'if-modified-since']) {
    const v = wanted[name];
    if (typeof v === 'string' && v) conditional[name] = v;
  }
  return Object.keys(conditional).length ? { use: 'revalidate', headers: conditional } : { use: 'fetch' };
}

/** Whether the stale entry may answer instead of an error (RFC 5861 stale-if-error). */
export function mayServeStale(s: StoredResponse, staleIfErrorSetting: number): boolean {
  const window = staleWindow(s, staleIfErrorSetting);
  return window > 0 && s.policy.age() <= s.policy.maxAge() + window;
}

/** Milliseconds the entry stays worth keeping: fresh, then stale-if-error; revalidatable ones an hour at least. */
export function usableLifeMs(s: StoredResponse, staleIfErrorSetting: number): number {
  const left = s.policy.maxAge() - s.policy.age() + staleWindow(s, staleIfErrorSetting);
  const floor = hasValidator(s) ? 3600 : 0;
  return Math.max(0, Math.ceil(Math.max(left, floor) * 1000));
}

/** Headers the 304 may not replace: they describe the stored body (RFC 9111 §3.2). */
const KEPT_ON_UPDATE = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'content-range']);

/**
 * The stored response refreshed by a 304 (RFC 9111 §4.3.4): its headers replaced by the 304's,
 * freshness counted from now. Undefined when the 304 names another representation.
 */
export function refreshed(
  s: StoredResponse,
  req: CacheRequest,
  notModified: ResponseHeaders,
  cacheTtl: number,
): StoredResponse | undefined {
  const etag = headerText(notModified.etag);
  const storedEtag = headerText(s.headers.etag);
  if (etag && storedEtag && etag.replace(/^W\//, '') !== storedEtag.replace(/^W\//, '')) return undefined;
  const headers: ResponseHeaders = { ...s.headers };
  for (const [name, value] of Object.entries(notModified)) {
    if (!KEPT_ON_UPDATE.has(name)) headers[name] = value;
  }
  // The refreshed entry's age starts again: an Age the stored response carried no longer holds.
  if (!('age' in notModified)) delete headers.age;
  const { view, mustRevalidate, staleIfError } = policyView(req.method, s.status, headers, cacheTtl);
  const policy = new CachePolicy(req, { status: s.status, headers: view }, POLICY_OPTIONS);
  return {
    ...s,
    headers,
    policy,
    mustRevalidate,
    staleIfError,
    bytes: sizeOf(headers, s.body, s.url),
    vary: varyValues(headers, req.headers),
  };
}

/** The headers a msg gets for a stored response: a copy, `age` as of now. */
export function servedHeaders(s: StoredResponse): ResponseHeaders {
  const out: ResponseHeaders = {};
  for (const [name, value] of Object.entries(s.headers)) out[name] = Array.isArray(value) ? value.slice() : value;
  out.age = String(Math.round(s.policy.age()));
  return out;
}

/** A stored response as plain JSON-able data (the shared store), body apart. */
export interface StoredRecord {
  status: number;
  headers: ResponseHeaders;
  url: string;
  policy: CachePolicy.CachePolicyObject;
  mustRevalidate: boolean;
  staleIfError: number;
}

export function toRecord(s: StoredResponse): StoredRecord {
  return {
    status: s.status,
    headers: s.headers,
    url: s.url,
    policy: s.policy.toObject(),
    mustRevalidate: s.mustRevalidate,
    staleIfError: s.staleIfError,
  };
}

export function fromRecord(r: StoredRecord, body: Buffer): StoredResponse {
  return {
    status: r.status,
    headers: r.headers,
    body,
    url: r.url,
    policy: CachePolicy.fromObject(r.policy),
    mustRevalidate: r.mustRevalidate,
    staleIfError: r.staleIfError,
    bytes: sizeOf(r.headers, body, r.url),
    vary: varyValues(r.headers, (r.policy.reqh ?? {}) as Record<string, unknown>),
  };
}
