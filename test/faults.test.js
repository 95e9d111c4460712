'use strict';
const assert = require('assert');
const zlib = require('zlib');
const { helper, loadQuery, collect, useRuntime } = require('./lib/nr');
const { until } = require('./lib/wait');
const { startServer } = require('./lib/server');

/** A handler that redirects every request. */
const redirectTo = (status, location) => (req, res) => {
  res.statusCode = status;
  res.setHeader('Location', location);
  res.end();
};
const { secret } = require('./lib/secrets');
const https = require('https');
const { certs, serverOptions } = require('./lib/certs');

describe('resilience against faulty servers', function () {
  let api;
  let other;
  useRuntime();
  afterEach(async function () {
    await helper.unload();
    for (const s of [api, other]) if (s) await s.close();
    api = other = undefined;
  });

  it('ECONNRESET when the server resets the connection mid-body', async function () {
    api = await startServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '1000' });
      res.write('partial');
      setTimeout(() => res.socket.destroy(), 20);
    });
    const ctx = await loadQuery({ ds: { baseUrl: api.url } });
    const { error } = await ctx.run({});
    assert.strictEqual(error.error.code, 'ECONNRESET');
  });

  it('a slow-drip server cannot hold a request past its timeout', async function () {
    const timers = [];
    api = await startServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      timers.push(setInterval(() => res.write('.'), 20));
    });
    const ctx = await loadQuery({ ds: { baseUrl: api.url, timeout: 300 } });
    const { error } = await ctx.run({});
    timers.forEach(clearInterval);
    assert.strictEqual(error.error.code, 'ETIMEDOUT');
  });

  it('retries 500 then succeeds on 200, showing the retry in the status', async function () {
    let n = 0;
    api = await startServer((req, res) => {
      res.statusCode = ++n === 1 ? 500 : 200;
      res.end(String(n));
    });
    const ctx = await loadQuery({ ds: { baseUrl: api.url, retries: 2, retryDelay: 10 } });
    const { msg } = await ctx.run({});
    assert.strictEqual(msg.statusCode, 200);
    assert.strictEqual(msg.payload, '2');
    assert.strictEqual(api.requests.length, 2);
    const texts = ctx.q.status.args.map((a) => a[0].text);
    assert.ok(
      texts.some((t) => /retrying|retry/.test(t)),
      JSON.stringify(texts),
    );
  });

  it('honours Retry-After on 429', async function () {
    let n = 0;
    const seenAt = [];
    api = await startServer((req, res) => {
      seenAt.push(Date.now());
      if (++n === 1) {
        res.statusCode = 429;
        res.setHeader('Retry-After', '1');
        return res.end('slow down');
      }
      res.end('ok');
    });
    const ctx = await loadQuery({ ds: { baseUrl: api.url, retries: 1, retryDelay: 1 } });
    const { msg } = await ctx.run({});
    assert.strictEqual(msg.payload, 'ok');
    // The second attempt waited for the server's Retry-After, not the 1 ms retryDelay.
    assert.ok(seenAt[1] - seenAt[0] >= 900, `waited ${seenAt[1] - seenAt[0]} ms`);
  });

  it('gives up after the configured retries and says how many attempts it made', async function () {
    api = await startServer((req, res) => {
      res.statusCode = 503;
      res.end('down');
    });
    const ctx = await loadQuery({ ds: { baseUrl: api.url, retries: 2, retryDelay: 5 } });
    const { error } = await ctx.run({});
    assert.strictEqual(error.error.code, 'HTTP_ERROR');
    assert.strictEqual(error.statusCode, 503);
    assert.strictEqual(api.requests.length, 3);
  });

  it('does not retry a POST that reached the server', async function () {
    api = await startServer((req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const ctx = await loadQuery({ ds: { baseUrl: api.url, retries: 3, retryDelay: 5 }, query: { method: 'POST' } });
    const { error } = await ctx.run({ payload: { a: 1 } });
    assert.strictEqual(error.error.code, 'HTTP_ERROR');
    assert.strictEqual(api.requests.length, 1);
  });

  it('a cross-origin redirect reaches the other origin without any credential', async function () {
    const token = secret('redirect-token');
    const secretHeader = secret('row');
    other = await startServer();
    api = await startServer(redirectTo(307, other.url + '/landing'));
    const ctx = await loadQuery({
      ds: {
        baseUrl: api.url,
        authType: 'bearer',
        headers: [
          { name: 'X-Row-Secret', value: '', secret: true },
          { name: 'X-Plain', value: 'kept' },
        ],
        cookies: [{ name: 'sid', value: 'abc' }],
      },
      credentials: { token, secrets: JSON.stringify({ 'headers:x-row-secret': secretHeader }) },
    });
    const { msg } = await ctx.run({ headers: { Authorization: 'Bearer explicit-' + token } });
    assert.strictEqual(msg.statusCode, 200);
    assert.strictEqual(api.requests[0].headers.authorization, 'Bearer explicit-' + token);
    const landed = other.requests[0].headers;
    assert.strictEqual(landed.authorization, undefined);
    assert.strictEqual(landed['x-row-secret'], undefined);
    assert.strictEqual(landed.cookie, undefined);
    assert.strictEqual(landed['x-plain'], 'kept');
  });

  it('an https to http downgrade on the same host drops every credential', async function () {
    const c = certs();
    const token = secret('downgrade-token');
    other = await startServer();
    api = await startServer(redirectTo(302, `http://127.0.0.1:${other.port}/plain`), {
      createServer: https.createServer,
      options: serverOptions(c.server),
    });
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, authType: 'bearer', cookies: [{ name: 'sid', value: 'abc' }] },
      credentials: { token, ca: c.ca.pem },
    });
    const { msg } = await ctx.run({});
    assert.strictEqual(msg.statusCode, 200);
    assert.strictEqual(api.requests[0].headers.authorization, 'Bearer ' + token);
    assert.strictEqual(other.requests[0].headers.authorization, undefined);
    assert.strictEqual(other.requests[0].headers.cookie, undefined);
  });

  it('a 307 to another origin is refused when the body holds secret datasource fields', async function () {
    other = await startServer();
    api = await startServer(redirectTo(307, other.url + '/landing'));
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, body: [{ name: 'apiSecret', value: '', secret: true }] },
      credentials: { secrets: JSON.stringify({ 'body:apiSecret': secret('body-field') }) },
      query: { method: 'POST', bodyType: 'json' },
    });
    const { error } = await ctx.run({ payload: { order: 1 } });
    assert.strictEqual(error.error.code, 'ORIGIN_REFUSED');
    assert.strictEqual(api.requests.length, 1);
    assert.strictEqual(other.requests.length, 0);
  });

  it('a cross-origin redirect does not carry an API key query parameter', async function () {
    const key = secret('query-key');
    other = await startServer();
    api = await startServer(redirectTo(302, other.url + '/landing?page=2'));
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, authType: 'apiKey', apiKeyIn: 'query', apiKeyName: 'key' },
      credentials: { apiKey: key },
    });
    await ctx.run({});
    assert.ok(api.requests[0].url.includes('key='));
    assert.strictEqual(other.requests[0].url, '/landing?page=2');
  });

  it('a gzip bomb over the size cap fails with RESPONSE_TOO_LARGE (the cap applies after decompression)', async function () {
    const bomb = zlib.gzipSync(Buffer.alloc(20 * 1024 * 1024));
    api = await startServer((req, res) => {
      res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Type': 'application/octet-stream' });
      res.end(bomb);
    });
    assert.ok(bomb.length < 64 * 1024);
    const ctx = await loadQuery({ ds: { baseUrl: api.url, maxResponseBytes: 1024 * 1024 } });
    const { error } = await ctx.run({});
    assert.strictEqual(error.error.code, 'RESPONSE_TOO_LARGE');
  });

  it('decodes a gzip response under the cap', async function () {
    api = await startServer((req, res) => {
      res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Type': 'application/json' });
      res.end(zlib.gzipSync(JSON.stringify({ zipped: true })));
    });
    const ctx = await loadQuery({ ds: { baseUrl: api.url } });
    const { msg } = await ctx.run({});
    assert.deepStrictEqual(msg.payload, { zipped: true });
  });

  for (const [coding, encode] of [
    ['deflate', zlib.deflateSync],
    ['br', zlib.brotliCompressSync],
  ]) {
    it(`decodes a ${coding} response and drops its Content-Encoding`, async function () {
      api = await startServer((req, res) => {
        res.writeHead(200, { 'Content-Encoding': coding, 'Content-Type': 'application/json' });
        res.end(encode(JSON.stringify({ coding })));
      });
      const ctx = await loadQuery({ ds: { baseUrl: api.url } });
      const { msg } = await ctx.run({});
      assert.deepStrictEqual(msg.payload, { coding });
      assert.strictEqual(msg.headers['content-encoding'], undefined);
      assert.match(api.requests[0].headers['accept-encoding'], /gzip/);
    });
  }

  it('a corrupt gzip body is an error, not a crash', async function () {
    api = await startServer((req, res) => {
      res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Type': 'text/plain' });
      res.end(Buffer.from('this is not gzip at all'));
    });
    const ctx = await loadQuery({ ds: { baseUrl: api.url } });
    const { error } = await ctx.run({});
    assert.ok(error);
    assert.strictEqual(error.error.code, 'NETWORK_ERROR');
  });

  it('empty body with a JSON content type: "" in auto mode, null in JSON mode', async function () {
    api = await startServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end();
    });
    let ctx = await loadQuery({ ds: { baseUrl: api.url } });
    assert.strictEqual((await ctx.run({})).msg.payload, '');
    await helper.unload();
    ctx = await loadQuery({ ds: { baseUrl: api.url }, query: { responseType: 'json' } });
    assert.strictEqual((await ctx.run({})).msg.payload, null);
  });

  it('HEAD and 204 give an empty payload and the status', async function () {
    api = await startServer((req, res) => {
      if (req.method === 'HEAD') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '50' });
        return res.end();
      }
      res.statusCode = 204;
      res.end();
    });
    let ctx = await loadQuery({ ds: { baseUrl: api.url }, query: { method: 'HEAD' } });
    let r = await ctx.run({});
    assert.strictEqual(r.msg.statusCode, 200);
    assert.strictEqual(r.msg.payload, '');
    assert.strictEqual(r.msg.headers['content-length'], '50');
    await helper.unload();
    ctx = await loadQuery({ ds: { baseUrl: api.url }, query: { method: 'DELETE' } });
    r = await ctx.run({});
    assert.strictEqual(r.msg.statusCode, 204);
    assert.strictEqual(r.msg.payload, '');
  });

  it('2,000 messages, concurrency 8, a third failing: each ends in exactly one output or one error', async function () {
    this.timeout(60000);
    let inflight = 0;
    let maxInflight = 0;
    api = await startServer((req, res) => {
      inflight++;
      maxInflight = Math.max(maxInflight, inflight);
      const id = Number(new URL(req.url, 'http://x').searchParams.get('id'));
      setImmediate(() => {
        inflight--;
        res.statusCode = id % 3 === 0 ? 500 : 200;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ id }));
      });
    });
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, concurrency: 8 },
      query: { params: [{ name: 'id', value: 'id', valueType: 'msg' }] },
    });
    const seen = collect(ctx);
    if (global.gc) global.gc();
    const before = process.memoryUsage().heapUsed;
    const N = 2000;
    for (let i = 0; i < N; i++) ctx.q.receive({ id: i });
    for (let i = 0; i < 600 && seen.outputs.length + seen.errors.length < N; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.strictEqual(seen.outputs.length + seen.errors.length, N);
    const ids = [...seen.outputs.map((m) => m.id), ...seen.errors.map((m) => m.id)].sort((a, b) => a - b);
    assert.deepStrictEqual(
      ids,
      Array.from({ length: N }, (_, i) => i),
    );
    assert.ok(seen.errors.every((m) => m.id % 3 === 0 && m.error.code === 'HTTP_ERROR'));
    assert.strictEqual(seen.errors.length, Math.ceil(N / 3));
    assert.ok(maxInflight <= 8, `max in flight ${maxInflight}`);
    assert.strictEqual(api.requests.length, N);
    seen.outputs.length = seen.errors.length = 0;
    if (global.gc) {
      global.gc();
      const after = process.memoryUsage().heapUsed;
      assert.ok(after - before < 20 * 1024 * 1024, `heap grew by ${after - before} bytes`);
    }
  });

  it('a rate limit spaces requests out and keeps them in arrival order', async function () {
    const seen = [];
    api = await startServer((req, res) => {
      seen.push({ i: Number(req.url.slice(1)), at: Date.now() });
      res.end('ok');
    });
    const ctx = await loadQuery({ ds: { baseUrl: api.url, rateLimit: 20 }, query: { path: '{{i}}' } });
    const got = collect(ctx);
    for (let i = 0; i < 6; i++) ctx.q.receive({ i });
    for (let k = 0; k < 100 && got.outputs.length + got.errors.length < 6; k++)
      await new Promise((r) => setTimeout(r, 20));
    assert.deepStrictEqual(
      got.errors.map((m) => m.error.message),
      [],
    );
    assert.strictEqual(got.outputs.length, 6);
    assert.deepStrictEqual(
      seen.map((s) => s.i),
      [0, 1, 2, 3, 4, 5],
    );
    // 20 per second: six starts span at least 5 × 50 ms. The span, not each gap, is checked:
    // network latency shifts single arrivals but not the whole series.
    const span = seen[seen.length - 1].at - seen[0].at;
    assert.ok(span >= 200, `6 requests arrived within ${span} ms`);
  });

  it('a redeploy gives queued and in-flight messages an error each, not silence', async function () {
    api = await startServer(() => {
      /* hold every request */
    });
    const ctx = await loadQuery({ ds: { baseUrl: api.url, concurrency: 1 } });
    const seen = collect(ctx);
    for (let i = 0; i < 5; i++) ctx.q.receive({ i });
    await until(() => api.requests.length >= 1, 'the first request');
    assert.strictEqual(api.requests.length, 1);
    const q = ctx.q;
    const errors = [];
    const original = q.error;
    q.error = function (err, msg) {
      errors.push(err);
      return original.call(this, err, msg);
    };
    await helper.unload();
    await until(() => errors.length >= 5, 'an error for each of the five msgs');
    assert.strictEqual(seen.outputs.length, 0);
    assert.strictEqual(errors.length, 5);
    assert.ok(
      errors.every((e) => e.code === 'ABORTED'),
      JSON.stringify(errors.map((e) => e.code)),
    );
  });
});
