/**
 * One HTTP exchange through the datasource's axios instance (one `axios.create` per
 * datasource), over its keep-alive, proxy and TLS agents. Redirects, auth challenges and
 * retries are decided one level up (datasource.ts); here a request goes out once and its
 * whole, decompressed, size-capped body comes back as a Buffer. axios sends it through the
 * package's node:http transport, plugged in with axios' `adapter` option (axios-adapter.ts),
 * or through axios' own http adapter (`adapter: 'http'`, the bench's comparison lane).
 */
import http from 'node:http';
import https from 'node:https';
import axios from 'axios';
import type { AxiosInstance, AxiosRequestConfig, CreateAxiosDefaults, RawAxiosRequestHeaders } from 'axios';
import type { ExchangeSignal } from './cancel';
import { RestError } from '../errors';
import { ACCEPT_ENCODING, nodeHttpTransport } from './node-adapter';
import { leanAxiosAdapter, NODE_HEADERS } from './axios-adapter';
import type { DefaultHeader, LeanAxiosResponse, PresetHeaders } from './axios-adapter';
import { abortError, fromAxiosError } from './axios-errors';
import type { TlsOptions } from '../net/tls';
import type { HeaderMap, WireRequest, WireResponse } from '../types';
import { buildQueryString } from '../types';
import { KEEP_ALIVE_MSECS } from '../net/keep-alive';

export { CLOSED, TIMEOUT } from './axios-errors';

/**
 * Which axios adapter sends the requests: `lean`, the package's node:http transport (the
 * default: it measured cheaper, see docs/performance.md), or `http`, axios' own http adapter
 * configured the same way (`maxRedirects: 0`, `proxy: false`, the datasource's agents,
 * `decompress`, `maxContentLength`, `maxBodyLength`).
 */
export type AdapterChoice = 'lean' | 'http';

export interface ClientOptions {
  tls: TlsOptions;
  maxResponseBytes: number;
  maxRequestBytes: number;
  /** Agents to use instead of plain keep-alive ones (a proxy). */
  agents?: { http: http.Agent; https: https.Agent; foreignHttps?: https.Agent };
  /** The datasource's origin: the only one its client certificate is presented to. */
  ownOrigin?: string;
  /** [`lean`] */
  adapter?: AdapterChoice;
}

export const USER_AGENT = 'node-red-contrib-rest-datasource';
/** axios' default Accept, which requests have always carried unless they set their own. */
export const DEFAULT_ACCEPT = 'application/json, text/plain, */*';

/** The characters axios' AxiosHeaders removes from a header value: C0 controls but tab, and DEL. */
function isStripped(code: number): boolean {
  return (code < 0x20 && code !== 0x09) || code === 0x7f;
}

/**
 * A header value as axios' AxiosHeaders sends it (axios 1.x sanitizeHeaderValue): control
 * characters other than tab removed, then spaces and tabs trimmed at both ends. Every request
 * goes through AxiosHeaders, which does this itself; this copy is for code that must know the
 * wire value before axios sees it. Index loops, linear in the value's length (a regex trim such
 * as /^[\t ]+|[\t ]+$/g is quadratic on a long run of spaces). test/unit/lib.test.js compares
 * it with AxiosHeaders.
 */
export function normalizeHeaderValue(value: string): string {
  let out = value;
  for (let i = 0; i < value.length; i++) {
    if (!isStripped(value.charCodeAt(i))) continue;
    // Something to remove: copy the runs between removed characters.
    out = value.slice(0, i);
    let from = i + 1;
    for (let j = from; j < value.length; j++) {
      if (isStripped(value.charCodeAt(j))) {
        if (j > from) out += value.slice(from, j);
        from = j + 1;
      }
    }
    out += value.slice(from);
    break;
  }
  let start = 0;
  let end = out.length;
  while (start < end && (out.charCodeAt(start) === 0x20 || out.charCodeAt(start) === 0x09)) start++;
  while (end > start && (out.charCodeAt(end - 1) === 0x20 || out.charCodeAt(end - 1) === 0x09)) end--;
  return start === 0 && end === out.length ? out : out.slice(start, end);
}

/**
 * The headers every request carries unless it sets its own: the package's User-Agent, axios'
 * default Accept (which requests have always carried) and the encodings the transport decodes.
 */
export const DEFAULT_HEADERS: readonly DefaultHeader[] = [
  { key: 'user-agent', name: 'User-Agent', value: USER_AGENT },
  { key: 'accept', name: 'Accept', value: DEFAULT_ACCEPT },
  { key: 'accept-encoding', name: 'Accept-Encoding', value: ACCEPT_ENCODING },
];

/**
 * The request headers handed to axios: the map's entries (names trimmed; AxiosHeaders
 * normalizes the values), then the `defaults` it does not override. The lean adapter adds
 * DEFAULT_HEADERS itself (axios-adapter.ts), so its requests pass none here.
 */
export function wireHeaders(
  map: HeaderMap,
  defaults: readonly DefaultHeader[] = DEFAULT_HEADERS,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of map.values()) {
    const key = name.trim();
    if (key) headers[key] = value;
  }
  for (const d of defaults) if (!map.has(d.key)) headers[d.name] = d.value;
  return headers;
}

/** A constant header as a request carries it (raw name and value) and its bit in the preset mask. */
interface Preset {
  readonly name: string;
  readonly value: string;
  readonly bit: number;
}

/** At most this many constant headers go to the adapter (one bit each in a small integer). */
const MAX_PRESETS = 30;

/** Methods for which axios would invent a form Content-Type when the request has none. */
const FORM_DEFAULTED = new Set(['POST', 'PUT', 'PATCH']);

export class HttpClient {
  /** The datasource's axios instance: every request of the datasource goes through it. */
  readonly axios: AxiosInstance;
  readonly httpAgent: http.Agent;
  readonly httpsAgent: https.Agent;
  /** The defaults `exchange` adds to a request's headers: none when the adapter adds them. */
  private readonly headerDefaults: readonly DefaultHeader[];
  /** Same trust, no client certificate: for every origin but the datasource's (a redirect hop). */
  private readonly foreignHttpsAgent: https.Agent | undefined;
  /** The constant headers the lean adapter adds (presetHeaders), shared with it. */
  private readonly presets: PresetHeaders = { list: [] };
  /** The same, by lower-case name, for matching a request's headers; undefined when none. */
  private presetByKey: Map<string, Preset> | undefined;

  constructor(private readonly options: ClientOptions) {
    const { tls } = options;
    this.httpAgent =
      options.agents?.http ?? new http.Agent({ keepAlive: true, keepAliveMsecs: KEEP_ALIVE_MSECS, scheduling: 'lifo' });
    this.httpsAgent =
      options.agents?.https ??
      new https.Agent({
        keepAlive: true,
        keepAliveMsecs: KEEP_ALIVE_MSECS,
        scheduling: 'lifo',
        rejectUnauthorized: tls.rejectUnauthorized,
        ...(tls.secureContext ? { secureContext: tls.secureContext } : {}),
      });
    // A client certificate is a stored secret: other origins (a redirect hop) get an agent
    // with the same trust and verification, without the certificate.
    const withoutCert = tls.withoutClientCertificate;
    if (withoutCert && options.ownOrigin) {
      this.foreignHttpsAgent =
        options.agents?.foreignHttps ??
        new https.Agent({
          keepAlive: true,
          keepAliveMsecs: KEEP_ALIVE_MSECS,
          scheduling: 'lifo',
          rejectUnauthorized: tls.rejectUnauthorized,
          ...(withoutCert.secureContext ? { secureContext: withoutCert.secureContext } : {}),
        });
    }
    const config: CreateAxiosDefaults = {
      // An absolute URL must never replace the datasource origin (CVE-2025-27152).
      allowAbsoluteUrls: false,
      // Every status is an answer: the datasource decides what an error is.
      validateStatus: () => true,
      // No transformRequest / transformResponse: bodies are Buffers both ways, nothing to
      // serialize or parse. Left out rather than set to [] (axios copies an array default into
      // every request; with none it runs none): 2-3 µs of axios' ~15 per request.
    };
    if (options.adapter === 'http') {
      Object.assign(config, {
        adapter: 'http',
        // Redirects are followed hop by hop in datasource.ts (credentials re-decided at every
        // hop); 0 also keeps follow-redirects out of the request.
        maxRedirects: 0,
        // Proxies are the agents (CONNECT for https), never axios' own proxy handling.
        proxy: false,
        httpAgent: this.httpAgent,
        httpsAgent: this.httpsAgent,
        decompress: true,
        maxContentLength: options.maxResponseBytes,
        maxBodyLength: options.maxRequestBytes,
        responseType: 'arraybuffer',
      });
      this.headerDefaults = DEFAULT_HEADERS;
    } else {
      // The transport owns the agents, the size cap after decompression and the Buffer body.
      config.adapter = leanAxiosAdapter(
        nodeHttpTransport({
          maxResponseBytes: options.maxResponseBytes,
          httpAgent: this.httpAgent,
          httpsAgent: this.httpsAgent,
          ...(this.foreignHttpsAgent && options.ownOrigin
            ? { foreign: { httpsAgent: this.foreignHttpsAgent, ownOrigin: options.ownOrigin } }
            : {}),
        }),
        DEFAULT_HEADERS,
        this.presets,
      );
      this.headerDefaults = [];
    }
    this.axios = axios.create(config);
    // axios merges the instance defaults into every request key by key, so each default costs
    // CPU per request: keep only the ones set above. Gone: axios' global defaults for headers
    // (deep-copied per request; the Accept it sets is sent by wireHeaders or the adapter),
    // `transitional` (validated per request), the JSON transforms, xsrf names (browser only),
    // `env` (FormData classes), timeout 0 (the datasource times requests itself through the
    // signal).
    const kept = new Set(Object.keys(config));
    const defaults = this.axios.defaults as unknown as Record<string, unknown>;
    for (const key of Object.keys(defaults)) if (!kept.has(key)) delete defaults[key];
  }

  /**
   * The datasource's constant headers (its header rows, a static Authorization), told once per
   * deploy. A request that carries one of them unchanged (same name, same value) gets it from
   * the lean adapter, normalized here once, instead of through AxiosHeaders, which would merge,
   * validate and normalize it again for every request; a request without it, or with another
   * value, is sent as before. Only the lean adapter takes them (the `http` lane is axios alone).
   */
  presetHeaders(headers: Iterable<readonly [name: string, value: string]>): void {
    if (this.headerDefaults.length) return;
    const byKey = new Map<string, Preset>();
    const list: DefaultHeader[] = [];
    for (const [name, value] of headers) {
      const trimmed = name.trim();
      const key = trimmed.toLowerCase();
      if (!key || byKey.has(key) || list.length >= MAX_PRESETS) continue;
      byKey.set(key, { name, value, bit: 1 << list.length });
      list.push({ key, name: trimmed, value: normalizeHeaderValue(value) });
    }
    this.presets.list = list;
    this.presetByKey = byKey.size ? byKey : undefined;
  }

  /** Not an async function: one promise chain instead of a suspended frame per request in flight. */
  exchange(req: WireRequest, signal: ExchangeSignal): Promise<WireResponse> {
    // Behind the header rules (http/headers.ts), on the wire: Node's https would take the TLS
    // server name and the certificate check from a Host header; the origin alone decides them.
    if (req.headers.has('host')) {
      return Promise.reject(
        new RestError('CONFIG_ERROR', 'a Host header cannot be sent: the datasource base URL decides the host'),
      );
    }
    const qs = buildQueryString(req.rawQuery, req.query);
    const path = req.pathname + (qs ? '?' + qs : '');
    if (req.body && req.body.length > this.options.maxRequestBytes) {
      return Promise.reject(
        new RestError(
          'REQUEST_TOO_LARGE',
          `the request body has ${req.body.length} bytes, more than the datasource's limit of ${this.options.maxRequestBytes}`,
        ),
      );
    }
    const url = req.origin + req.pathname;
    // Each key is merged with the instance defaults per request: GET, axios' default method, is left out.
    const config: AxiosRequestConfig = { baseURL: req.origin, url: path, signal };
    if (req.method !== 'GET') config.method = req.method;
    // `false` keeps axios from inventing a form Content-Type for a POST, PUT or PATCH without one.
    const noContentType = FORM_DEFAULTED.has(req.method) && !req.headers.has('content-type');
    // No headers object at all when there is nothing to send (the lean adapter adds the
    // defaults and the constant headers): axios then skips merging, copying and normalizing
    // one per request.
    const presets = this.presetByKey;
    let mask = 0;
    let headers: RawAxiosRequestHeaders | undefined;
    if (presets && req.headers.size) {
      for (const [key, entry] of req.headers) {
        const preset = presets.get(key);
        if (preset && preset.value === entry[1] && preset.name === entry[0]) {
          mask |= preset.bit;
        } else {
          const name = entry[0].trim();
          if (name) (headers ??= {})[name] = entry[1];
        }
      }
    } else if (req.headers.size || this.headerDefaults.length) {
      headers = wireHeaders(req.headers, this.headerDefaults);
    }
    if (noContentType) (headers ??= {})['Content-Type'] = false;
    if (headers) config.headers = headers;
    // Set on every exchange (a signal is reused across an attempt's hops): 0 adds none.
    if (presets || signal.presetMask) signal.presetMask = mask;
    if (req.body) config.data = req.body;
    // axios' own http adapter (the bench's lane) takes its agent per request: the same rule.
    if (this.headerDefaults.length && this.foreignHttpsAgent && req.origin !== this.options.ownOrigin) {
      config.httpsAgent = this.foreignHttpsAgent;
    }
    const sent: Promise<LeanAxiosResponse> = this.axios.request<Buffer>(config);
    return sent.then(
      (res) => {
        // Aborted while the complete response was being handed over: still an abort.
        if (signal.aborted) throw abortError(signal.reason, url);
        return {
          statusCode: res.status,
          headers: res[NODE_HEADERS] ?? { ...(res.headers as Record<string, string | string[]>) },
          body: Buffer.isBuffer(res.data) ? res.data : Buffer.from(res.data ?? ''),
          url: req.origin + path,
        };
      },
      (err: unknown) => {
        throw fromAxiosError(err, url, this.options, signal);
      },
    );
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    if (this.foreignHttpsAgent) this.foreignHttpsAgent.destroy();
  }
}
