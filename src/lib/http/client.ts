/**
 * One HTTP exchange over the datasource's keep-alive agents. Redirects, auth challenges and
 * retries are decided one level up (datasource.ts); here a request goes out once and its whole,
 * decompressed, size-capped body comes back.
 */
import http from 'node:http';
import https from 'node:https';
import type { ExchangeSignal } from './cancel';
import { fromNetworkError, RestError } from '../errors';
import { ACCEPT_ENCODING, nodeHttpTransport } from './node-adapter';
import type { Transport, TransportResponse } from './node-adapter';
import type { TlsOptions } from '../net/tls';
import type { HeaderMap, WireRequest, WireResponse } from '../types';
import { buildQueryString } from '../types';
import { KEEP_ALIVE_MSECS } from '../net/keep-alive';
import { trimSpacesAndTabs } from '../text';

export interface ClientOptions {
  tls: TlsOptions;
  maxResponseBytes: number;
  maxRequestBytes: number;
  /** Agents to use instead of plain keep-alive ones (a proxy). */
  agents?: { http: http.Agent; https: https.Agent; foreignHttps?: https.Agent };
  /** The datasource's origin: the only one its client certificate is presented to. */
  ownOrigin?: string;
}

export const USER_AGENT = 'node-red-contrib-rest-datasource';
/** axios' default Accept, which requests have always carried unless they set their own. */
export const DEFAULT_ACCEPT = 'application/json, text/plain, */*';

/** Why an exchange was aborted: reported as the matching stable code. */
export const TIMEOUT = Symbol('timeout');
export const CLOSED = Symbol('closed');

// A header value as axios' AxiosHeaders normalizes it (axios 1.x normalizeValue), which every
// request went through while axios' request pipeline ran: control characters other than tab
// removed, then spaces and tabs trimmed at both ends (an index loop: /[\t ]+$/ is quadratic on a
// long run of spaces). The test regex finds the rare value that
// needs it; test/unit/lib.test.js checks this against AxiosHeaders itself.
// eslint-disable-next-line no-control-regex -- these are the characters axios removes
const STRIPPED = /[\x00-\x08\x0a-\x1f\x7f]+/g;
// eslint-disable-next-line no-control-regex -- the same characters, found
const NEEDS_NORMALIZING = /[\x00-\x08\x0a-\x1f\x7f]|^[\t ]|[\t ]$/;

export function normalizeHeaderValue(value: string): string {
  return NEEDS_NORMALIZING.test(value) ? trimSpacesAndTabs(value.replace(STRIPPED, '')) : value;
}

/** The request headers for node:http: the map's entries, then the defaults it does not override. */
export function wireHeaders(map: HeaderMap): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of map.values()) {
    const key = name.trim();
    if (key) headers[key] = normalizeHeaderValue(value);
  }
  if (!map.has('user-agent')) headers['User-Agent'] = USER_AGENT;
  if (!map.has('accept')) headers.Accept = DEFAULT_ACCEPT;
  if (!map.has('accept-encoding')) headers['Accept-Encoding'] = ACCEPT_ENCODING;
  return headers;
}

export class HttpClient {
  private readonly transport: Transport;
  readonly httpAgent: http.Agent;
  readonly httpsAgent: https.Agent;
  private readonly foreignHttpsAgent: https.Agent | undefined;

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
    this.transport = nodeHttpTransport({
      maxResponseBytes: options.maxResponseBytes,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      ...(this.foreignHttpsAgent && options.ownOrigin
        ? { foreign: { httpsAgent: this.foreignHttpsAgent, ownOrigin: options.ownOrigin } }
        : {}),
    });
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
    let sent: Promise<TransportResponse>;
    try {
      sent = this.transport({
        method: req.method,
        origin: req.origin,
        path,
        headers: wireHeaders(req.headers),
        body: req.body,
        signal,
      });
    } catch (err) {
      return Promise.reject(this.translate(err as Error, req.origin + req.pathname, signal));
    }
    return sent.then(
      (res) => {
        // Aborted while the complete response was being handed over: still an abort.
        if (signal.aborted) throw this.translate(new Error('aborted'), req.origin + req.pathname, signal);
        return { statusCode: res.status, headers: res.headers, body: res.body, url: req.origin + path };
      },
      (err: Error) => {
        throw this.translate(err, req.origin + req.pathname, signal);
      },
    );
  }

  private translate(err: Error, url: string, signal: ExchangeSignal): RestError {
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
    return fromNetworkError(err, url);
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    if (this.foreignHttpsAgent) this.foreignHttpsAgent.destroy();
  }
}
