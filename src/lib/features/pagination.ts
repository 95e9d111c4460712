/**
 * Pagination for `rest-query`: from the first request plan and each page's response, decide
 * the plan of the next page or why to stop. Modes:
 * - `link`: the RFC 8288 `Link` header's `rel="next"` target;
 * - `nextUrl`: a URL at a property path of the JSON body (absolute or relative);
 * - `param`: a query parameter advanced from `pageStart` by `pageStep` (page or offset), or,
 *   with `pageCursorPath`, set to the cursor the previous page gave.
 * A next URL must stay on the datasource origin. `pages()` runs the loop with one page of
 * look-ahead, so the last page a flow receives is known to be the last.
 */
import { configError, RestError } from '../errors';
import { getPath, parsePath } from './json-path';
import type { PathSegment } from './json-path';
import { int } from '../settings';
import type { RawConfig } from '../settings';
import { hasTokenSlot } from './token-placeholder';
import type { RequestPlan } from '../types';

export type PageMode = 'off' | 'link' | 'nextUrl' | 'param';
export type PageOutput = 'each' | 'all';
/**
 * Why the last page was last: `end` (no next link, URL or cursor), `empty` (the next page had
 * no items), `max` (pageMax reached; more pages may exist), `status` (a non-2xx answer).
 */
export type PageStop = 'end' | 'empty' | 'max' | 'status';

export const DEFAULT_PAGE_MAX = 100;
const MODES: readonly PageMode[] = ['off', 'link', 'nextUrl', 'param'];
const OUTPUTS: readonly PageOutput[] = ['each', 'all'];

export interface PaginationSettings {
  mode: PageMode;
  nextPath?: PathSegment[];
  param: string;
  /** The first page number or offset (counter mode), or the first cursor (cursor mode). */
  start: string;
  step: number;
  cursorPath?: PathSegment[];
  itemsPath?: PathSegment[];
  itemsPathText: string;
  max: number;
  output: PageOutput;
}

function text(raw: RawConfig, field: string): string {
  const v = raw[field];
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number') return String(v);
  throw configError(field, `must be text, got ${typeof v}`);
}

function choice<T extends string>(raw: RawConfig, field: string, allowed: readonly T[], fallback: T): T {
  const v = text(raw, field) || fallback;
  if (!(allowed as readonly string[]).includes(v)) {
    throw configError(field, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

function optionalPath(raw: RawConfig, field: string): PathSegment[] | undefined {
  const t = text(raw, field);
  return t ? parsePath(t, field) : undefined;
}

/** Validate a query node's pagination properties (on deploy). */
export function parsePagination(raw: RawConfig): PaginationSettings {
  const mode = choice(raw, 'paginate', MODES, 'off');
  const s: PaginationSettings = {
    mode,
    nextPath: optionalPath(raw, 'pageNextPath'),
    param: text(raw, 'pageParam'),
    start: text(raw, 'pageStart'),
    step: int(raw, 'pageStep', 1, -1e9, 1e9),
    cursorPath: optionalPath(raw, 'pageCursorPath'),
    itemsPath: optionalPath(raw, 'pageItemsPath'),
    itemsPathText: text(raw, 'pageItemsPath'),
    max: int(raw, 'pageMax', DEFAULT_PAGE_MAX, 1, 100000),
    output: choice(raw, 'pageOutput', OUTPUTS, 'each'),
  };
  if (mode === 'nextUrl' && !s.nextPath) {
    throw configError('pageNextPath', 'is required for "next URL in the response body", for example links.next');
  }
  if (mode === 'param') {
    if (!s.param) throw configError('pageParam', 'is required for parameter pagination, for example page or offset');
    if (!s.cursorPath) {
      if (s.step === 0) throw configError('pageStep', 'must not be 0');
      s.start = String(int(raw, 'pageStart', 1, -1e12, 1e12));
    }
  }
  return s;
}

/** One fetched page as the loop sees it. */
export interface FetchedPage {
  statusCode: number;
  headers: Record<string, string | string[]>;
  /** The URL that answered. */
  url: string;
  /** The decoded body. */
  body: unknown;
}

export interface Page<R extends FetchedPage> {
  /** 1-based */
  number: number;
  response: R;
  /** The page's items (pageItemsPath, or an array body), undefined when the body is not a list. */
  items: unknown[] | undefined;
  last: boolean;
  stop?: PageStop;
}

/** The `rel="next"` target of a Link header (RFC 8288), or undefined. */
export function nextLink(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (!value) return undefined;
  let i = 0;
  while ((i = value.indexOf('<', i)) >= 0) {
    const end = value.indexOf('>', i);
    if (end < 0) return undefined;
    const target = value.slice(i + 1, end).trim();
    let j = end + 1;
    let quoted = false;
    for (; j < value.length; j++) {
      const c = value[j];
      if (c === '"') quoted = !quoted;
      else if (c === '<' && !quoted) break;
    }
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(value.slice(end + 1, j));
    if (rel && (rel[1] ?? rel[2]).toLowerCase().split(/\s+/).includes('next')) return target;
    i = j;
  }
  return undefined;
}

export function clonePlan(plan: RequestPlan): RequestPlan {
  const params = new Map<string, string[]>();
  for (const [name, values] of plan.params) params.set(name, values.slice());
  return { ...plan, headers: new Map(plan.headers), params, cookies: new Map(plan.cookies) };
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value;
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === '' || value === false;
}

/** Query pairs of a raw query string without the names in `drop` (the rest kept byte for byte). */
function withoutParams(rawQuery: string, drop: ReadonlySet<string>): string {
  if (!rawQuery || drop.size === 0) return rawQuery;
  return rawQuery
    .split('&')
    .filter((pair) => {
      const name = pair.split('=')[0];
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // keep undecodable names as they are
      }
      return !drop.has(decoded);
    })
    .join('&');
}

export class Paginator {
  private readonly first: RequestPlan;
  private cursor: string | undefined;

  /**
   * @param secretParams query parameters the datasource fills itself (API key, secret rows):
   *   an API that echoes them into its next URLs does not get them back twice, and they never
   *   show in msg.responseUrl.
   */
  constructor(
    readonly settings: PaginationSettings,
    private readonly base: URL,
    first: RequestPlan,
    private readonly secretParams: ReadonlySet<string> = new Set(),
  ) {
    this.first = clonePlan(first);
  }

  get max(): number {
    return this.settings.max;
  }

  /** The plan of page 1 (with the page parameter when counting, or a first cursor). */
  firstPlan(): RequestPlan {
    const plan = clonePlan(this.first);
    const s = this.settings;
    if (s.mode === 'param' && s.start !== '') {
      plan.params.set(s.param, [s.start]);
      if (s.cursorPath) this.cursor = s.start;
    }
    return plan;
  }

  /** The page's items, or undefined when it has no list (no pageItemsPath and a non-array body). */
  items(body: unknown, pageNumber: number): unknown[] | undefined {
    const s = this.settings;
    if (!s.itemsPath) return Array.isArray(body) ? body : undefined;
    const value = getPath(body, s.itemsPath);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      throw new RestError(
        'PARSE_ERROR',
        `pageItemsPath "${s.itemsPathText}" holds a ${describe(value)} in page ${pageNumber}, not a list`,
        { field: 'pageItemsPath' },
      );
    }
    return value;
  }

  isEmpty(body: unknown, items: unknown[] | undefined): boolean {
    if (items) return items.length === 0;
    return body === undefined || body === null || body === '' || (Buffer.isBuffer(body) && body.length === 0);
  }

  /** The plan of the page after `page`, or undefined when `page` is the last one. */
  nextPlan(page: FetchedPage, pageNumber: number): RequestPlan | undefined {
    const s = this.settings;
    switch (s.mode) {
      case 'link':
        return this.followUrl(nextLink(page.headers.link), page.url, 'the Link header');
      case 'nextUrl': {
        const value = s.nextPath ? getPath(page.body, s.nextPath) : undefined;
        if (isBlank(value)) return undefined;
        if (typeof value !== 'string') {
          throw new RestError(
            'PARSE_ERROR',
            `pageNextPath holds a ${describe(value)} in page ${pageNumber}, not a URL`,
            { field: 'pageNextPath' },
          );
        }
        return this.followUrl(value, page.url, 'pageNextPath');
      }
      case 'param':
        return s.cursorPath ? this.nextCursor(page, pageNumber) : this.nextCount(pageNumber);
      default:
        return undefined;
    }
  }

  private nextCount(pageNumber: number): RequestPlan {
    const s = this.settings;
    const plan = clonePlan(this.first);
    plan.params.set(s.param, [String(Number(s.start) + pageNumber * s.step)]);
    return plan;
  }

  private nextCursor(page: FetchedPage, pageNumber: number): RequestPlan | undefined {
    const s = this.settings;
    const value = getPath(page.body, s.cursorPath ?? []);
    if (isBlank(value)) return undefined;
    if (typeof value === 'object') {
      throw new RestError(
        'PARSE_ERROR',
        `pageCursorPath holds a ${describe(value)} in page ${pageNumber}, not a cursor`,
        { field: 'pageCursorPath' },
      );
    }
    const cursor = String(value);
    // An API that hands out the same cursor again would loop until pageMax.
    if (cursor === this.cursor) return undefined;
    this.cursor = cursor;
    const plan = clonePlan(this.first);
    plan.params.set(s.param, [cursor]);
    return plan;
  }

  private followUrl(target: string | undefined, current: string, where: string): RequestPlan | undefined {
    if (isBlank(target)) return undefined;
    let url: URL;
    try {
      url = new URL(target as string, current);
    } catch {
      throw new RestError('PARSE_ERROR', `the next page URL from ${where} is not a valid URL`);
    }
    if (url.origin !== this.base.origin) {
      const origin = url.origin === 'null' ? url.protocol : url.origin;
      throw new RestError(
        'ORIGIN_REFUSED',
        `the next page URL from ${where} is on ${origin}, not on the datasource origin ${this.base.origin}; ` +
          'it was not requested, so the datasource credentials stay on their own origin',
      );
    }
    url.hash = '';
    if (url.href === new URL(current).href) return undefined;
    const plan = clonePlan(this.first);
    // Values the datasource fills itself (secrets, the access token) are never taken from the
    // API's URL; every other parameter of the next URL wins over the first request's.
    const own = new Set(this.secretParams);
    for (const [name, values] of plan.params) if (values.some(hasTokenSlot)) own.add(name);
    const rawQuery = withoutParams(url.search.slice(1), own);
    const inUrl = new Set(new URLSearchParams(rawQuery).keys());
    for (const name of [...plan.params.keys()]) if (inUrl.has(name)) plan.params.delete(name);
    plan.path = '';
    plan.absoluteUrl = url.origin + url.pathname + (rawQuery ? '?' + rawQuery : '');
    return plan;
  }
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/**
 * Fetch pages until one of the stop rules holds, yielding each page once its successor is
 * known (so `last` is exact). A fetch error is thrown after the pages fetched before it.
 * Page 1 is always yielded, even when empty; a later empty page is not (it ends the run).
 */
export async function* pages<R extends FetchedPage>(
  paginator: Paginator,
  fetch: (plan: RequestPlan, pageNumber: number) => Promise<R>,
): AsyncGenerator<Page<R>, void, void> {
  let plan: RequestPlan = paginator.firstPlan();
  let held: Page<R> | undefined;
  for (let number = 1; ; number++) {
    let response: R;
    let items: unknown[] | undefined;
    let next: RequestPlan | undefined;
    let stop: PageStop | undefined;
    try {
      response = await fetch(plan, number);
      if (!isSuccess(response.statusCode)) {
        if (held) yield held;
        yield { number, response, items: undefined, last: true, stop: 'status' };
        return;
      }
      items = paginator.items(response.body, number);
      if (paginator.isEmpty(response.body, items)) {
        if (held) {
          yield { ...held, last: true, stop: 'empty' };
          return;
        }
        stop = 'empty';
      }
    } catch (err) {
      if (held) yield held;
      throw err;
    }
    if (!stop) {
      try {
        next = paginator.nextPlan(response, number);
      } catch (err) {
        // This page is complete; only the way to the next one is wrong.
        if (held) yield held;
        yield { number, response, items, last: false };
        throw err;
      }
      if (!next) stop = 'end';
      else if (number >= paginator.max) stop = 'max';
    }
    if (held) yield held;
    const page: Page<R> = { number, response, items, last: stop !== undefined, stop };
    if (stop || !next) {
      yield page;
      return;
    }
    held = page;
    plan = next;
  }
}
