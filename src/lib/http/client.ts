/**
 * One HTTP exchange over the datasource's shared axios instance and keep-alive agents.
 * Redirects, auth challenges and retries are decided one level up (transport.ts); here a
 * request goes out once and its whole, decompressed, size-capped body comes back.
 */
import http from 'node:http';
import https from 'node:https';
import axios from 'axios';
import type { AxiosError, AxiosInstance, AxiosResponse } from 'axios';
import type { ExchangeSignal } from './cancel';
import { fromNetworkError, RestError } from '../errors';
import { NODE_HEADERS, nodeHttpAdapter } from './node-adapter';
import type { TlsOptions } from '../net/tls';
import type { WireRequest, WireResponse } from '../types';
import { buildQueryString } from '../types';
import { KEEP_ALIVE_MSECS } from '../net/keep-alive';

export interface ClientOptions {
  tls: TlsOptions;
  maxResponseBytes: number;
  maxRequestBytes: number;
  /** Agents to use instead of plain keep-alive ones (a proxy). */
  agents?: { http: http.Agent; https: https.Agent };
}

export const USER_AGENT = 'node-red-contrib-rest-datasource';
/** axios' own default Accept, sent by us so axios has no default headers to merge. */
export const DEFAULT_ACCEPT = 'application/json, text/plain, */*';

/** Why an exchange was aborted: reported as the matching stable code. */
export const TIMEOUT = Symbol('timeout');
export const CLOSED = Symbol('closed');

export class HttpClient {
  private readonly axios: AxiosInstance;
  readonly httpAgent: http.Agent;
  readonly httpsAgent: https.Agent;

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
    this.axios = axios.create({
      // We follow redirects ourselves, so credentials are re-decided at every hop.
      maxRedirects: 0,
      // Proxies are agents (CONNECT for https), never axios' cleartext absolute-URL mode.
      proxy: false,
      // An absolute URL must never replace the datasource origin (CVE-2025-27152).
      allowAbsoluteUrls: false,
      validateStatus: null,
      // A lean node:http adapter instead of axios' general-purpose one (see node-adapter.ts). It
      // owns the agents, the response size cap, decompression and the Buffer body, so axios'
      // options for those (agents, maxContentLength, decompress, responseType) are not needed.
      adapter: nodeHttpAdapter({
        maxResponseBytes: options.maxResponseBytes,
        httpAgent: this.httpAgent,
        httpsAgent: this.httpsAgent,
      }),
    });
    // axios merges its defaults into every request key by key (mergeConfig), so each default
    // costs CPU per request: keep only the ones above. Gone: the header buckets (deep-copied per
    // request; the one with a value, Accept, is sent by `exchange`), `transitional` (validated
    // per request; its fallbacks are the same values), the request and response transforms
    // (none: bodies are Buffers both ways), browser-only xsrf names, `env` (FormData classes),
    // timeout 0 (the datasource times requests itself) and maxBodyLength (checked by
    // `exchange`). About 7 µs per request (bench/layers.js, docs/performance.md).
    const kept = new Set(['maxRedirects', 'proxy', 'allowAbsoluteUrls', 'validateStatus', 'adapter']);
    const defaults = this.axios.defaults as unknown as Record<string, unknown>;
    for (const key of Object.keys(defaults)) if (!kept.has(key)) delete defaults[key];
  }

  async exchange(req: WireRequest, signal: ExchangeSignal): Promise<WireResponse> {
    // Behind the header rules (http/headers.ts), on the wire: Node's https would take the TLS
    // server name and the certificate check from a Host header; the origin alone decides them.
    if (req.headers.has('host')) {
      throw new RestError('CONFIG_ERROR', 'a Host header cannot be sent: the datasource base URL decides the host');
    }
    const qs = buildQueryString(req.rawQuery, req.query);
    const path = req.pathname + (qs ? '?' + qs : '');
    const headers: Record<string, string | false> = {};
    for (const [name, value] of req.headers.values()) headers[name] = value;
    if (!req.headers.has('user-agent')) headers['User-Agent'] = USER_AGENT;
    if (!req.headers.has('accept')) headers.Accept = DEFAULT_ACCEPT;
    // `false` stops axios from inventing a form content type for a POST without a body.
    if (!req.headers.has('content-type')) headers['Content-Type'] = false;
    if (req.body && req.body.length > this.options.maxRequestBytes) {
      throw new RestError(
        'REQUEST_TOO_LARGE',
        `the request body has ${req.body.length} bytes, more than the datasource's limit of ${this.options.maxRequestBytes}`,
      );
    }
    let res: AxiosResponse<Buffer>;
    try {
      res = await this.axios.request<Buffer>({
        method: req.method,
        baseURL: req.origin,
        url: path,
        headers,
        data: req.body,
        signal,
      });
    } catch (err) {
      throw this.translate(err as AxiosError, req.origin + req.pathname, signal);
    }
    return {
      statusCode: res.status,
      headers: (res as unknown as Record<typeof NODE_HEADERS, Record<string, string | string[]>>)[NODE_HEADERS],
      body: Buffer.isBuffer(res.data) ? res.data : Buffer.from(res.data ?? ''),
      url: req.origin + path,
    };
  }

  private translate(err: AxiosError, url: string, signal: ExchangeSignal): RestError {
    if (signal.aborted) {
      if (signal.reason === TIMEOUT) return new RestError('ETIMEDOUT', `request to ${url} timed out`);
      return new RestError('ABORTED', `request to ${url} was aborted because the datasource was redeployed or stopped`);
    }
    if (/maxContentLength/.test(err.message)) {
      return new RestError(
        'RESPONSE_TOO_LARGE',
        `the response from ${url} is larger than the limit of ${this.options.maxResponseBytes} bytes (maxResponseBytes)`,
      );
    }
    if (/maxBodyLength/.test(err.message)) {
      return new RestError(
        'REQUEST_TOO_LARGE',
        `the request body is larger than the limit of ${this.options.maxRequestBytes} bytes`,
      );
    }
    if (err.code === 'ERR_BAD_RESPONSE' && /aborted/.test(err.message)) {
      return new RestError('ECONNRESET', `connection to ${url} closed before the response was complete`);
    }
    return fromNetworkError(err, url);
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
