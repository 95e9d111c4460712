/**
 * Where a request URL splits into a datasource base URL and a query path: under the given
 * datasource's base URL when it lies there, else the URL's origin plus its leading API segments
 * (`/api`, `/v1`, `/rest/v2`, ...), which is what API documentation calls the base URL.
 */

/** Leading path segments that name an API rather than a resource. */
const API_SEGMENT = /^(api|apis|rest|v\d+(\.\d+)*|\d+(\.\d+)+)$/i;

export interface BaseSplit {
  baseUrl: string;
  /** path relative to baseUrl, starting with `/` (or '' for the base itself) */
  path: string;
  underDatasource: boolean;
}

function trimSlash(path: string): string {
  return path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Is `url` at or below `base` (same origin, base path a whole-segment prefix)? Then the rest. */
export function pathUnder(base: URL, url: URL): string | undefined {
  if (url.origin !== base.origin) return undefined;
  const basePath = trimSlash(base.pathname);
  if (basePath === '') return url.pathname;
  if (url.pathname === basePath) return '';
  return url.pathname.startsWith(basePath + '/') ? url.pathname.slice(basePath.length) : undefined;
}

export function splitBaseUrl(url: URL, datasourceBaseUrl?: string): BaseSplit {
  if (datasourceBaseUrl) {
    let base: URL | undefined;
    try {
      base = new URL(datasourceBaseUrl);
    } catch {
      base = undefined;
    }
    const rest = base ? pathUnder(base, url) : undefined;
    if (base && rest !== undefined) {
      return { baseUrl: datasourceBaseUrl, path: rest, underDatasource: true };
    }
  }
  const segments = url.pathname.split('/').slice(1);
  let n = 0;
  while (n < segments.length - 1 && API_SEGMENT.test(segments[n])) n++;
  const basePath = n ? '/' + segments.slice(0, n).join('/') : '';
  return { baseUrl: url.origin + basePath, path: url.pathname.slice(basePath.length), underDatasource: false };
}
