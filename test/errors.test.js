'use strict';
const assert = require('assert');
const { helper, loadQuery, collect, useRuntime } = require('./lib/nr');
const { startServer, closedPort } = require('./lib/server');

describe('errors reach a Catch node with a stable code', function () {
  let api;
  useRuntime();
  afterEach(async function () {
    await helper.unload();
    if (api) await api.close();
    api = undefined;
  });

  /** Run one msg and check it produced exactly one error and no output. */
  async function expectError(ctx, msg, code) {
    const seen = collect(ctx);
    const result = await ctx.run(msg);
    // A second output or error would come from the same turn of work: let pending callbacks run.
    await new Promise((r) => setImmediate(r));
    assert.ok(result.error, `expected an error, got output ${JSON.stringify(result.msg && result.msg.payload)}`);
    assert.strictEqual(result.error.error.code, code, result.error.error.message);
    assert.strictEqual(seen.outputs.length, 0);
    assert.strictEqual(seen.errors.length, 1);
    assert.strictEqual(result.error.error.source.id, 'q');
    return result.error;
  }

  it('ECONNREFUSED when nothing listens', async function () {
    const port = await closedPort();
    const ctx = await loadQuery({ ds: { baseUrl: `http://127.0.0.1:${port}` } });
    const err = await expectError(ctx, {}, 'ECONNREFUSED');
    assert.match(err.error.message, /connection refused/);
    assert.strictEqual(ctx.q.status.lastCall.args[0].text, 'ECONNREFUSED');
  });

  it('ETIMEDOUT when the server does not answer in time (msg.requestTimeout)', async function () {
    api = await startServer(() => {
      /* never answers */
    });
    const ctx = await loadQuery({ ds: { baseUrl: api.url } });
    await expectError(ctx, { requestTimeout: 150 }, 'ETIMEDOUT');
  });

  it('ETIMEDOUT with the node timeout, which overrides the datasource', async function () {
    api = await startServer(() => {});
    const ctx = await loadQuery({ ds: { baseUrl: api.url, timeout: 60000 }, query: { timeout: '100' } });
    await expectError(ctx, {}, 'ETIMEDOUT');
  });

  it('non-2xx with failOnHttpError: HTTP_ERROR carrying statusCode and the decoded body', async function () {
    api = await startServer((req, res) => {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'application/json');
      res.end('{"error":"not found"}');
    });
    const ctx = await loadQuery({ ds: { baseUrl: api.url }, query: { path: 'missing' } });
    const err = await expectError(ctx, { topic: 'keep' }, 'HTTP_ERROR');
    assert.strictEqual(err.statusCode, 404);
    assert.deepStrictEqual(err.payload, { error: 'not found' });
    assert.strictEqual(err.topic, 'keep');
    assert.match(err.error.message, /HTTP 404/);
  });

  it('non-2xx without failOnHttpError: the msg goes out as usual', async function () {
    api = await startServer((req, res) => {
      res.statusCode = 503;
      res.end('busy');
    });
    const ctx = await loadQuery({ ds: { baseUrl: api.url }, query: { failOnHttpError: false } });
    const { msg, error } = await ctx.run({});
    assert.strictEqual(error, undefined);
    assert.strictEqual(msg.statusCode, 503);
    assert.strictEqual(msg.payload, 'busy');
  });

  it('PARSE_ERROR for invalid JSON when the node returns JSON', async function () {
    api = await startServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end('{not json');
    });
    const ctx = await loadQuery({ ds: { baseUrl: api.url }, query: { responseType: 'json' } });
    await expectError(ctx, {}, 'PARSE_ERROR');
  });

  it('RESPONSE_TOO_LARGE when the body exceeds maxResponseBytes', async function () {
    api = await startServer((req, res) => res.end(Buffer.alloc(10000, 'a')));
    const ctx = await loadQuery({ ds: { baseUrl: api.url, maxResponseBytes: 4096 } });
    const err = await expectError(ctx, {}, 'RESPONSE_TOO_LARGE');
    assert.match(err.error.message, /maxResponseBytes/);
  });

  it('REQUEST_TOO_LARGE when the body exceeds maxRequestBytes; nothing is sent', async function () {
    api = await startServer();
    const ctx = await loadQuery({ ds: { baseUrl: api.url, maxRequestBytes: 1000 }, query: { method: 'POST' } });
    await expectError(ctx, { payload: Buffer.alloc(5000) }, 'REQUEST_TOO_LARGE');
    assert.strictEqual(api.requests.length, 0);
  });

  it('TOO_MANY_REDIRECTS on a redirect loop', async function () {
    api = await startServer((req, res) => {
      res.statusCode = 302;
      res.setHeader('Location', '/loop');
      res.end();
    });
    const ctx = await loadQuery({ ds: { baseUrl: api.url, maxRedirects: 3 } });
    await expectError(ctx, {}, 'TOO_MANY_REDIRECTS');
    assert.strictEqual(api.requests.length, 4);
  });

  it('CONFIG_ERROR naming baseUrl when it is not http(s), and the runtime stays up', async function () {
    const ctx = await loadQuery({ ds: { baseUrl: 'ftp://files.example' } });
    const err = await expectError(ctx, {}, 'CONFIG_ERROR');
    assert.match(err.error.message, /baseUrl/);
    assert.match(err.error.message, /http:\/\/ or https:\/\//);
  });

  it('CONFIG_ERROR for a header value with a line break; nothing is sent', async function () {
    api = await startServer();
    const ctx = await loadQuery({ ds: { baseUrl: api.url } });
    const err = await expectError(ctx, { headers: { 'X-Evil': 'a\r\nInjected: yes' } }, 'CONFIG_ERROR');
    assert.match(err.error.message, /X-Evil/);
    assert.strictEqual(api.requests.length, 0);
  });

  it('follows redirects on the same origin and reports the final URL', async function () {
    api = await startServer((req, res) => {
      if (req.url === '/start') {
        res.statusCode = 301;
        res.setHeader('Location', '/final?x=1');
        return res.end();
      }
      res.end('done');
    });
    const ctx = await loadQuery({ ds: { baseUrl: api.url }, query: { path: 'start' } });
    const { msg } = await ctx.run({});
    assert.strictEqual(msg.payload, 'done');
    assert.strictEqual(msg.responseUrl, api.url + '/final?x=1');
  });

  it('with followRedirects off, the 3xx response itself is the result', async function () {
    api = await startServer((req, res) => {
      res.statusCode = 302;
      res.setHeader('Location', '/elsewhere');
      res.end();
    });
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, followRedirects: false },
      query: { failOnHttpError: false },
    });
    const { msg } = await ctx.run({});
    assert.strictEqual(msg.statusCode, 302);
    assert.strictEqual(msg.headers.location, '/elsewhere');
    assert.strictEqual(api.requests.length, 1);
  });
});
