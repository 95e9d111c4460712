'use strict';
// Pagination in rest-query against a local paged API: Link header, next URL in the body,
// page/offset counters and cursors; stop rules; one msg per page or all items at once.
const assert = require('assert');
const { helper, loadQuery, collect, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');
const { nextLink, parsePagination } = require('../dist/lib/features/pagination');

const ITEMS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const SIZE = 3;

function json(res, body, headers = {}) {
  res.writeHead(200, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** The paged API: every route serves ITEMS, SIZE per page, in its own style. */
function pagedApi(base) {
  return (req, res) => {
    const url = new URL(req.url, 'http://x');
    const q = url.searchParams;
    const page = Number(q.get('page') || 1);
    const slice = (start) => ITEMS.slice(start, start + SIZE);
    switch (url.pathname) {
      case '/link': {
        const more = page * SIZE < ITEMS.length;
        const link = [`<${base()}/link?page=1>; rel="first"`];
        if (more) link.push(`<${base()}/link?page=${page + 1}&per_page=${SIZE}>; rel="next"`);
        return json(res, slice((page - 1) * SIZE), { Link: link.join(', ') });
      }
      case '/body': {
        const more = page * SIZE < ITEMS.length;
        return json(res, { data: slice((page - 1) * SIZE), links: { next: more ? `body?page=${page + 1}` : null } });
      }
      case '/pages':
        return json(res, slice((page - 1) * SIZE));
      case '/offset': {
        const offset = Number(q.get('offset'));
        return json(res, { results: ITEMS.slice(offset, offset + Number(q.get('limit'))) });
      }
      case '/cursor': {
        const start = q.has('after') ? ITEMS.indexOf(q.get('after')) + 1 : 0;
        const items = slice(start);
        const last = items[items.length - 1];
        const more = start + SIZE < ITEMS.length;
        return json(res, { items, meta: { next_cursor: more ? last : null } });
      }
      case '/v1/climb/items':
        // A cursor that would climb and leave the base path if it were put into the path.
        return json(res, { items: [q.get('after') || 'first'], next: q.has('after') ? null : '../../../admin?x=/y#z' });
      case '/fail':
        if (page === 2) {
          res.writeHead(503, { 'Content-Type': 'application/json' });
          return res.end('{"error":"busy"}');
        }
        return json(res, { data: slice((page - 1) * SIZE), next: `/fail?page=${page + 1}` });
      case '/endless':
        return json(res, { data: [page], next: `/endless?page=${page + 1}` });
      default:
        res.writeHead(404);
        return res.end();
    }
  };
}

describe('pagination', function () {
  let api;
  useRuntime();
  beforeEach(async function () {
    api = await startServer(pagedApi(() => api.url));
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
  });

  /** Load a paged query, send one msg, and wait until the node has called done(). */
  async function runPaged({ ds = {}, credentials = {}, query, msg = {} }) {
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, ...ds },
      credentials,
      query,
      extra: [
        { id: 'done', type: 'complete', z: 'f1', scope: ['q'], uncaught: false, wires: [['completed']] },
        { id: 'completed', type: 'helper', z: 'f1' },
      ],
    });
    const seen = collect(ctx);
    const completed = [];
    helper.getNode('completed').on('input', (m) => completed.push(m));
    const finished = new Promise((resolve) => {
      helper.getNode('completed').on('input', () => setImmediate(resolve));
      ctx.caught.on('input', () => setImmediate(resolve));
    });
    ctx.q.receive({ topic: 'run', ...msg });
    await finished;
    return { ...seen, completed, ctx };
  }

  it('follows the Link header and sends one msg per page, the last one marked complete', async function () {
    const { outputs, errors, completed } = await runPaged({
      ds: { params: [{ name: 'per_page', value: String(SIZE) }] },
      query: { path: 'link', paginate: 'link' },
    });
    assert.deepStrictEqual(errors, []);
    assert.strictEqual(completed.length, 1, 'done() is called exactly once');
    assert.deepStrictEqual(
      outputs.map((m) => m.payload),
      [['a', 'b', 'c'], ['d', 'e', 'f'], ['g']],
    );
    assert.deepStrictEqual(
      outputs.map((m) => m.page),
      [1, 2, 3],
    );
    assert.deepStrictEqual(
      outputs.map((m) => m.complete),
      [undefined, undefined, true],
    );
    assert.strictEqual(outputs[2].pageStop, 'end');
    assert.ok(outputs.every((m) => m.topic === 'run' && m.statusCode === 200));
    assert.strictEqual(outputs[1].responseUrl, api.url + '/link?page=2&per_page=3');
    // Each page msg is its own object.
    assert.notStrictEqual(outputs[0], outputs[1]);
    assert.deepStrictEqual(
      api.requests.map((r) => r.url),
      // per_page is in the next links already: it is not sent twice.
      ['/link?per_page=3', '/link?page=2&per_page=3', '/link?page=3&per_page=3'],
    );
  });

  it('follows a relative next URL from the body and concatenates the items into one msg', async function () {
    const { outputs, errors } = await runPaged({
      query: {
        path: 'body',
        paginate: 'nextUrl',
        pageNextPath: 'links.next',
        pageItemsPath: 'data',
        pageOutput: 'all',
      },
    });
    assert.deepStrictEqual(errors, []);
    assert.strictEqual(outputs.length, 1);
    const [msg] = outputs;
    assert.deepStrictEqual(msg.payload, ITEMS);
    assert.strictEqual(msg.page, 3);
    assert.strictEqual(msg.pageStop, 'end');
    assert.deepStrictEqual(msg.response, { data: ['g'], links: { next: null } });
    assert.strictEqual(msg.topic, 'run');
  });

  it('puts the page items in msg.payload and the whole page body in msg.response', async function () {
    const { outputs } = await runPaged({
      query: { path: 'body', paginate: 'nextUrl', pageNextPath: '$.links.next', pageItemsPath: 'data' },
    });
    assert.strictEqual(outputs.length, 3);
    assert.deepStrictEqual(outputs[0].payload, ['a', 'b', 'c']);
    assert.deepStrictEqual(outputs[0].response.links, { next: 'body?page=2' });
  });

  it('counts a page parameter up and stops at the first empty page, which is not emitted', async function () {
    const { outputs, errors } = await runPaged({
      query: { path: 'pages', paginate: 'param', pageParam: 'page' },
    });
    assert.deepStrictEqual(errors, []);
    assert.deepStrictEqual(
      api.requests.map((r) => r.url),
      ['/pages?page=1', '/pages?page=2', '/pages?page=3', '/pages?page=4'],
    );
    assert.deepStrictEqual(
      outputs.map((m) => [m.page, m.payload.length, m.complete]),
      [
        [1, 3, undefined],
        [2, 3, undefined],
        [3, 1, true],
      ],
    );
    assert.strictEqual(outputs[2].pageStop, 'empty');
  });

  it('advances an offset by the step and keeps the other query parameters', async function () {
    const { outputs } = await runPaged({
      ds: { params: [{ name: 'limit', value: '2' }] },
      query: {
        path: 'offset',
        paginate: 'param',
        pageParam: 'offset',
        pageStart: '0',
        pageStep: '2',
        pageItemsPath: 'results',
        pageOutput: 'all',
      },
    });
    assert.deepStrictEqual(outputs[0].payload, ITEMS);
    assert.strictEqual(outputs[0].page, 4);
    assert.deepStrictEqual(
      api.requests.map((r) => r.url),
      [
        '/offset?limit=2&offset=0',
        '/offset?limit=2&offset=2',
        '/offset?limit=2&offset=4',
        '/offset?limit=2&offset=6',
        '/offset?limit=2&offset=8',
      ],
    );
  });

  it('takes the cursor from the body and stops when it is empty', async function () {
    const { outputs } = await runPaged({
      query: {
        path: 'cursor',
        paginate: 'param',
        pageParam: 'after',
        pageCursorPath: 'meta.next_cursor',
        pageItemsPath: 'items',
        pageOutput: 'all',
      },
    });
    assert.deepStrictEqual(outputs[0].payload, ITEMS);
    assert.deepStrictEqual(
      api.requests.map((r) => r.url),
      ['/cursor', '/cursor?after=c', '/cursor?after=f'],
    );
  });

  it('a cursor from the body is one query value: it never changes the path', async function () {
    const { outputs } = await runPaged({
      ds: { baseUrl: api.url + '/v1/climb' },
      query: {
        path: 'items',
        paginate: 'param',
        pageParam: 'after',
        pageCursorPath: 'next',
        pageItemsPath: 'items',
        pageOutput: 'all',
      },
    });
    assert.deepStrictEqual(outputs[0].payload, ['first', '../../../admin?x=/y#z']);
    assert.deepStrictEqual(
      api.requests.map((r) => r.url),
      ['/v1/climb/items', '/v1/climb/items?after=..%2F..%2F..%2Fadmin%3Fx%3D%2Fy%23z'],
    );
  });

  it('stops after pageMax pages and says so', async function () {
    const { outputs } = await runPaged({
      query: { path: 'endless', paginate: 'nextUrl', pageNextPath: 'next', pageItemsPath: 'data', pageMax: 4 },
    });
    assert.strictEqual(api.requests.length, 4);
    assert.deepStrictEqual(
      outputs.map((m) => m.payload[0]),
      [1, 2, 3, 4],
    );
    assert.strictEqual(outputs[3].complete, true);
    assert.strictEqual(outputs[3].pageStop, 'max');
  });

  it('neither repeats nor shows an API key that the next links echo', async function () {
    const KEY = 'key-7a6b5c4d3e2f';
    const echoing = await startServer((req, res) => {
      const page = Number(new URL(req.url, 'http://x').searchParams.get('page') || 1);
      const next = page < 3 ? `<${echoing.url}/list?page=${page + 1}&api_key=${KEY}>; rel="next"` : '';
      json(res, [page], next ? { Link: next } : {});
    });
    try {
      const { outputs } = await runPaged({
        ds: { baseUrl: echoing.url, authType: 'apiKey', apiKeyName: 'api_key', apiKeyIn: 'query' },
        credentials: { apiKey: KEY },
        query: { path: 'list', paginate: 'link' },
      });
      assert.strictEqual(outputs.length, 3);
      for (const r of echoing.requests) {
        assert.deepStrictEqual(new URL(r.url, 'http://x').searchParams.getAll('api_key'), [KEY]);
      }
      // (The Link response header is the API's own text and shows what it echoed.)
      for (const m of outputs) assert.ok(!m.responseUrl.includes(KEY), m.responseUrl);
    } finally {
      await echoing.close();
    }
  });

  it('refuses a next URL on another origin after sending the pages before it', async function () {
    const other = await startServer();
    try {
      const evil = await startServer((req, res) => json(res, { data: [1], next: other.url + '/steal' }));
      try {
        const { outputs, errors } = await runPaged({
          ds: { baseUrl: evil.url, authType: 'bearer' },
          credentials: { token: 'page-token-123' },
          query: { paginate: 'nextUrl', pageNextPath: 'next', pageItemsPath: 'data' },
        });
        assert.strictEqual(errors.length, 1);
        assert.strictEqual(errors[0].error.code, 'ORIGIN_REFUSED');
        assert.match(errors[0].error.message, /pageNextPath.*not on the datasource origin/);
        assert.strictEqual(outputs.length, 1);
        assert.deepStrictEqual(outputs[0].payload, [1]);
        assert.strictEqual(other.requests.length, 0);
      } finally {
        await evil.close();
      }
    } finally {
      await other.close();
    }
  });

  it('ends with one HTTP_ERROR when a later page fails, after the pages before it', async function () {
    const { outputs, errors } = await runPaged({
      query: { path: 'fail', paginate: 'nextUrl', pageNextPath: 'next', pageItemsPath: 'data' },
    });
    assert.strictEqual(outputs.length, 1);
    assert.strictEqual(outputs[0].complete, undefined);
    assert.strictEqual(errors.length, 1);
    assert.strictEqual(errors[0].error.code, 'HTTP_ERROR');
    assert.match(errors[0].error.message, /503.*page 2/);
  });

  it('sends the failing page as the last msg when non-2xx is not an error', async function () {
    const { outputs, errors } = await runPaged({
      query: {
        path: 'fail',
        paginate: 'nextUrl',
        pageNextPath: 'next',
        pageItemsPath: 'data',
        failOnHttpError: false,
      },
    });
    assert.deepStrictEqual(errors, []);
    assert.deepStrictEqual(
      outputs.map((m) => m.statusCode),
      [200, 503],
    );
    assert.deepStrictEqual(outputs[1].payload, { error: 'busy' });
    assert.strictEqual(outputs[1].complete, true);
    assert.strictEqual(outputs[1].pageStop, 'status');
  });

  it('emits page 1 even when it is empty', async function () {
    const { outputs } = await runPaged({
      query: { path: 'pages', paginate: 'param', pageParam: 'page', pageStart: '9' },
    });
    assert.strictEqual(outputs.length, 1);
    assert.deepStrictEqual(outputs[0].payload, []);
    assert.strictEqual(outputs[0].complete, true);
    assert.strictEqual(outputs[0].pageStop, 'empty');
  });

  it('reports a missing pagination setting as a configuration error naming it', async function () {
    const ctx = await loadQuery({ ds: { baseUrl: api.url }, query: { paginate: 'nextUrl' } });
    const { error } = await ctx.run({});
    assert.strictEqual(error.error.code, 'CONFIG_ERROR');
    assert.match(error.error.message, /pageNextPath/);
    assert.strictEqual(api.requests.length, 0);
  });

  describe('settings and Link header parsing', function () {
    it('finds rel="next" among several links and relation types', function () {
      assert.strictEqual(
        nextLink('<https://a/x?p=1>; rel="prev first", <https://a/x?p=3>; title="a, <b>"; rel="last next"'),
        'https://a/x?p=3',
      );
      assert.strictEqual(nextLink(['<https://a/1>; rel=prev', '<https://a/2>; rel=next']), 'https://a/2');
      assert.strictEqual(nextLink('<https://a/1>; rel="nextish"'), undefined);
      assert.strictEqual(nextLink(undefined), undefined);
    });

    it('validates and defaults the pagination properties', function () {
      const s = parsePagination({ paginate: 'param', pageParam: 'page' });
      assert.strictEqual(s.start, '1');
      assert.strictEqual(s.step, 1);
      assert.strictEqual(s.max, 100);
      assert.strictEqual(s.output, 'each');
      assert.throws(() => parsePagination({ paginate: 'param' }), /pageParam/);
      assert.throws(() => parsePagination({ paginate: 'param', pageParam: 'p', pageStep: '0' }), /pageStep/);
      assert.throws(() => parsePagination({ paginate: 'link', pageMax: '0' }), /pageMax/);
      assert.throws(() => parsePagination({ paginate: 'link', pageItemsPath: 'a..b' }), /pageItemsPath/);
      assert.throws(() => parsePagination({ paginate: 'sideways' }), /paginate/);
    });
  });
});
