/**
 * The `rest-query` side of pagination: fetch pages through the datasource (lib/pagination.ts
 * decides each next page and when to stop) and turn them into messages. `each` sends one msg
 * per page (a clone of the input for every page but the last, which is the input itself);
 * `all` sends one msg with every page's items concatenated.
 */
import type { NodeAPI, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { Datasource } from '../../lib/datasource';
import { RestError } from '../../lib/errors';
import type { FetchedPage, Page, PaginationSettings } from '../../lib/features/pagination';
import { pages, Paginator } from '../../lib/features/pagination';
import { decodeBody, isSuccess } from '../../lib/http/response';
import type { HttpResult, RequestPlan, SendObserver } from '../../lib/types';
import type { PayloadMapping } from './payload-mapping';

export type PageResult = HttpResult & FetchedPage;

export interface PagedRun {
  RED: NodeAPI;
  ds: Datasource;
  plan: RequestPlan;
  msg: NodeMessageInFlow;
  send: (m: NodeMessage) => void;
  pagination: PaginationSettings;
  mapping: PayloadMapping;
  failOnHttpError: boolean;
  observer: SendObserver;
  /** Set the response fields (statusCode, headers, responseUrl, ...) of one page on a msg. */
  shape: (m: Record<string, unknown>, result: HttpResult) => void;
  onPage: (pageNumber: number) => void;
  isClosed: () => boolean;
}

function httpError(plan: RequestPlan, result: HttpResult, pageNumber: number): RestError {
  const where = (plan.absoluteUrl ? 'the next page URL' : plan.path || '/').split('?')[0];
  return new RestError('HTTP_ERROR', `HTTP ${result.statusCode} from ${plan.method} ${where} (page ${pageNumber})`, {
    statusCode: result.statusCode,
    attempts: result.attempts,
  });
}

/** Runs the pages; resolves with how many pages were fetched and the last status code. */
export async function runPaged(run: PagedRun): Promise<{ pages: number; statusCode: number }> {
  const { RED, ds, msg, pagination } = run;
  const secretParams = new Set([...ds.auth.sensitiveParams, ...ds.settings.secretParamNames]);
  const paginator = new Paginator(pagination, ds.base, run.plan, secretParams);
  const plans = new Map<number, RequestPlan>();
  const fetch = async (plan: RequestPlan, pageNumber: number): Promise<PageResult> => {
    if (run.isClosed()) throw new RestError('ABORTED', 'the node was redeployed or stopped during pagination');
    plans.set(pageNumber, plan);
    run.onPage(pageNumber);
    const result = await ds.send(plan, run.observer);
    const body = decodeBody(result.body, result.headers, plan.responseType);
    // A cached binary page is the stored Buffer: the msg gets its own copy.
    return { ...result, body: result.cache && body === result.body ? Buffer.from(result.body) : body } as PageResult;
  };

  const all: unknown[] = [];
  let lastPage: Page<PageResult> | undefined;
  let fetched = { pages: 0, statusCode: 0 };
  for await (const page of pages(paginator, fetch)) {
    fetched = { pages: page.number, statusCode: page.response.statusCode };
    const plan = plans.get(page.number) ?? run.plan;
    plans.delete(page.number);
    if (page.stop === 'status' && run.failOnHttpError) throw httpError(plan, page.response, page.number);
    if (pagination.output === 'each') {
      const out = (page.last ? msg : RED.util.cloneMessage(msg)) as unknown as Record<string, unknown>;
      await fillPage(run, out, page);
      run.send(out as NodeMessage);
    } else {
      if (page.stop !== 'status') {
        if (page.items) all.push(...page.items);
        else all.push(page.response.body);
      }
      lastPage = page;
    }
  }
  if (pagination.output === 'all' && lastPage) {
    const out = msg as unknown as Record<string, unknown>;
    run.shape(out, lastPage.response);
    out.response = lastPage.response.body;
    out.payload = run.mapping.active ? await run.mapping.map(all) : all;
    out.page = lastPage.stop === 'status' ? lastPage.number - 1 : lastPage.number;
    out.pageStop = lastPage.stop;
    run.send(out as NodeMessage);
  }
  return fetched;
}

async function fillPage(run: PagedRun, out: Record<string, unknown>, page: Page<PageResult>): Promise<void> {
  const body = page.response.body;
  run.shape(out, page.response);
  let payload: unknown = run.pagination.itemsPath && page.items ? page.items : body;
  if (payload !== body) out.response = body;
  if (run.mapping.active && isSuccess(page.response.statusCode)) {
    out.response = body;
    payload = await run.mapping.map(payload);
  }
  out.payload = payload;
  out.page = page.number;
  if (page.last) {
    out.complete = true;
    out.pageStop = page.stop;
  } else {
    // A clone of an input that carried these must not look like the end of the run.
    delete out.complete;
    delete out.pageStop;
  }
}
