'use strict';
// Every request the package sends to an API goes through axios: a spy on
// axios.Axios.prototype.request, in a real Node-RED runtime, sees one call for every request a
// test API receives — a plain query, each page of a paginated one, each retry, each redirect
// hop, Test connection, the OpenAPI description fetch — each on the axios instance its
// datasource made with axios.create, and nothing of an AxiosError reaches a flow.
const assert = require('assert');
const axios = require('axios');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer, closedPort } = require('./lib/server');

describe('axios in the request path', function () {
  const original = axios.Axios.prototype.request;
  /** {context, url, baseURL} of every axios request since the last take(). */
  let calls = [];
  const take = () => calls.splice(0);
  let api;
  let redirects = 0;
  let flaky = 0;

  useRuntime();
  before(async function () {
    // Installed before any datasource exists: axios.create binds the prototype's request
    // into each instance it makes.
    axios.Axios.prototype.request = function spy(config) {
      calls.push({ context: this, url: config && config.url, baseURL: config && config.baseURL });
      return original.apply(this, arguments);
    };
    api = await startServer((req, res) => {
      const url = new URL(req.url, 'http://x');
      const json = (status, body, headers = {}) => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      switch (url.pathname) {
        case '/pages': {
          const page = Number(url.searchParams.get('page'));
          return json(200, page < 3 ? [page] : []);
        }
        case '/old':
          redirects++;
          res.writeHead(302, { Location: '/new?from=old' });
          return res.end();
        case '/flaky':
          return ++flaky === 1 ? json(503, { busy: true }) : json(200, { ok: true });
        case '/openapi.yaml':
          res.writeHead(200, { 'Content-Type': 'application/yaml' });
          return res.end(
            'openapi: 3.0.0\ninfo: {title: t, version: "1"}\npaths:\n  /a:\n    get:\n' +
              '      parameters:\n        - $ref: "common.yaml#/limit"\n',
          );
        case '/common.yaml':
          res.writeHead(200, { 'Content-Type': 'application/yaml' });
          return res.end('limit:\n  name: limit\n  in: query\n  schema: {type: integer}\n');
        default:
          return json(200, { path: url.pathname });
      }
    });
  });
  after(async function () {
    axios.Axios.prototype.request = original;
    await api.close();
  });
  beforeEach(function () {
    api.requests.length = 0;
    take();
  });
  afterEach(async function () {
    await helper.unload();
  });

  /** The axios calls match the requests the API received, one for one and in order. */
  function assertOneCallPerRequest(seen) {
    assert.ok(seen.length > 0, 'axios was called');
    assert.deepStrictEqual(
      seen.map((c) => c.baseURL + c.url),
      api.requests.map((r) => api.url + r.url),
    );
  }

  it("sends a query's request through the axios instance its datasource created", async function () {
    const ctx = await loadQuery({ ds: { baseUrl: api.url }, query: { path: 'items', params: [] } });
    const { msg } = await ctx.run({});
    assert.deepStrictEqual(msg.payload, { path: '/items' });
    await ctx.run({});
    const seen = take();
    assertOneCallPerRequest(seen);
    assert.strictEqual(seen.length, 2);
    // One instance per datasource: both calls on it, and it is the one axios.create made.
    const instance = ctx.ds.datasource.client.axios;
    for (const c of seen) assert.strictEqual(c.context.defaults, instance.defaults);
    assert.strictEqual(instance.defaults.allowAbsoluteUrls, false);
  });

  it('gives each datasource its own instance', async function () {
    const ctx = await loadQuery({
      ds: { baseUrl: api.url },
      extra: [
        { id: 'ds2', type: 'rest-datasource', baseUrl: api.url },
        { id: 'q2', type: 'rest-query', z: 'f1', datasource: 'ds2', path: 'two', wires: [['out']] },
      ],
    });
    await ctx.run({});
    const done = new Promise((resolve) => ctx.out.once('input', resolve));
    helper.getNode('q2').receive({});
    await done;
    const seen = take();
    assertOneCallPerRequest(seen);
    assert.notStrictEqual(seen[0].context, seen[1].context);
    assert.strictEqual(seen[1].context.defaults, helper.getNode('ds2').datasource.client.axios.defaults);
  });

  it('sends every page of a paginated query through axios', async function () {
    const ctx = await loadQuery({
      ds: { baseUrl: api.url },
      query: { path: 'pages', paginate: 'param', pageParam: 'page', pageOutput: 'all' },
    });
    const { msg } = await ctx.run({});
    assert.deepStrictEqual(msg.payload, [1, 2]);
    assert.strictEqual(api.requests.length, 3);
    assertOneCallPerRequest(take());
  });

  it('sends every retry and every redirect hop through axios', async function () {
    flaky = 0;
    redirects = 0;
    const ctx = await loadQuery({ ds: { baseUrl: api.url, retries: 2, retryDelay: 1 }, query: { path: 'flaky' } });
    assert.strictEqual((await ctx.run({})).msg.statusCode, 200);
    await helper.unload();
    const ctx2 = await loadQuery({ ds: { baseUrl: api.url }, query: { path: 'old' } });
    const { msg } = await ctx2.run({});
    assert.deepStrictEqual(msg.payload, { path: '/new' });
    assert.strictEqual(redirects, 1);
    assert.deepStrictEqual(
      api.requests.map((r) => r.url),
      ['/flaky', '/flaky', '/old', '/new?from=old'],
    );
    assertOneCallPerRequest(take());
  });

  it("sends Test connection's request through axios", async function () {
    await loadQuery({ ds: { baseUrl: api.url } });
    const res = await helper.request().post('/rest-datasource/ds/test').send({ path: '/health' }).expect(200);
    assert.strictEqual(res.body.ok, true);
    assert.strictEqual(api.requests.length, 1);
    assertOneCallPerRequest(take());
  });

  it('fetches an OpenAPI description and the documents it references through axios', async function () {
    await loadQuery({ ds: { baseUrl: api.url } });
    const res = await helper
      .request()
      .post('/rest-datasource/import/openapi')
      .send({ url: `${api.url}/openapi.yaml` })
      .expect(200);
    assert.strictEqual(res.body.title, 't');
    assert.strictEqual(res.body.source, `${api.url}/openapi.yaml`);
    assert.deepStrictEqual(
      api.requests.map((r) => r.url),
      ['/openapi.yaml', '/common.yaml'],
    );
    assertOneCallPerRequest(take());
  });

  it('hands a flow a RestError with a stable code, nothing of the AxiosError', async function () {
    const port = await closedPort();
    const ctx = await loadQuery({ ds: { baseUrl: `http://127.0.0.1:${port}` } });
    const { error } = await ctx.run({});
    assert.strictEqual(take().length, 1, 'the request went through axios');
    assert.strictEqual(error.error.code, 'ECONNREFUSED');
    const shown = JSON.stringify(error.error);
    assert.ok(!/axios|isAxiosError|"config"/i.test(shown), shown);
  });
});
