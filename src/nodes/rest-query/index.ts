/**
 * The `rest-query` node: msg in, one request through its datasource, msg out (or one error
 * a Catch node receives). Every input ends in exactly one send or one error, and done().
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { configError, RestError } from '../../lib/errors';
import { buildPlan, RESPONSE_HEADERS_MARKER } from '../../lib/http/plan';
import type { MsgParts, QueryParts } from '../../lib/http/plan';
import { parsePagination } from '../../lib/features/pagination';
import type { PaginationSettings } from '../../lib/features/pagination';
import { decodeBody, isSuccess, parseSetCookies } from '../../lib/http/response';
import type { BodyType, CacheOutcome, HttpMethod, HttpResult, ResponseType, SendObserver } from '../../lib/types';
import { HTTP_METHODS } from '../../lib/types';
import { int } from '../../lib/settings';
import { runPaged } from './paged-query';
import { PayloadMapping } from './payload-mapping';
import { TypedRows } from './typed-rows';
import { migrateQuery } from './migrations';
import type { RestDatasourceNode } from '../../runtime/types';
import { failureLine } from '../../runtime/failure-line';
import { ownPort, withOwnPortHint } from '../../runtime/own-port-hint';

interface RestQueryConfig extends NodeDef {
  datasource: string;
  method?: string;
  path?: string;
  headers?: unknown;
  params?: unknown;
  cookies?: unknown;
  bodyType?: string;
  responseType?: string;
  failOnHttpError?: boolean | string;
  timeout?: string | number;
  payloadPath?: string;
  payloadPathType?: string;
  cacheTtl?: string | number;
}

/** A path placeholder that names one msg property (`id`, `order_id`), not a path into one. */
const PLAIN_NAME = /^[A-Za-z_$][\w$]*$/;
const BODY_TYPES: readonly BodyType[] = ['auto', 'json', 'form', 'multipart', 'text', 'binary', 'none'];
const RESPONSE_TYPES: readonly ResponseType[] = ['auto', 'json', 'text', 'binary'];

interface Compiled {
  method: HttpMethod | 'msg';
  path: string;
  headers: TypedRows;
  params: TypedRows;
  cookies: TypedRows;
  bodyType: BodyType;
  responseType: ResponseType;
  failOnHttpError: boolean;
  timeout?: number;
  pagination: PaginationSettings;
  /** seconds of freshness for responses without any (the datasource's cache), 0 = none */
  cacheTtl: number;
}

function choice<T extends string>(value: unknown, allowed: readonly T[], fallback: T, field: string): T {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw configError(field, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

function compile(RED: NodeAPI, config: RestQueryConfig): Compiled {
  const timeout = int(config as unknown as Record<string, unknown>, 'timeout', 0, 0, 24 * 3600 * 1000);
  return {
    method: choice(config.method, [...HTTP_METHODS, 'msg'] as const, 'GET', 'method'),
    path: typeof config.path === 'string' ? config.path.trim() : '',
    headers: new TypedRows(RED, config.headers, 'headers'),
    params: new TypedRows(RED, config.params, 'params'),
    cookies: new TypedRows(RED, config.cookies, 'cookies'),
    bodyType: choice(config.bodyType, BODY_TYPES, 'auto', 'bodyType'),
    responseType: choice(config.responseType, RESPONSE_TYPES, 'auto', 'responseType'),
    failOnHttpError: config.failOnHttpError !== false && config.failOnHttpError !== 'false',
    timeout: timeout > 0 ? timeout : undefined,
    pagination: parsePagination(config as unknown as Record<string, unknown>),
    cacheTtl: int(config as unknown as Record<string, unknown>, 'cacheTtl', 0, 0, 10 * 365 * 86400),
  };
}

/**
 * A payload the msg owns: a binary body answered by the cache (or shared by coalesced msgs) is
 * the stored Buffer itself, so each msg gets its own copy. Decoded text and JSON are new already.
 */
function ownPayload(payload: unknown, result: HttpResult): unknown {
  return result.cache && payload === result.body ? Buffer.from(result.body) : payload;
}

/** What Node-RED hands to Catch: the stable code, a redacted message, no internals. */
function reportable(err: unknown, redact: (text: string) => string): RestError {
  const e = err instanceof RestError ? err : new RestError('NETWORK_ERROR', String((err as Error)?.message ?? err));
  const out = new RestError(e.code, redact(e.message), {
    statusCode: e.statusCode,
    attempts: e.attempts,
    field: e.field,
  });
  out.stack = out.toString();
  return out;
}

export = function register(RED: NodeAPI): void {
  function RestQuery(this: Node, saved: RestQueryConfig) {
    RED.nodes.createNode(this, saved);
    // A query saved by an older version: today's settings, defaults for what it lacks.
    const config = migrateQuery(saved);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the handlers below run with another `this`
    const node = this;
    const dsNode = RED.nodes.getNode(config.datasource) as RestDatasourceNode | null;
    let compiled: Compiled | undefined;
    let mapping: PayloadMapping | undefined;
    let setupError: RestError | undefined;
    let closed = false;
    try {
      compiled = compile(RED, config);
      mapping = new PayloadMapping(RED, node, config.payloadPath, config.payloadPathType);
    } catch (err) {
      setupError = reportable(err, (t) => t);
    }
    if (!dsNode) setupError = configError('datasource', 'no REST datasource is selected; open the node and pick one');
    else if (dsNode.configError) setupError = dsNode.configError;

    const port = ownPort(RED.settings as { uiPort?: unknown });
    let inflight = 0;
    // The status shown last: a message that would show the same sets nothing.
    let lastFill = '';
    let lastShape = '';
    let lastText = '';
    const status = (fill: 'red' | 'green' | 'yellow' | 'blue' | 'grey', shape: 'dot' | 'ring', text: string) => {
      if (fill === lastFill && shape === lastShape && text === lastText) return;
      lastFill = fill;
      lastShape = shape;
      lastText = text;
      node.status({ fill, shape, text });
    };
    // The done-status text per status code (with the unverified-TLS note), built once per code.
    const codeTexts = new Map<string, string>();
    const codeText = (statusCode: number, cache?: CacheOutcome) => {
      // Answered from the cache: "200 (cached)", "200 (stale)"; other outcomes show the code alone.
      const from = cache === 'hit' || cache === 'revalidated' ? 'cached' : cache === 'stale' ? 'stale' : '';
      const key = from ? `${statusCode} ${from}` : String(statusCode);
      let text = codeTexts.get(key);
      if (text === undefined) {
        text = String(statusCode) + (from ? ' ' + RED._(`rest-query.status.${from}`) : '') + unverified + storeNote;
        if (codeTexts.size < 64) codeTexts.set(key, text);
      }
      return text;
    };
    const unverified = dsNode?.datasource?.tlsVerify === false ? ' ' + RED._('rest-query.status.unverified') : '';
    // While the shared store is down, every outcome says so too.
    let storeNote = '';
    // Status texts looked up once per deploy, not per message.
    const requestingText = RED._('rest-query.status.requesting');
    const queuedText = RED._('rest-query.status.queued');
    // One observer for every message of this node.
    const observer: SendObserver = {
      onRetry: (attempt, reason) => status('yellow', 'ring', RED._('rest-query.status.retrying', { attempt, reason })),
      onQueued: () => {
        if (inflight <= 1) status('grey', 'dot', queuedText);
      },
    };

    if (setupError) status('red', 'ring', RED._('rest-query.status.configError'));
    else if (unverified) status('yellow', 'ring', RED._('rest-query.status.unverified'));

    // Several instances: the shared store's outages show here (config nodes have no status).
    const store = setupError ? undefined : dsNode?.sharedStore;
    const storeDownText = RED._('rest-query.status.storeDown');
    // One warning per outage, with the first msg it affects (the debug sidebar shows it once).
    let outageWarned = false;
    const storeStatus = (state: string, reason?: string) => {
      if (state !== 'down') outageWarned = false;
      if (state === 'up' && reason && reason.startsWith('failover')) {
        storeNote = '';
        codeTexts.clear();
        status('green', 'ring', RED._('rest-query.status.storeFailover', { reason }));
        return;
      }
      const note = state === 'down' ? ' ' + RED._('rest-query.status.storeDownNote') : '';
      if (note === storeNote) return;
      storeNote = note;
      codeTexts.clear();
      if (state === 'down') status('yellow', 'ring', storeDownText);
      else status('green', 'ring', RED._('rest-query.status.storeUp'));
    };
    const offStore = store ? store.onState(storeStatus) : undefined;
    if (store) storeStatus(store.state);

    /** The response fields of the output msg (msg.payload is set by the caller). */
    const shape = (m: Record<string, unknown>, result: HttpResult) => {
      m.statusCode = result.statusCode;
      if (result.cache) m.cache = result.cache;
      // Object.assign, then the marker: about ten times cheaper than a spread with a computed key.
      const headers: Record<string, string | string[]> = Object.assign({}, result.headers);
      headers[RESPONSE_HEADERS_MARKER] = '1';
      m.headers = headers;
      // Already masked by the datasource (secret parameters and values).
      m.responseUrl = result.url;
      m.responseCookies = parseSetCookies(result.headers['set-cookie']);
      m.responseTime = result.timeMs;
    };

    const handle = async (msg: NodeMessageInFlow, send: (m: NodeMessage) => void): Promise<void> => {
      const ds = dsNode?.datasource;
      if (setupError || !compiled || !mapping || !ds) {
        throw setupError ?? configError('datasource', 'the datasource is not running');
      }
      const c = compiled;
      let headers = c.headers.resolve(node, msg);
      let params = c.params.resolve(node, msg);
      let cookies = c.cookies.resolve(node, msg);
      // Only flow/global rows on an asynchronous context store give promises; wait only then.
      if (headers instanceof Promise || params instanceof Promise || cookies instanceof Promise) {
        [headers, params, cookies] = await Promise.all([headers, params, cookies]);
      }
      const query: QueryParts = {
        method: c.method,
        path: c.path,
        headers,
        params,
        cookies,
        bodyType: c.bodyType,
        responseType: c.responseType,
        timeout: c.timeout,
      };
      const m = msg as unknown as MsgParts & Record<string, unknown>;
      // `{{id}}`: a plain name is msg[name], what getMessageProperty would find, without parsing it.
      const plan = buildPlan(ds.defaults, query, m, (name) =>
        PLAIN_NAME.test(name) ? m[name] : RED.util.getMessageProperty(msg, name),
      );
      if (c.cacheTtl) plan.cacheTtl = c.cacheTtl;
      if (inflight++ === 0) status('blue', 'dot', requestingText);
      if (c.pagination.mode !== 'off') {
        let fetched;
        try {
          fetched = await runPaged({
            RED,
            ds,
            plan,
            msg,
            send,
            pagination: c.pagination,
            mapping,
            failOnHttpError: c.failOnHttpError,
            observer,
            shape,
            onPage: (page) => {
              if (page > 1) status('blue', 'dot', RED._('rest-query.status.page', { page }));
            },
            isClosed: () => closed,
          });
        } catch (err) {
          if (err instanceof RestError && err.code === 'HTTP_ERROR') status('red', 'ring', String(err.statusCode));
          throw err;
        } finally {
          inflight--;
        }
        const ok = isSuccess(fetched.statusCode);
        const text = RED._('rest-query.status.pages', { status: fetched.statusCode, pages: fetched.pages });
        status(ok ? 'green' : 'red', ok ? 'dot' : 'ring', text + unverified + storeNote);
        return;
      }
      let result;
      try {
        result = await ds.send(plan, observer);
      } finally {
        inflight--;
      }
      const payload = ownPayload(decodeBody(result.body, result.headers, plan.responseType), result);
      const ok = isSuccess(result.statusCode);
      if (mapping.active) {
        // msg.response keeps the whole body; an error body is not mapped (it has another shape).
        m.response = payload;
        m.payload = ok ? await mapping.map(payload) : payload;
      } else m.payload = payload;
      shape(m, result);
      status(ok ? 'green' : 'red', ok ? 'dot' : 'ring', codeText(result.statusCode, result.cache));
      if (!ok && c.failOnHttpError) {
        const where = plan.absoluteUrl ? 'msg.url' : plan.path || '/';
        throw new RestError('HTTP_ERROR', `HTTP ${result.statusCode} from ${plan.method} ${where.split('?')[0]}`, {
          statusCode: result.statusCode,
          attempts: result.attempts,
        });
      }
      send(msg);
    };

    node.on('input', (msg, send, done) => {
      if (store && store.state === 'down' && !outageWarned) {
        outageWarned = true;
        node.warn(RED._('rest-query.warn.storeDown', { store: store.label }));
      }
      handle(msg, send).then(
        () => done(),
        (err: unknown) => {
          const redact = dsNode?.datasource
            ? (t: string) => (dsNode.datasource as NonNullable<typeof dsNode.datasource>).redact(t)
            : (t: string) => t;
          const e = withOwnPortHint(reportable(err, redact), dsNode?.datasource?.settings.baseUrl, port);
          if (e.code === 'TOKEN_ERROR') status('red', 'ring', RED._('rest-query.status.tokenError'));
          else if (e.code !== 'HTTP_ERROR') status('red', 'ring', e.code);
          // One readable line in the debug sidebar; msg.error.code for a Catch node.
          done(failureLine(e) as unknown as Error);
        },
      );
    });

    node.on('close', () => {
      closed = true;
      if (offStore) offStore();
      node.status({});
    });
  }

  RED.nodes.registerType('rest-query', RestQuery);
};
