/**
 * The merge of datasource, query node and msg into one RequestPlan. Precedence is
 * datasource < query < msg for headers, params, cookies and body fields; header names match
 * case-insensitively and the more specific entry replaces the whole entry.
 */
import { mergeBodyFields } from './body';
import { configError } from '../errors';
import { headersFromRows, mergeCookies, mergeHeaders, mergeParams, rowsToObject } from './headers';
import type { DatasourceSettings } from '../settings';
import type { BodyType, HeaderMap, HttpMethod, ParamMap, RequestPlan, ResponseType } from '../types';
import { HTTP_METHODS } from '../types';
import { fillPath } from './url';

/** The datasource's part of every request, computed once per deploy. */
export interface DatasourceDefaults {
  headers: HeaderMap;
  params: ParamMap;
  cookies: Map<string, string>;
  body: Record<string, string>;
  hasBody: boolean;
}

export function datasourceDefaults(s: DatasourceSettings): DatasourceDefaults {
  const params: ParamMap = new Map();
  for (const row of s.params) {
    const list = params.get(row.name);
    if (list) list.push(row.value);
    else params.set(row.name, [row.value]);
  }
  const cookies = new Map<string, string>();
  mergeCookies(cookies, rowsToObject(s.cookies), 'cookies');
  return {
    headers: headersFromRows(s.headers, 'headers'),
    params,
    cookies,
    body: rowsToObject(s.body),
    hasBody: s.body.length > 0,
  };
}

/** The query node's part, with typed inputs already evaluated for this msg. */
export interface QueryParts {
  method: HttpMethod | 'msg';
  path: string;
  headers: Record<string, unknown>;
  params: Record<string, unknown>;
  cookies: Record<string, unknown>;
  bodyType: BodyType;
  responseType: ResponseType;
  timeout?: number;
}

/** The msg fields a query reads. */
export interface MsgParts {
  method?: unknown;
  path?: unknown;
  url?: unknown;
  headers?: unknown;
  params?: unknown;
  cookies?: unknown;
  payload?: unknown;
  requestTimeout?: unknown;
}

/** Marker Node-RED request nodes put on response headers; such headers are never re-sent. */
export const RESPONSE_HEADERS_MARKER = 'x-node-red-request-node';

function objectField(value: unknown, field: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) {
    throw configError(field, 'must be an object of name: value pairs');
  }
  return value as Record<string, unknown>;
}

function methodOf(query: QueryParts, msg: MsgParts): HttpMethod {
  if (query.method !== 'msg') return query.method;
  if (msg.method === undefined || msg.method === null || msg.method === '') return 'GET';
  const m = typeof msg.method === 'string' ? msg.method.toUpperCase() : '';
  if (!(HTTP_METHODS as readonly string[]).includes(m)) {
    throw configError('msg.method', `must be one of ${HTTP_METHODS.join(', ')}, got ${JSON.stringify(msg.method)}`);
  }
  return m as HttpMethod;
}

function timeoutOf(query: QueryParts, msg: MsgParts): number | undefined {
  const t = msg.requestTimeout;
  if (t === undefined || t === null || t === '') return query.timeout;
  const n = typeof t === 'number' ? t : Number(t);
  if (!Number.isFinite(n) || n <= 0) {
    throw configError('msg.requestTimeout', `must be a positive number of milliseconds, got ${JSON.stringify(t)}`);
  }
  return n;
}

/** The names a level set explicitly, when no level set any (shared: only ever read). */
const NO_NAMES: ReadonlySet<string> = new Set<string>();

function hasKeys(o: Record<string, unknown>): boolean {
  for (const key in o) if (Object.prototype.hasOwnProperty.call(o, key)) return true;
  return false;
}

export function buildPlan(
  defaults: DatasourceDefaults,
  query: QueryParts,
  msg: MsgParts,
  lookup: (name: string) => unknown,
): RequestPlan {
  const method = methodOf(query, msg);
  let explicitHeaders: ReadonlySet<string> = NO_NAMES;
  let explicitParams: ReadonlySet<string> = NO_NAMES;

  // A level that adds nothing keeps the datasource's own map: a plan's maps are read, never
  // changed in place (the datasource copies before it adds a header; pagination clones).
  const msgHeaders = objectField(msg.headers, 'msg.headers');
  const ownHeaders = msgHeaders && !(RESPONSE_HEADERS_MARKER in msgHeaders) ? msgHeaders : undefined;
  let headers: HeaderMap = defaults.headers;
  if (hasKeys(query.headers) || ownHeaders) {
    headers = new Map(defaults.headers);
    const explicit = new Set<string>();
    mergeHeaders(headers, query.headers, 'headers', explicit);
    if (ownHeaders) mergeHeaders(headers, ownHeaders, 'msg.headers', explicit);
    explicitHeaders = explicit;
  }

  const msgParams = objectField(msg.params, 'msg.params');
  let params: ParamMap = defaults.params;
  if (hasKeys(query.params) || msgParams) {
    params = new Map(defaults.params);
    const explicit = new Set<string>();
    mergeParams(params, query.params, 'params', explicit);
    if (msgParams) mergeParams(params, msgParams, 'msg.params', explicit);
    explicitParams = explicit;
  }

  const msgCookies = objectField(msg.cookies, 'msg.cookies');
  let cookies = defaults.cookies;
  if (hasKeys(query.cookies) || msgCookies) {
    cookies = new Map(defaults.cookies);
    mergeCookies(cookies, query.cookies, 'cookies');
    if (msgCookies) mergeCookies(cookies, msgCookies, 'msg.cookies');
  }

  let path = query.path;
  let absoluteUrl: string | undefined;
  if (!path) {
    if (typeof msg.url === 'string' && msg.url !== '') absoluteUrl = msg.url;
    else if (msg.url !== undefined && msg.url !== null && msg.url !== '') throw configError('msg.url', 'must be text');
    else if (typeof msg.path === 'string') path = msg.path;
    else if (msg.path !== undefined && msg.path !== null) throw configError('msg.path', 'must be text');
  }
  path = fillPath(path, lookup);

  const sendsBody = method !== 'GET' && method !== 'HEAD';
  return {
    method,
    path,
    absoluteUrl,
    headers,
    params,
    cookies,
    explicitHeaders,
    explicitParams,
    body: sendsBody ? mergeBodyFields(defaults.body, msg.payload, defaults.hasBody) : undefined,
    bodyType: query.bodyType,
    responseType: query.responseType,
    timeout: timeoutOf(query, msg),
  };
}
