'use strict';
// Response-to-msg mapping: payloadPath (a property path or JSONata) picks msg.payload out of
// the response body; msg.response keeps the whole body.
const assert = require('assert');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');

const BODY = {
  data: {
    items: [
      { name: 'tea', price: 4 },
      { name: 'cake', price: 12 },
      { name: 'pie', price: 15 },
    ],
    'odd.key': 'dotted',
  },
  meta: { total: 3 },
};

describe('response mapping (payloadPath)', function () {
  let api;
  useRuntime();
  beforeEach(async function () {
    api = await startServer((req, res) => {
      const url = new URL(req.url, 'http://x');
      res.setHeader('Content-Type', 'application/json');
      if (url.pathname === '/missing') {
        res.statusCode = 404;
        return res.end('{"message":"no such thing"}');
      }
      if (url.pathname === '/pages') {
        const page = Number(url.searchParams.get('page'));
        return res.end(JSON.stringify({ data: { items: page <= 2 ? BODY.data.items.slice(page - 1, page) : [] } }));
      }
      res.end(JSON.stringify(BODY));
    });
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
  });

  const load = (query) => loadQuery({ ds: { baseUrl: api.url }, query: { path: 'shop', ...query } });

  it('picks a property path into msg.payload and keeps the whole body in msg.response', async function () {
    const ctx = await load({ payloadPath: 'data.items[1].name', payloadPathType: 'path' });
    const { msg } = await ctx.run({ topic: 't' });
    assert.strictEqual(msg.payload, 'cake');
    assert.deepStrictEqual(msg.response, BODY);
    assert.strictEqual(msg.topic, 't');
  });

  it('accepts a JSONPath-style $ prefix and quoted keys', async function () {
    const ctx = await load({ payloadPath: '$.data["odd.key"]' });
    const { msg } = await ctx.run({});
    assert.strictEqual(msg.payload, 'dotted');
  });

  it('evaluates a JSONata expression with the response body as its root', async function () {
    const ctx = await load({ payloadPath: 'data.items[price > 10].name', payloadPathType: 'jsonata' });
    const { msg } = await ctx.run({});
    assert.deepStrictEqual(msg.payload, ['cake', 'pie']);
    assert.deepStrictEqual(msg.response, BODY);
  });

  it('gives undefined for a path the body does not have', async function () {
    const ctx = await load({ payloadPath: 'data.nothing.here' });
    const { msg } = await ctx.run({ payload: 'request body' });
    assert.strictEqual(msg.payload, undefined);
    assert.deepStrictEqual(msg.response, BODY);
  });

  it('leaves an error body whole when non-2xx is not an error', async function () {
    const ctx = await load({ path: 'missing', payloadPath: 'data.items', failOnHttpError: false });
    const { msg } = await ctx.run({});
    assert.strictEqual(msg.statusCode, 404);
    assert.deepStrictEqual(msg.payload, { message: 'no such thing' });
    assert.deepStrictEqual(msg.response, { message: 'no such thing' });
  });

  it('applies to the concatenated items when pagination sends them all at once', async function () {
    const ctx = await load({
      path: 'pages',
      paginate: 'param',
      pageParam: 'page',
      pageItemsPath: 'data.items',
      pageOutput: 'all',
      payloadPath: '$sum(price)',
      payloadPathType: 'jsonata',
    });
    const { msg } = await ctx.run({});
    assert.strictEqual(msg.payload, 16);
    assert.strictEqual(msg.page, 2);
  });

  it('reports an invalid expression as a configuration error naming payloadPath', async function () {
    const ctx = await load({ payloadPath: 'data.items[', payloadPathType: 'jsonata' });
    const { error } = await ctx.run({});
    assert.strictEqual(error.error.code, 'CONFIG_ERROR');
    assert.match(error.error.message, /payloadPath/);
    assert.strictEqual(api.requests.length, 0);
  });

  it('leaves msg.payload as the whole body and sets no msg.response when no mapping is set', async function () {
    const ctx = await load({});
    const { msg } = await ctx.run({});
    assert.deepStrictEqual(msg.payload, BODY);
    assert.strictEqual('response' in msg, false);
  });
});
