'use strict';
const assert = require('assert');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');

describe('merge: datasource < query node < msg', function () {
  let api;
  useRuntime();
  beforeEach(async function () {
    api = await startServer();
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
  });

  const row = (name, value, valueType = 'str') => ({ name, value, valueType });

  it('sends each header once with the most specific value, names matching regardless of case', async function () {
    const ctx = await loadQuery({
      ds: {
        baseUrl: api.url,
        headers: [
          { name: 'X-Level', value: 'datasource' },
          { name: 'X-Ds-Only', value: 'ds' },
          { name: 'x-query-wins', value: 'ds' },
        ],
      },
      query: {
        method: 'GET',
        path: 'items',
        headers: [row('X-LEVEL', 'query'), row('X-Query-Wins', 'query'), row('X-Query-Only', 'q')],
      },
    });
    const { msg } = await ctx.run({ headers: { 'x-level': 'msg' } });
    const seen = api.requests[0].headers;
    assert.strictEqual(seen['x-level'], 'msg');
    assert.strictEqual(seen['x-query-wins'], 'query');
    assert.strictEqual(seen['x-ds-only'], 'ds');
    assert.strictEqual(seen['x-query-only'], 'q');
    // Node joins repeated headers with ", ": a value sent twice would show up here.
    const raw = msg.payload.headers;
    assert.strictEqual(raw['x-level'], 'msg');
    assert.strictEqual(msg.statusCode, 200);
  });

  it('replaces whole query parameters by name and repeats array values', async function () {
    const ctx = await loadQuery({
      ds: {
        baseUrl: api.url + '/v1',
        params: [
          { name: 'a', value: 'ds' },
          { name: 'b', value: 'ds' },
          { name: 'c', value: 'ds' },
        ],
      },
      query: { path: 'list', params: [row('b', 'query'), row('c', 'query')] },
    });
    await ctx.run({ params: { c: 'msg', tags: ['x', 'y z'] } });
    const url = new URL(api.requests[0].url, 'http://x');
    assert.strictEqual(url.pathname, '/v1/list');
    assert.deepStrictEqual(url.searchParams.getAll('a'), ['ds']);
    assert.deepStrictEqual(url.searchParams.getAll('b'), ['query']);
    assert.deepStrictEqual(url.searchParams.getAll('c'), ['msg']);
    assert.deepStrictEqual(url.searchParams.getAll('tags'), ['x', 'y z']);
  });

  it('sends paths and query values byte for byte as URL parsing writes them', async function () {
    const ctx = await loadQuery({
      ds: { baseUrl: api.url + '/v1', params: [{ name: 'q', value: "it's" }] },
      query: { path: "o'neil/a b/{{id}}?x=it's" },
    });
    await ctx.run({ id: "c'd", params: { note: "don't (x) ~*!" } });
    // The apostrophe stays in the path, is escaped in the query (also where the query string
    // came with the path); spaces and placeholder values are percent-encoded.
    assert.strictEqual(api.requests[0].url, "/v1/o'neil/a%20b/c'd?x=it%27s&q=it%27s&note=don%27t%20(x)%20~*!");
  });

  it('merges cookies by name into one Cookie header', async function () {
    const ctx = await loadQuery({
      ds: {
        baseUrl: api.url,
        cookies: [
          { name: 'session', value: 'ds' },
          { name: 'theme', value: 'dark' },
        ],
      },
      query: { cookies: [row('session', 'query'), row('lang', 'en')] },
    });
    await ctx.run({ cookies: { session: 'msg' } });
    const cookie = api.requests[0].headers.cookie;
    const pairs = cookie.split('; ').sort();
    assert.deepStrictEqual(pairs, ['lang=en', 'session=msg', 'theme=dark']);
  });

  it("leaves the datasource's defaults as they were: each msg starts from them again", async function () {
    const ctx = await loadQuery({
      ds: {
        baseUrl: api.url,
        authType: 'bearer',
        headers: [{ name: 'X-Client', value: 'ds' }],
        params: [{ name: 'v', value: '2' }],
        cookies: [{ name: 'theme', value: 'dark' }],
      },
      credentials: { token: 'defaults-token' },
      query: { method: 'msg', path: 'items' },
    });
    await ctx.run({ method: 'POST', payload: { a: 1 } });
    await ctx.run({ method: 'GET', headers: { 'X-Msg': 'once' }, params: { q: 'x' } });
    await ctx.run({ method: 'GET' });
    const [post, withMsg, plain] = api.requests;
    assert.strictEqual(post.headers['content-type'], 'application/json');
    for (const r of [post, withMsg, plain]) {
      assert.strictEqual(r.headers.cookie, 'theme=dark');
      assert.strictEqual(r.headers['x-client'], 'ds');
      assert.strictEqual(r.headers.authorization, 'Bearer defaults-token');
    }
    assert.strictEqual(withMsg.headers['x-msg'], 'once');
    assert.strictEqual(withMsg.url, '/items?v=2&q=x');
    // Nothing the earlier messages added stays behind.
    assert.strictEqual(plain.headers['content-type'], undefined);
    assert.strictEqual(plain.headers['x-msg'], undefined);
    assert.strictEqual(plain.url, '/items?v=2');
  });

  it('merges datasource body fields under an object payload, payload fields winning', async function () {
    const ctx = await loadQuery({
      ds: {
        baseUrl: api.url,
        body: [
          { name: 'client', value: 'node-red' },
          { name: 'mode', value: 'ds' },
        ],
      },
      query: { method: 'POST', path: 'orders', bodyType: 'json' },
    });
    await ctx.run({ payload: { mode: 'msg', qty: 2 } });
    assert.deepStrictEqual(JSON.parse(api.requests[0].body), { client: 'node-red', mode: 'msg', qty: 2 });
  });

  it('evaluates typed values: number, boolean, JSON, msg, flow, global and env', async function () {
    process.env.RQ_TEST_ENV = 'from-env';
    const ctx = await loadQuery({
      ds: { baseUrl: api.url },
      query: {
        params: [
          row('n', '42', 'num'),
          row('b', 'true', 'bool'),
          row('j', '{"k":1}', 'json'),
          row('m', 'payload.id', 'msg'),
          row('f', 'fv', 'flow'),
          row('g', 'gv', 'global'),
          row('e', 'RQ_TEST_ENV', 'env'),
        ],
      },
    });
    ctx.q.context().flow.set('fv', 'flow-value');
    ctx.q.context().global.set('gv', 'global-value');
    await ctx.run({ payload: { id: 'abc' } });
    const p = new URL(api.requests[0].url, 'http://x').searchParams;
    assert.strictEqual(p.get('n'), '42');
    assert.strictEqual(p.get('b'), 'true');
    assert.strictEqual(p.get('j'), '{"k":1}');
    assert.strictEqual(p.get('m'), 'abc');
    assert.strictEqual(p.get('f'), 'flow-value');
    assert.strictEqual(p.get('g'), 'global-value');
    assert.strictEqual(p.get('e'), 'from-env');
  });

  it('fills {{placeholders}} in the path from msg, URL-encoded', async function () {
    const ctx = await loadQuery({
      ds: { baseUrl: api.url + '/api/' },
      query: { path: '/users/{{user.id}}/files/{{name}}' },
    });
    await ctx.run({ user: { id: 7 }, name: 'a b/c?d' });
    assert.strictEqual(api.requests[0].url, '/api/users/7/files/a%20b%2Fc%3Fd');
  });

  it('uses msg.path when the node has no path, and msg.method when the method is msg', async function () {
    const ctx = await loadQuery({ ds: { baseUrl: api.url }, query: { method: 'msg', path: '' } });
    await ctx.run({ path: 'things/1', method: 'delete' });
    assert.strictEqual(api.requests[0].method, 'DELETE');
    assert.strictEqual(api.requests[0].url, '/things/1');
  });

  it('does not re-send response headers that an earlier request node left on msg.headers', async function () {
    const ctx = await loadQuery({ ds: { baseUrl: api.url } });
    const first = await ctx.run({});
    assert.ok(first.msg.headers['content-type']);
    await ctx.run(first.msg);
    const second = api.requests[1].headers;
    assert.strictEqual(second['content-type'], undefined);
    assert.strictEqual(second['x-node-red-request-node'], undefined);
  });

  it('keeps every other msg property untouched', async function () {
    const ctx = await loadQuery({ ds: { baseUrl: api.url } });
    const { msg } = await ctx.run({ topic: 't', correlation: { id: 5 } });
    assert.strictEqual(msg.topic, 't');
    assert.deepStrictEqual(msg.correlation, { id: 5 });
    assert.strictEqual(typeof msg.responseTime, 'number');
    assert.strictEqual(msg.responseUrl, api.url + '/');
  });
});
