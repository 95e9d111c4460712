'use strict';
const assert = require('assert');
const { helper, loadQuery } = require('./lib/nr');
const { startServer } = require('./lib/server');

// Each row: settings or msg that are wrong, and what the user must read in the error.
const CASES = [
  { what: 'empty baseUrl', ds: { baseUrl: '' }, field: /baseUrl: is required/ },
  { what: 'javascript: baseUrl', ds: { baseUrl: 'javascript:alert(1)' }, field: /baseUrl: must start with http/ },
  {
    what: 'baseUrl with credentials',
    ds: { baseUrl: 'http://u:p@127.0.0.1' },
    field: /baseUrl: must not contain a user name/,
  },
  {
    what: 'baseUrl with a query',
    ds: { baseUrl: 'http://127.0.0.1/?a=1' },
    field: /baseUrl: must not contain \?query or #fragment; put query parameters in the Query parameters list/,
  },
  { what: 'non-numeric timeout', ds: { timeout: 'soon' }, field: /timeout: must be a whole number/ },
  { what: 'huge timeout', ds: { timeout: 1e15 }, field: /timeout: must be a whole number/ },
  { what: 'negative retries', ds: { retries: -1 }, field: /retries: must be a whole number/ },
  { what: 'unknown authType', ds: { authType: 'kerberos' }, field: /authType: must be one of/ },
  { what: 'boolean as text', ds: { tlsVerify: 'maybe' }, field: /tlsVerify: must be true or false/ },
  { what: 'headers not a list', ds: { headers: 'X-A: 1' }, field: /headers: must be a list/ },
  {
    what: 'CRLF in a datasource header',
    ds: { headers: [{ name: 'X-Bad', value: 'a\r\nInjected: 1' }] },
    field: /headers "X-Bad": contains a line break/,
  },
  {
    what: 'space in a header name',
    ds: { headers: [{ name: 'Bad Name', value: 'x' }] },
    field: /header name "Bad Name"/,
  },
  {
    what: 'NUL in a query header',
    query: { headers: [{ name: 'X-Q', value: 'a\u0000b', valueType: 'str' }] },
    field: /headers "X-Q": contains/,
  },
  {
    what: 'invalid JSON row',
    query: { params: [{ name: 'j', value: '{oops', valueType: 'json' }] },
    field: /params\[0\] "j": the json value/,
  },
  { what: 'unknown method', query: { method: 'FETCH' }, field: /method: must be one of/ },
  { what: 'unknown body type', query: { bodyType: 'xml' }, field: /bodyType: must be one of/ },
  { what: 'negative node timeout', query: { timeout: '-5' }, field: /timeout: must be a whole number/ },
  {
    what: 'msg.method not a method',
    query: { method: 'msg' },
    msg: { method: 'TRACE' },
    field: /msg\.method: must be one of/,
  },
  { what: 'msg.headers a string', msg: { headers: 'X-A: 1' }, field: /msg\.headers: must be an object/ },
  {
    what: 'object header value',
    msg: { headers: { 'X-Obj': { a: 1 } } },
    field: /msg\.headers "X-Obj": must be text or a number/,
  },
  {
    what: 'LF in a msg header',
    msg: { headers: { 'X-Evil': 'a\nb' } },
    field: /msg\.headers "X-Evil": contains a line break/,
  },
  { what: 'control character in a msg header', msg: { headers: { 'X-C': 'a\u0007b' } }, field: /msg\.headers "X-C"/ },
  { what: 'msg.params an array', msg: { params: [1, 2] }, field: /msg\.params: must be an object/ },
  { what: 'msg.cookies bad name', msg: { cookies: { 'bad name': 'x' } }, field: /cookie name "bad name"/ },
  {
    what: 'msg.requestTimeout text',
    msg: { requestTimeout: 'soon' },
    field: /msg\.requestTimeout: must be a positive number/,
  },
  { what: 'msg.url a number', msg: { url: 42 }, field: /msg\.url: must be text/ },
  {
    what: 'msg.url javascript:',
    msg: { url: 'javascript:alert(1)' },
    code: 'ORIGIN_REFUSED',
    field: /differs from the datasource origin/,
  },
  {
    what: 'msg.url unicode host',
    msg: { url: 'http://bücher.example/x' },
    code: 'ORIGIN_REFUSED',
    field: /xn--bcher-kva\.example/,
  },
  {
    what: 'missing placeholder',
    query: { path: 'items/{{id}}' },
    field: /path: placeholder \{\{id\}\} has no value: set msg\.id/,
  },
  {
    what: 'object placeholder',
    query: { path: 'items/{{id}}' },
    msg: { id: { a: 1 } },
    field: /placeholder \{\{id\}\} must be text/,
  },
  {
    what: 'multipart body not an object',
    query: { method: 'POST', bodyType: 'multipart' },
    msg: { payload: 'text' },
    field: /msg\.payload: a multipart body/,
  },
];

describe('bad input gives a clear error naming the field, and sends nothing', function () {
  let api;
  before(async function () {
    await new Promise((r) => helper.startServer(r));
    api = await startServer((req, res) => res.end('ok'));
  });
  after(async function () {
    await api.close();
    await new Promise((r) => helper.stopServer(r));
  });
  afterEach(async function () {
    await helper.unload();
  });

  for (const c of CASES) {
    it(c.what, async function () {
      const before = api.requests.length;
      const ctx = await loadQuery({ ds: { baseUrl: api.url, ...c.ds }, query: c.query || {} });
      const { error, msg } = await ctx.run(c.msg || {});
      assert.ok(error, `expected an error, got ${msg && msg.statusCode}`);
      assert.strictEqual(error.error.code, c.code || 'CONFIG_ERROR', error.error.message);
      assert.match(error.error.message, c.field);
      assert.strictEqual(api.requests.length, before, 'a request was sent');
    });
  }

  it('the runtime is still up and serves a good request afterwards', async function () {
    const ctx = await loadQuery({ ds: { baseUrl: api.url } });
    const { msg } = await ctx.run({});
    assert.strictEqual(msg.payload, 'ok');
  });
});
