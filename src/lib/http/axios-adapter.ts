/**
 * The datasource's node:http transport (node-adapter.ts) as an axios adapter, plugged in
 * through axios' documented `adapter` option: axios runs its request pipeline (config merge,
 * AxiosHeaders, transforms, interceptors, cancellation, errors) and hands the final request to
 * this function, which sends it on the datasource's keep-alive agents. It replaces axios' own
 * http adapter because it measured cheaper per request (docs/performance.md, "axios in the
 * request path").
 *
 * What it reads of the request config: `method`, `baseURL` (the origin), `url` (path and
 * query, already in the form URL parsing gives: joined to the origin as text, never
 * resolved), `headers`, `data` (a Buffer or nothing) and `signal`. The agents, the size cap
 * after decompression and the decompression itself are the transport's, set per datasource,
 * so axios' options for them (`httpAgent`, `maxContentLength`, `decompress`) are not merged
 * into every request. The same goes for the headers every request carries unless it sets its
 * own (User-Agent, Accept, Accept-Encoding), and for the datasource's constant headers (its
 * header rows, a static Authorization): fixed per deploy and normalized once the way
 * AxiosHeaders would, they are added here instead of being merged, validated and normalized
 * by axios' header code on every request. Which constant headers a request carries is decided
 * per request (client.ts) and handed over on the exchange signal, the one per-request object
 * axios passes to the adapter untouched.
 */
import { AxiosHeaders } from 'axios';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { ExchangeSignal } from './cancel';
import type { Transport } from './node-adapter';

/**
 * The response headers exactly as node:http parsed them (lower-case names, values trimmed;
 * its parser refuses control characters), beside the `headers` axios turns into AxiosHeaders:
 * the exchange returns these, so no AxiosHeaders has to be turned back into a plain object.
 */
export const NODE_HEADERS = Symbol('node:http response headers');

export type LeanAxiosResponse = AxiosResponse<Buffer> & { [NODE_HEADERS]?: Record<string, string | string[]> };

/** A header the adapter adds unless the request has it. `key`: its name in lower case. */
export interface DefaultHeader {
  readonly key: string;
  readonly name: string;
  readonly value: string;
}

/**
 * The datasource's constant headers, in the order of their bits in `ExchangeSignal.presetMask`.
 * Values already as AxiosHeaders would send them (normalizeHeaderValue).
 */
export interface PresetHeaders {
  list: readonly DefaultHeader[];
}

/**
 * Response headers as node:http's parser gave them, already in the form AxiosHeaders'
 * `normalize()` gives (lower-case names without surrounding blanks; values without control
 * characters, which the parser refuses, and without surrounding blanks, which it strips;
 * test/axios-client.test.js compares the two on tricky headers). axios normalizes every
 * response's headers once more in dispatchRequest; for these it has nothing to change.
 * `normalize(true)` (title-cased names) still runs.
 */
class ParsedHeaders extends AxiosHeaders {
  normalize(format?: boolean): AxiosHeaders {
    return format ? super.normalize(format) : this;
  }
}

export function leanAxiosAdapter(
  transport: Transport,
  defaults: readonly DefaultHeader[] = [],
  presets: PresetHeaders = { list: [] },
): AxiosAdapter {
  return (config: InternalAxiosRequestConfig) => {
    const { baseURL, url } = config;
    // allowAbsoluteUrls is off and the client only ever passes a path: anything else is a bug.
    if (!baseURL || !url || url[0] !== '/') {
      return Promise.reject(new Error(`the lean adapter needs an origin and a path, not ${String(url)}`));
    }
    const headers = config.headers.toJSON(true) as Record<string, string>;
    const signal = config.signal as ExchangeSignal;
    const mask = signal.presetMask;
    if (mask) {
      const { list } = presets;
      for (let i = 0; i < list.length; i++) if (mask & (1 << i)) headers[list[i].name] = list[i].value;
    }
    if (defaults.length) addMissing(headers, defaults);
    return transport({
      method: (config.method ?? 'get').toUpperCase(),
      origin: baseURL,
      path: url,
      headers,
      body: config.data as Buffer | undefined,
      signal,
    }).then((res): LeanAxiosResponse => {
      return {
        data: res.body,
        status: res.status,
        statusText: '',
        // Already an AxiosHeaders, so axios does not build one from the plain object twice
        // (once to run the response transforms, once for the response).
        headers: Object.assign(new ParsedHeaders(), res.headers),
        config,
        request: undefined,
        [NODE_HEADERS]: res.headers,
      };
    });
  };
}

/** Each default whose name the headers lack (compared case-insensitively), appended. */
function addMissing(headers: Record<string, string>, defaults: readonly DefaultHeader[]): void {
  let present = 0;
  for (const name in headers) {
    const key = name.toLowerCase();
    for (let i = 0; i < defaults.length; i++) if (defaults[i].key === key) present |= 1 << i;
  }
  for (let i = 0; i < defaults.length; i++) if (!(present & (1 << i))) headers[defaults[i].name] = defaults[i].value;
}
