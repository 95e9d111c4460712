'use strict';
// An abort (the msg's timeout, or the datasource stopping on a redeploy) can land at any step
// of a request's life: before the connection is made, while TLS is negotiated (directly or in a
// proxy tunnel), while the body arrives, while it is decompressed. At every step the runtime
// stays up and each msg ends in exactly one error with a stable code. An abort in the wrong
// order (the request destroyed before its 'error' listener existed) threw "socket hang up"
// uncaught, which ends a Node-RED process.
const assert = require('assert');
const net = require('net');
const zlib = require('zlib');
const { helper, loadQuery, collect, useRuntime, coreNode } = require('./lib/nr');
const { startServer } = require('./lib/server');
const { startProxy } = require('./lib/proxy');
const { secret } = require('./lib/secrets');

const CLIENT_SECRET = secret('abort-client-secret');
const TOKEN = secret('abort-step-token');

/** A raw TCP server that accepts connections and never says a word (a stalled TLS handshake). */
async function startSilentServer() {
  const sockets = new Set();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${server.address().port}`,
    connections: () => sockets.size,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function until(check, what) {
  for (let i = 0; i < 1000; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('abort at each step of a request: the runtime stays up, one coded error per msg', function () {
  let uncaught;
  const servers = [];
  const onUncaught = (err) => uncaught.push(err);
  useRuntime();
  beforeEach(function () {
    uncaught = [];
    process.on('uncaughtException', onUncaught);
  });
  afterEach(async function () {
    await helper.unload();
    // Late errors (a socket torn down after the msg ended) would land here.
    await new Promise((r) => setTimeout(r, 20));
    process.removeListener('uncaughtException', onUncaught);
    await Promise.all(servers.splice(0).map((s) => s.close()));
    assert.deepStrictEqual(
      uncaught.map((e) => e.message),
      [],
      'no exception escaped to the process',
    );
  });

  /** Send `count` msgs; resolve once each has ended, with every output and error. */
  async function runAll(ctx, count) {
    const seen = collect(ctx);
    for (let i = 0; i < count; i++) ctx.q.receive({ topic: `m${i}` });
    await until(() => seen.outputs.length + seen.errors.length >= count, `${count} msgs to end`);
    return seen;
  }

  function assertOneErrorEach(seen, count, code) {
    assert.strictEqual(seen.outputs.length, 0, 'no msg went out');
    assert.deepStrictEqual(
      seen.errors.map((m) => m.topic).sort(),
      Array.from({ length: count }, (_, i) => `m${i}`),
      'one error per msg',
    );
    for (const m of seen.errors) assert.strictEqual(m.error.code, code, m.error.message);
  }

  it('before the connection: the timeout fired while the OAuth token was fetched', async function () {
    // The token endpoint answers after the query's timeout: the request starts already aborted.
    const api = await startServer(async (req, res) => {
      if (req.url === '/token') {
        await new Promise((r) => setTimeout(r, 300));
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ access_token: TOKEN, token_type: 'Bearer', expires_in: 3600 }));
        return;
      }
      res.end('{}');
    });
    servers.push(api);
    const ctx = await loadQuery({
      ds: {
        baseUrl: api.url,
        authType: 'oauth2',
        oauth2GrantType: 'client_credentials',
        oauth2TokenUrl: `${api.url}/token`,
      },
      query: { path: 'items', timeout: 100 },
      credentials: { clientId: 'abort-client', clientSecret: CLIENT_SECRET },
    });
    const seen = await runAll(ctx, 3);
    assertOneErrorEach(seen, 3, 'ETIMEDOUT');
    // Only token requests reached the server: an aborted request never went out.
    assert.ok(api.requests.every((r) => r.url === '/token'));
  });

  it('before the connection: the datasource stopped while the OAuth token was fetched', async function () {
    let tokenAsked;
    const asked = new Promise((r) => (tokenAsked = r));
    const api = await startServer(async (req, res) => {
      if (req.url === '/token') {
        tokenAsked();
        await new Promise((r) => setTimeout(r, 200));
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ access_token: TOKEN, token_type: 'Bearer', expires_in: 3600 }));
        return;
      }
      res.end('{}');
    });
    servers.push(api);
    const ctx = await loadQuery({
      ds: {
        baseUrl: api.url,
        authType: 'oauth2',
        oauth2GrantType: 'client_credentials',
        oauth2TokenUrl: `${api.url}/token`,
      },
      query: { path: 'items' },
      credentials: { clientId: 'abort-client', clientSecret: CLIENT_SECRET },
    });
    const seen = collect(ctx);
    for (let i = 0; i < 2; i++) ctx.q.receive({ topic: `m${i}` });
    await asked;
    ctx.ds.datasource.close();
    await until(() => seen.errors.length + seen.outputs.length >= 2, 'both msgs to end');
    assert.strictEqual(seen.outputs.length, 0);
    assert.strictEqual(seen.errors.length, 2);
    for (const m of seen.errors) assert.match(m.error.code, /^(ABORTED|TOKEN_ERROR)$/, m.error.message);
  });

  it('during TLS: the server never finishes the handshake (timeout, then stop)', async function () {
    const silent = await startSilentServer();
    servers.push(silent);
    let ctx = await loadQuery({ ds: { baseUrl: silent.url }, query: { timeout: 150 } });
    assertOneErrorEach(await runAll(ctx, 3), 3, 'ETIMEDOUT');
    await helper.unload();

    ctx = await loadQuery({ ds: { baseUrl: silent.url } });
    const seen = collect(ctx);
    for (let i = 0; i < 3; i++) ctx.q.receive({ topic: `m${i}` });
    await until(() => silent.connections() > 0, 'a TLS connection');
    ctx.ds.datasource.close();
    await until(() => seen.errors.length >= 3, 'three errors');
    assertOneErrorEach(seen, 3, 'ABORTED');
  });

  it('during TLS in a proxy tunnel: the target never finishes the handshake (timeout, then stop)', async function () {
    const silent = await startSilentServer();
    const proxy = await startProxy();
    servers.push(silent, proxy);
    const load = (query) =>
      loadQuery({
        ds: { baseUrl: silent.url, proxy: 'px' },
        query,
        nodes: [coreNode('network/06-httpproxy.js')],
        extra: [{ id: 'px', type: 'http proxy', name: 'corp', url: proxy.url, noproxy: [] }],
      });
    let ctx = await load({ timeout: 150 });
    assertOneErrorEach(await runAll(ctx, 3), 3, 'ETIMEDOUT');
    assert.ok(proxy.tunnels.length > 0, 'the requests went through the proxy');
    await helper.unload();

    ctx = await load({});
    const seen = collect(ctx);
    for (let i = 0; i < 3; i++) ctx.q.receive({ topic: `m${i}` });
    await until(() => silent.connections() > 0, 'a tunnel to the target');
    ctx.ds.datasource.close();
    await until(() => seen.errors.length >= 3, 'three errors');
    assertOneErrorEach(seen, 3, 'ABORTED');
  });

  it('while the proxy is asked for a tunnel that never opens (stop)', async function () {
    // A "proxy" that accepts the connection and never answers CONNECT.
    const silentProxy = await startSilentServer();
    servers.push(silentProxy);
    const ctx = await loadQuery({
      ds: { baseUrl: 'https://127.0.0.1:9', proxy: 'px' },
      nodes: [coreNode('network/06-httpproxy.js')],
      extra: [
        {
          id: 'px',
          type: 'http proxy',
          name: 'corp',
          url: silentProxy.url.replace('https:', 'http:'),
          noproxy: [],
        },
      ],
    });
    const seen = collect(ctx);
    for (let i = 0; i < 3; i++) ctx.q.receive({ topic: `m${i}` });
    await until(() => silentProxy.connections() > 0, 'a connection to the proxy');
    ctx.ds.datasource.close();
    await until(() => seen.errors.length >= 3, 'three errors');
    assert.strictEqual(seen.outputs.length, 0);
    for (const m of seen.errors) assert.strictEqual(m.error.code, 'ABORTED', m.error.message);
  });

  for (const gzip of [false, true]) {
    const step = gzip ? 'while decompressing' : 'mid-body';
    it(`${step}: the body stops arriving (timeout, then stop)`, async function () {
      let started = 0;
      const api = await startServer((req, res) => {
        started++;
        res.writeHead(200, {
          'Content-Type': 'application/json',
          ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
        });
        const part = Buffer.from('{"items":[' + '1,'.repeat(50000));
        // Half a gzip stream, flushed so the decoder has work to do, then nothing more.
        res.write(gzip ? zlib.gzipSync(part).subarray(0, 2000) : part);
      });
      servers.push(api);
      let ctx = await loadQuery({ ds: { baseUrl: api.url }, query: { timeout: 150 } });
      assertOneErrorEach(await runAll(ctx, 3), 3, 'ETIMEDOUT');
      await helper.unload();

      started = 0;
      ctx = await loadQuery({ ds: { baseUrl: api.url } });
      const seen = collect(ctx);
      for (let i = 0; i < 3; i++) ctx.q.receive({ topic: `m${i}` });
      await until(() => started >= 3, 'three responses under way');
      ctx.ds.datasource.close();
      await until(() => seen.errors.length >= 3, 'three errors');
      assertOneErrorEach(seen, 3, 'ABORTED');
    });
  }
});
