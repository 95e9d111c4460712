/**
 * The datasource's transport on node:http/https: one request on the datasource's keep-alive
 * agent, the body decompressed (gzip, deflate, br) and capped after decompression, abort
 * through the exchange signal. axios calls it through the adapter of axios-adapter.ts, in
 * place of axios' general-purpose http adapter, which costs more per request for redirects,
 * proxies, streams, progress events, form-data and data: URLs, none of which the datasource
 * uses here (docs/performance.md, "axios in the request path").
 */
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import type { ExchangeSignal } from './cancel';

export const ACCEPT_ENCODING = 'gzip, deflate, br';
const LENIENT = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };

/** The decoder for a Content-Encoding, or undefined for identity (and unknown codings). */
function decoderFor(
  encoding: string | string[] | undefined,
): zlib.Gunzip | zlib.Unzip | zlib.BrotliDecompress | undefined {
  switch ((Array.isArray(encoding) ? encoding[0] : (encoding ?? '')).trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
    case 'deflate':
      // Unzip detects gzip and zlib-wrapped deflate by their headers.
      return zlib.createUnzip(LENIENT);
    case 'br':
      return zlib.createBrotliDecompress({
        flush: zlib.constants.BROTLI_OPERATION_FLUSH,
        finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      });
    default:
      return undefined;
  }
}

/**
 * The path as URL parsing would send it. The path part and the query the datasource copied
 * from a URL are already in that form; the query pairs it appended (encodeURIComponent) differ
 * from it in one character only: the apostrophe, which URL parsing escapes in an http(s) query.
 */
export function wirePath(url: string): string {
  const q = url.indexOf('?');
  if (q < 0 || url.indexOf("'", q) < 0) return url;
  return url.slice(0, q) + url.slice(q).replace(/'/g, '%27');
}

/** The message the client maps to RESPONSE_TOO_LARGE (the same words as axios' adapter). */
export function tooLarge(limit: number): Error {
  return new Error(`maxContentLength size of ${limit} exceeded`);
}

export interface AdapterOptions {
  maxResponseBytes: number;
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
  /**
   * With a client certificate: the agent for https origins other than `ownOrigin`, which
   * presents none (the certificate goes to the datasource's own origin only).
   */
  foreign?: { httpsAgent: https.Agent; ownOrigin: string };
}

/** Where an origin's requests go: parsed once per origin, not once per request. */
interface Endpoint {
  request: typeof http.request;
  hostname: string;
  port: string | number;
  agent: http.Agent;
}

/**
 * How often one request is sent again after a reused keep-alive connection turned out closed
 * (each time on another connection; every idle one may have been closed at once).
 */
const MAX_STALE_RESENDS = 2;

/** Methods a server may receive twice with the same effect (RFC 9110, 9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * Whether a request failed only because the kept-alive connection it reused was already
 * closed by the server: reset or hung up before any answer, on a reused socket, and safe to
 * send again (idempotent). A POST that meets this fails as before (it may have been received).
 */
function staleConnection(request: http.ClientRequest, err: Error & { code?: string }): boolean {
  return request.reusedSocket && IDEMPOTENT.has(request.method) && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
}

/** Closes the agent's idle keep-alive connections (the agent forgets each as it closes). */
function dropIdleConnections(agent: http.Agent): void {
  for (const idle of Object.values(agent.freeSockets)) for (const socket of idle ?? []) socket.destroy();
}

/** Origins a client talks to: its datasource's, plus redirect targets (bounded). */
const MAX_ENDPOINTS = 32;

/** One request as the transport sends it. */
export interface TransportRequest {
  /** upper case */
  method: string;
  /** e.g. `https://api.example.com:8443` */
  origin: string;
  /** path and query, in the form URL parsing gives (see wirePath) */
  path: string;
  /** the request headers, final: the transport adds only Accept-Encoding and Content-Length */
  headers: Record<string, string>;
  body?: Buffer;
  signal: ExchangeSignal;
}

export interface TransportResponse {
  status: number;
  /** As node:http parsed them: lower-case names, values trimmed (its parser refuses control characters). */
  headers: Record<string, string | string[]>;
  body: Buffer;
}

export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** The transport `exchange` errors come from: errors of node:http, 'aborted', or tooLarge(). */
export function nodeHttpTransport(options: AdapterOptions): Transport {
  const { maxResponseBytes } = options;
  const endpoints = new Map<string, Endpoint>();
  const endpointOf = (origin: string): Endpoint => {
    let endpoint = endpoints.get(origin);
    if (endpoint) return endpoint;
    const url = new URL(origin);
    const secure = url.protocol === 'https:';
    endpoint = {
      request: secure ? https.request : http.request,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || (secure ? 443 : 80),
      agent: !secure
        ? options.httpAgent
        : options.foreign && origin !== options.foreign.ownOrigin
          ? options.foreign.httpsAgent
          : options.httpsAgent,
    };
    if (endpoints.size >= MAX_ENDPOINTS) endpoints.clear();
    endpoints.set(origin, endpoint);
    return endpoint;
  };
  /** Requests on the wire (started, not settled). */
  let active = 0;
  const send = (
    req: TransportRequest,
    resolve: (res: TransportResponse) => void,
    reject: (err: unknown) => void,
    resent = 0,
  ) => {
    const endpoint = endpointOf(req.origin);
    const { method, headers, body, signal } = req;
    if (body) headers['Content-Length'] = String(body.length);

    let settled = false;
    const finish = (error: unknown, response?: TransportResponse) => {
      if (settled) return;
      settled = true;
      active--;
      signal.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(response as TransportResponse);
    };
    // Aborted before it started (a timeout that fired while a token was fetched): no request
    // at all. A ClientRequest destroyed before it has a socket emits "socket hang up" on the
    // next tick, and without an 'error' listener that ends the process.
    if (signal.aborted) return finish(new Error('aborted'));
    let request: http.ClientRequest;
    try {
      request = endpoint.request({
        method,
        hostname: endpoint.hostname,
        port: endpoint.port,
        path: wirePath(req.path),
        headers,
        agent: endpoint.agent,
      });
    } catch (err) {
      // node:http refuses some requests synchronously (an invalid header value): this one
      // fails, the rest of a batch goes out.
      return finish(err);
    }
    let answered = false;
    // The 'error' listener first, before anything can destroy the request.
    request.on('error', (err) => {
      if (!answered && !settled && !signal.aborted && resent < MAX_STALE_RESENDS && staleConnection(request, err)) {
        // The server closed the idle keep-alive connection as this request was written on it
        // (its keep-alive timeout, a restart): the request was never answered and, for an
        // idempotent method, goes again on another connection, as Node's documentation advises.
        // The other idle connections are at least as likely closed (a timeout or restart
        // closes them all): dropped, so the request goes on a new one.
        settled = true;
        signal.removeEventListener('abort', onAbort);
        dropIdleConnections(endpoint.agent);
        return send(req, resolve, reject, resent + 1);
      }
      finish(err);
    });
    function onAbort() {
      request.destroy(new Error('aborted'));
    }
    signal.addEventListener('abort', onAbort);

    request.on('response', (res) => {
      answered = true;
      const status = res.statusCode ?? 0;
      const resHeaders = res.headers as Record<string, string | string[]>;
      const hasBody = method !== 'HEAD' && status !== 204 && status !== 304;
      const decoder = hasBody ? decoderFor(resHeaders['content-encoding']) : undefined;
      let stream: NodeJS.ReadableStream = res;
      if (decoder) {
        delete resHeaders['content-encoding'];
        delete resHeaders['content-length'];
        res.on('error', (err) => decoder.destroy(err));
        stream = res.pipe(decoder);
      }
      const chunks: Buffer[] = [];
      let total = 0;
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > maxResponseBytes) {
          finish(tooLarge(maxResponseBytes));
          res.destroy();
          if (decoder) decoder.destroy();
          return;
        }
        chunks.push(chunk);
      });
      stream.on('error', (err) => finish(err));
      stream.on('end', () =>
        finish(undefined, {
          status,
          headers: resHeaders,
          body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total),
        }),
      );
    });
    request.end(body);
  };

  // While requests are in flight, the ones started in an event-loop turn are written together
  // at its end (setImmediate), not each as soon as it is built. Node-RED hands every msg to a
  // node in its own callback, so otherwise the writes of a busy turn are spread out by the work
  // between them; to an API on the same machine (loopback, a VM's other core) each lone write
  // then wakes the sleeping server, a cost the kernel charges to this process's write. Written
  // back to back, one wake serves the batch: about a fifth less CPU per request in the bench,
  // and lower latency (docs/performance.md, "Writes batched per event-loop turn"). A request
  // while none is in flight, and one a rate limit timed, goes out at once.
  let batch: Queued[] = [];
  const start = (req: TransportRequest, resolve: (res: TransportResponse) => void, reject: (err: unknown) => void) => {
    active++;
    send(req, resolve, reject);
  };
  const flush = () => {
    const started = batch;
    batch = [];
    for (const { req, resolve, reject } of started) start(req, resolve, reject);
  };
  return (req: TransportRequest) =>
    new Promise<TransportResponse>((resolve, reject) => {
      if ((active === 0 && batch.length === 0) || req.signal.unbatched) return start(req, resolve, reject);
      if (!batch.length) setImmediate(flush);
      batch.push({ req, resolve, reject });
    });
}

interface Queued {
  req: TransportRequest;
  resolve: (res: TransportResponse) => void;
  reject: (err: unknown) => void;
}
