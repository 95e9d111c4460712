'use strict';
// HTTP_PROXY / HTTPS_PROXY / NO_PROXY with a forward proxy started here: what the proxy sees,
// what the target sees, and that TLS runs end to end through the CONNECT tunnel.
const assert = require('assert');
const https = require('https');
const net = require('net');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');
const { certs, serverOptions, startHttpsServer } = require('./lib/certs');
const { startProxy, setProxyEnv } = require('./lib/proxy');
const { secret } = require('./lib/secrets');

const PROXY_USER = 'proxy-user';
const PROXY_PASS = secret('proxy-pass');
const WRONG_PASS = secret('wrong-pass');

describe('proxy: from the environment', function () {
  let c;
  let proxy;
  let api;
  let secureApi;
  let restoreEnv = () => {};
  const extraServers = [];
  const proxyUrl = () => `http://${PROXY_USER}:${PROXY_PASS}@127.0.0.1:${proxy.port}`;
  const basic = 'Basic ' + Buffer.from(`${PROXY_USER}:${PROXY_PASS}`).toString('base64');

  useRuntime();
  before(function () {
    c = certs();
  });
  beforeEach(async function () {
    proxy = await startProxy({ credentials: `${PROXY_USER}:${PROXY_PASS}` });
    api = await startServer();
    secureApi = await startHttpsServer(undefined, c.server);
  });
  afterEach(async function () {
    await helper.unload();
    restoreEnv();
    restoreEnv = () => {};
    await Promise.all([proxy.close(), api.close(), secureApi.close(), ...extraServers.map((s) => s.close())]);
    extraServers.length = 0;
  });

  it('relays http requests through HTTP_PROXY in absolute form, credentials only to the proxy', async function () {
    restoreEnv = setProxyEnv({ HTTP_PROXY: proxyUrl() });
    const ctx = await loadQuery({ ds: { baseUrl: api.url }, query: { path: 'items' } });
    const first = await ctx.run();
    const second = await ctx.run();
    assert.strictEqual(first.msg.statusCode, 200);
    assert.strictEqual(second.msg.statusCode, 200);
    assert.deepStrictEqual(
      proxy.relayed.map((r) => r.url),
      [`${api.url}/items`, `${api.url}/items`],
    );
    assert.ok(proxy.relayed.every((r) => r.headers['proxy-authorization'] === basic));
    assert.strictEqual(api.requests.length, 2);
    assert.ok(api.requests.every((r) => !('proxy-authorization' in r.headers)));
    assert.strictEqual(proxy.tunnels.length, 0);
  });

  it('reaches an https target through a CONNECT tunnel, one tunnel for several requests', async function () {
    restoreEnv = setProxyEnv({ HTTPS_PROXY: proxyUrl(), HTTP_PROXY: proxyUrl() });
    const ctx = await loadQuery({ ds: { baseUrl: secureApi.url }, credentials: { ca: c.ca.pem } });
    for (let i = 0; i < 3; i++) {
      const { msg, error } = await ctx.run({ headers: { 'Proxy-Authorization': 'Basic bm90LWZvci10aGUtdGFyZ2V0' } });
      assert.ok(msg, error && error.error.message);
      assert.strictEqual(msg.statusCode, 200);
    }
    assert.deepStrictEqual(
      proxy.tunnels.map((t) => t.target),
      [`127.0.0.1:${secureApi.port}`],
      'one CONNECT: the agent keeps the tunnel alive',
    );
    assert.strictEqual(proxy.tunnels[0].headers['proxy-authorization'], basic);
    assert.strictEqual(proxy.relayed.length, 0, 'nothing went through the proxy in cleartext');
    assert.strictEqual(secureApi.requests.length, 3);
    for (const r of secureApi.requests) assert.ok(!('proxy-authorization' in r.headers), 'never sent to the target');
  });

  it('verifies the target certificate inside the tunnel', async function () {
    const selfSigned = await startHttpsServer(undefined, c.selfSigned);
    extraServers.push(selfSigned);
    restoreEnv = setProxyEnv({ HTTPS_PROXY: proxyUrl() });
    const ctx = await loadQuery({ ds: { baseUrl: selfSigned.url }, credentials: { ca: c.ca.pem } });
    const { error } = await ctx.run();
    assert.strictEqual(error.error.code, 'TLS_ERROR');
    assert.match(error.error.message, /DEPTH_ZERO_SELF_SIGNED_CERT/);
    assert.strictEqual(proxy.tunnels.length, 1);
    assert.strictEqual(selfSigned.requests.length, 0);
    await helper.unload();

    // tlsVerify false travels through the tunnel as well.
    const unverified = await loadQuery({ ds: { baseUrl: selfSigned.url, tlsVerify: false } });
    assert.strictEqual((await unverified.run()).msg.statusCode, 200);
    assert.strictEqual(proxy.tunnels.length, 2);
    assert.strictEqual(selfSigned.requests.length, 1);
  });

  it('presents the client certificate through the tunnel (mutual TLS)', async function () {
    const mtls = await startServer((req, res) => res.end(req.socket.getPeerCertificate().subject.CN), {
      createServer: https.createServer,
      options: serverOptions(c.server, { ca: c.ca.pem, requestCert: true, rejectUnauthorized: true }),
    });
    extraServers.push(mtls);
    restoreEnv = setProxyEnv({ HTTPS_PROXY: proxyUrl() });
    const ctx = await loadQuery({
      ds: { baseUrl: mtls.url },
      query: { responseType: 'text' },
      credentials: { ca: c.ca.pem, cert: c.client.pem, key: c.client.keyPem },
    });
    const { msg, error } = await ctx.run();
    assert.ok(msg, error && error.error.message);
    assert.strictEqual(msg.payload, 'node-red-client');
    assert.strictEqual(proxy.tunnels.length, 1);
  });

  it('sends NO_PROXY hosts directly, decided per request (a redirect to a NO_PROXY port)', async function () {
    const direct = await startServer();
    extraServers.push(direct);
    const redirecting = await startServer((req, res) => {
      res.writeHead(302, { Location: `${direct.url}/landed` });
      res.end();
    });
    extraServers.push(redirecting);
    restoreEnv = setProxyEnv({ HTTP_PROXY: proxyUrl(), NO_PROXY: `example.com, 127.0.0.1:${direct.port}` });
    const ctx = await loadQuery({ ds: { baseUrl: redirecting.url }, query: { path: 'start' } });
    const { msg, error } = await ctx.run();
    assert.ok(msg, error && error.error.message);
    assert.strictEqual(msg.statusCode, 200);
    assert.strictEqual(msg.responseUrl, `${direct.url}/landed`);
    assert.deepStrictEqual(
      proxy.relayed.map((r) => r.url),
      [`${redirecting.url}/start`],
      'the proxy saw the first hop only',
    );
    assert.strictEqual(direct.requests.length, 1);
    assert.ok(!('proxy-authorization' in direct.requests[0].headers));
  });

  it('NO_PROXY=* sends everything directly', async function () {
    restoreEnv = setProxyEnv({ HTTP_PROXY: proxyUrl(), HTTPS_PROXY: proxyUrl(), NO_PROXY: '*' });
    const ctx = await loadQuery({ ds: { baseUrl: api.url } });
    assert.strictEqual((await ctx.run()).msg.statusCode, 200);
    assert.strictEqual(proxy.relayed.length + proxy.tunnels.length, 0);
    assert.strictEqual(api.requests.length, 1);
  });

  it('reads the lower-case variables too', async function () {
    restoreEnv = setProxyEnv({ https_proxy: proxyUrl() });
    const ctx = await loadQuery({ ds: { baseUrl: secureApi.url }, credentials: { ca: c.ca.pem } });
    assert.strictEqual((await ctx.run()).msg.statusCode, 200);
    assert.strictEqual(proxy.tunnels.length, 1);
  });

  it('a proxy that refuses the tunnel gives PROXY_ERROR without the credentials', async function () {
    restoreEnv = setProxyEnv({ HTTPS_PROXY: `http://${PROXY_USER}:${WRONG_PASS}@127.0.0.1:${proxy.port}` });
    const ctx = await loadQuery({ ds: { baseUrl: secureApi.url }, credentials: { ca: c.ca.pem } });
    const { error } = await ctx.run();
    assert.strictEqual(error.error.code, 'PROXY_ERROR');
    assert.match(error.error.message, new RegExp(`proxy http://127\\.0\\.0\\.1:${proxy.port} refused the tunnel`));
    assert.match(error.error.message, /HTTP 407/);
    assert.ok(!error.error.message.includes(WRONG_PASS));
    assert.strictEqual(secureApi.requests.length, 0);
  });

  it('an unreachable proxy gives PROXY_ERROR naming the proxy, not the target', async function () {
    const dead = await startServer();
    const deadPort = dead.port;
    await dead.close();
    restoreEnv = setProxyEnv({ HTTPS_PROXY: `http://${PROXY_USER}:${PROXY_PASS}@127.0.0.1:${deadPort}` });
    const ctx = await loadQuery({ ds: { baseUrl: secureApi.url }, credentials: { ca: c.ca.pem } });
    const { error } = await ctx.run();
    assert.strictEqual(error.error.code, 'PROXY_ERROR');
    assert.match(error.error.message, new RegExp(`proxy http://127\\.0\\.0\\.1:${deadPort} cannot be reached`));
    assert.ok(!error.error.message.includes(PROXY_PASS));
  });

  it('a redeploy while a tunnel is being opened closes the connection to the proxy', async function () {
    // A proxy that accepts the connection and never answers the CONNECT.
    const held = [];
    const silent = net.createServer((socket) => {
      const entry = { closed: false };
      socket.on('close', () => (entry.closed = true));
      socket.on('error', () => {});
      socket.resume(); // read, so that the client's close is noticed
      held.push(entry);
    });
    await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
    extraServers.push({ close: () => new Promise((resolve) => silent.close(() => resolve())) });
    restoreEnv = setProxyEnv({ HTTPS_PROXY: `http://127.0.0.1:${silent.address().port}` });
    const ctx = await loadQuery({ ds: { baseUrl: secureApi.url }, credentials: { ca: c.ca.pem } });
    ctx.q.receive({});
    for (let i = 0; i < 200 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.strictEqual(held.length, 1, 'the tunnel request reached the proxy');
    await helper.unload();
    for (let i = 0; i < 200 && !held[0].closed; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(held[0].closed, 'the pending CONNECT was closed with the datasource');
  });

  it('an unreachable proxy for an http target is a PROXY_ERROR too', async function () {
    const dead = await startServer();
    const deadPort = dead.port;
    await dead.close();
    restoreEnv = setProxyEnv({ HTTP_PROXY: `http://127.0.0.1:${deadPort}` });
    const ctx = await loadQuery({ ds: { baseUrl: api.url } });
    const { error } = await ctx.run();
    assert.strictEqual(error.error.code, 'PROXY_ERROR');
    assert.match(error.error.message, new RegExp(`proxy http://127\\.0\\.0\\.1:${deadPort} cannot be reached`));
    assert.strictEqual(api.requests.length, 0);
  });

  it('an https:// proxy is verified: one with an untrusted certificate is refused', async function () {
    const secureProxy = await startProxy({ tls: serverOptions(c.selfSigned) });
    extraServers.push(secureProxy);
    restoreEnv = setProxyEnv({ HTTPS_PROXY: secureProxy.url });
    const ctx = await loadQuery({ ds: { baseUrl: secureApi.url }, credentials: { ca: c.ca.pem } });
    const { error } = await ctx.run();
    assert.strictEqual(error.error.code, 'PROXY_ERROR');
    assert.match(error.error.message, /presented a certificate that is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    assert.strictEqual(secureProxy.tunnels.length, 0);
  });

  it('an unsupported proxy URL is a CONFIG_ERROR naming the variable', async function () {
    restoreEnv = setProxyEnv({ HTTPS_PROXY: 'socks5://127.0.0.1:1080' });
    const ctx = await loadQuery({ ds: { baseUrl: secureApi.url } });
    const { error } = await ctx.run();
    assert.strictEqual(error.error.code, 'CONFIG_ERROR');
    assert.match(error.error.message, /HTTPS_PROXY: uses socks5, but only http:\/\/ and https:\/\/ proxies/);
  });
});
