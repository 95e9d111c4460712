/** Shapes shared by the request pipeline. Plain data only: no Node-RED, no axios. */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

export type BodyType = 'auto' | 'json' | 'form' | 'multipart' | 'text' | 'binary' | 'none';
export type ResponseType = 'auto' | 'json' | 'text' | 'binary';

/** A `{name, value}` row of the editor's lists. */
export interface NameValue {
  name: string;
  value: string;
}

/** Header map keyed by lower-case name; the entry keeps the name as the user wrote it. */
export type HeaderMap = Map<string, [name: string, value: string]>;
/** Query parameters: a name may repeat (array values). */
export type ParamMap = Map<string, string[]>;

/** The request a query node asks for, before auth and transport. */
export interface RequestPlan {
  method: HttpMethod;
  /** Path relative to the base URL (placeholders filled), possibly with its own `?query`. */
  path: string;
  /** An absolute same-origin URL from msg.url, used instead of path. */
  absoluteUrl?: string;
  headers: HeaderMap;
  params: ParamMap;
  cookies: Map<string, string>;
  /** Header and param names set by the query node or msg (auth does not override them). */
  explicitHeaders: ReadonlySet<string>;
  explicitParams: ReadonlySet<string>;
  /** The body value (msg.payload merged with the datasource's body fields). */
  body: unknown;
  bodyType: BodyType;
  responseType: ResponseType;
  timeout?: number;
  /** Seconds a 200 GET without freshness information stays fresh in the datasource's cache (0: none). */
  cacheTtl?: number;
}

/** One HTTP exchange as it goes on the wire (after auth, before redirects). */
export interface WireRequest {
  method: HttpMethod;
  /** e.g. `https://api.example.com:8443` */
  origin: string;
  /** encoded path, starting with `/` */
  pathname: string;
  /** query string from the path itself, without `?` (kept byte for byte) */
  rawQuery: string;
  query: Array<[string, string]>;
  headers: HeaderMap;
  body?: Buffer;
  explicitHeaders: ReadonlySet<string>;
  explicitParams: ReadonlySet<string>;
  /** The body holds the access token (a `{{$token}}` body field): it must not leave the origin. */
  tokenInBody?: boolean;
}

export interface WireResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: string;
}

/** How the datasource's cache answered (msg.cache); absent when it neither caches nor coalesces. */
export type CacheOutcome = 'miss' | 'hit' | 'revalidated' | 'stale' | 'shared';

export interface HttpResult extends WireResponse {
  /** how many attempts it took (1 without retries) */
  attempts: number;
  /** milliseconds from first byte sent to response complete */
  timeMs: number;
  /** The response came through redirects (the cache does not store it under the asked URL). */
  redirected?: boolean;
  cache?: CacheOutcome;
}

/** Events a send reports while it runs, for node status. */
export interface SendObserver {
  onRetry?(attempt: number, reason: string, delayMs: number): void;
  onQueued?(): void;
}

export function buildQueryString(rawQuery: string, query: ReadonlyArray<[string, string]>): string {
  let out = rawQuery;
  for (const [name, value] of query) {
    out += (out ? '&' : '') + encodeURIComponent(name) + '=' + encodeURIComponent(value);
  }
  return out;
}

export function wireUrl(req: WireRequest): string {
  const qs = buildQueryString(req.rawQuery, req.query);
  return req.origin + req.pathname + (qs ? '?' + qs : '');
}
