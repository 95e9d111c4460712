/**
 * A lean axios adapter on node:http/https. axios keeps its request pipeline (config, headers,
 * errors); this replaces only its general-purpose http adapter, which on this package's hot
 * path cost ~110-130 µs of CPU per request (bench/layers.js) for features the datasource does
 * not use here: redirects (followed hop by hop in datasource.ts), proxies (agents), streams,
 * progress events, form-data and data: URLs. What it does: one request on the datasource's
 * keep-alive agent, the body decompressed (gzip, deflate, br) and capped after decompression,
 * abort through the exchange signal.
 */
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { ExchangeSignal } from './cancel';

const ACCEPT_ENCODING = 'gzip, deflate, br';
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

/**
 * The response headers as node:http parsed them, kept on the axios response under this key:
 * axios turns `headers` into an AxiosHeaders object (twice per response), whose plain form
 * would have to be rebuilt. Node's parser already gives what that form holds (lower-case
 * names, values trimmed, no control characters: it refuses those), as a plain object.
 */
export const NODE_HEADERS = Symbol('node headers');

/** The message the client maps to RESPONSE_TOO_LARGE (the same words as axios' adapter). */
export function tooLarge(limit: number): Error {
  return new Error(`maxContentLength size of ${limit} exceeded`);
}

export interface AdapterOptions {
  maxResponseBytes: number;
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
}

/** Where an origin's requests go: parsed once per origin, not once per request. */
interface Endpoint {
  request: typeof http.request;
  hostname: string;
  port: string | number;
  agent: http.Agent;
}

/** Origins a client talks to: its datasource's, plus redirect targets (bounded). */
const MAX_ENDPOINTS = 32;

export function nodeHttpAdapter(options: AdapterOptions): AxiosAdapter {
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
      agent: secure ? options.httpsAgent : options.httpAgent,
    };
    if (endpoints.size >= MAX_ENDPOINTS) endpoints.clear();
    endpoints.set(origin, endpoint);
    return endpoint;
  };
  return (config: InternalAxiosRequestConfig) =>
    new Promise<AxiosResponse>((resolve, reject) => {
      // baseURL is the request's origin and url its path and query, already in the form URL
      // parsing gives (the datasource built them with URL rules): joined as text, never resolved.
      const endpoint = endpointOf(config.baseURL ?? '');
      const method = (config.method ?? 'get').toUpperCase();
      const headers = config.headers.toJSON(true) as Record<string, string>;
      if (!config.headers.has('Accept-Encoding')) headers['Accept-Encoding'] = ACCEPT_ENCODING;
      const body = config.data as Buffer | undefined;
      if (body) headers['Content-Length'] = String(body.length);
      const signal = config.signal as ExchangeSignal | undefined;

      let settled = false;
      const finish = (error: unknown, response?: AxiosResponse) => {
        if (settled) return;
        settled = true;
        if (signal) signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(response as AxiosResponse);
      };
      const request = endpoint.request({
        method,
        hostname: endpoint.hostname,
        port: endpoint.port,
        path: wirePath(config.url ?? '/'),
        headers,
        agent: endpoint.agent,
      });
      function onAbort() {
        request.destroy(new Error('aborted'));
      }
      if (signal) {
        if (signal.aborted) {
          request.destroy();
          return finish(new Error('aborted'));
        }
        signal.addEventListener('abort', onAbort);
      }

      request.on('error', (err) => finish(err));
      request.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const resHeaders = res.headers;
        const hasBody = method !== 'HEAD' && status !== 204 && status !== 304;
        const decoder = hasBody && config.decompress !== false ? decoderFor(resHeaders['content-encoding']) : undefined;
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
            data: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total),
            status,
            statusText: res.statusMessage ?? '',
            headers: resHeaders,
            config,
            request,
            [NODE_HEADERS]: resHeaders,
          } as AxiosResponse),
        );
      });
      request.end(body);
    });
}
