/**
 * Redirect decisions. A hop that leaves the datasource origin (another host, port, or an
 * https→http downgrade) loses every credential: Authorization, Cookie, API-key and secret
 * headers. Auth is re-applied only on hops back on the datasource origin.
 */
import type { HttpMethod, WireRequest, WireResponse } from '../types';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function redirectLocation(res: WireResponse): string | undefined {
  if (!REDIRECTS.has(res.statusCode)) return undefined;
  const loc = res.headers.location;
  const text = Array.isArray(loc) ? loc[0] : loc;
  return text || undefined;
}

export function nextHop(
  req: WireRequest,
  res: WireResponse,
  location: string,
  baseOrigin: string,
  sensitiveHeaders: ReadonlySet<string>,
): WireRequest {
  const target = new URL(location, res.url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new Error(`redirect to unsupported protocol ${target.protocol}`);
  }
  let method: HttpMethod = req.method;
  let body = req.body;
  const headers = new Map(req.headers);
  if (res.statusCode === 303 || ((res.statusCode === 301 || res.statusCode === 302) && method === 'POST')) {
    method = method === 'HEAD' ? 'HEAD' : 'GET';
    body = undefined;
    headers.delete('content-type');
  }
  if (target.origin !== baseOrigin) {
    for (const name of sensitiveHeaders) headers.delete(name);
  }
  return {
    method,
    origin: target.origin,
    pathname: target.pathname,
    rawQuery: target.search.slice(1),
    query: [],
    headers,
    body,
    explicitHeaders: req.explicitHeaders,
    explicitParams: req.explicitParams,
  };
}
