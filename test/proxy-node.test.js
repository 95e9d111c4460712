'use strict';
// A Node-RED `http proxy` config node selected on the datasource: its URL, credentials and
// no-proxy list are used, and the proxy environment variables are not.
const assert = require('assert');
const { helper, loadQuery, coreNode, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');
const { certs, startHttpsServer } = require('./lib/certs');
const { startProxy, setProxyEnv } = require('./lib/proxy');
const { secret } = require('./lib/secrets');

const NODE_PASS = secret('node-pass');

describe('proxy: a Node-RED http proxy node', function () {
  let c;
  let proxy;
  let envProxy;
  let api;
  let secureApi;
  let restoreEnv;

  useRuntime();
  before(function () {
    c = certs();
  });
  beforeEach(async function () {
    proxy = await startProxy({ credentials: `node-user:${NODE_PASS}` });
    envProxy = await startProxy();
    api = await startServer();
    secureApi = await startHttpsServer(undefined, c.server);
    // The environment names another proxy: with a proxy node selected it must not be used.
    restoreEnv = setProxyEnv({ HTTP_PROXY: envProxy.url, HTTPS_PROXY: envProxy.url });
  });
  afterEach(async function () {
    await helper.unload();
    restoreEnv();
    await Promise.all([proxy.close(), envProxy.close(), api.close(), secureApi.close()]);
  });

  function load(baseUrl, noproxy = []) {
    return loadQuery({
      ds: { baseUrl, proxy: 'px' },
      credentials: { ca: c.ca.pem },
      nodes: [coreNode('network/06-httpproxy.js')],
      extra: [{ id: 'px', type: 'http proxy', name: 'corp', url: proxy.url, noproxy }],
      extraCredentials: { px: { username: 'node-user', password: NODE_PASS } },
    });
  }

  it('sends http and https requests through it with its credentials', async function () {
    const basic = 'Basic ' + Buffer.from(`node-user:${NODE_PASS}`).toString('base64');
    let ctx = await load(api.url);
    assert.strictEqual((await ctx.run()).msg.statusCode, 200);
    await helper.unload();
    ctx = await load(secureApi.url);
    assert.strictEqual((await ctx.run()).msg.statusCode, 200);

    assert.strictEqual(proxy.relayed.length, 1);
    assert.strictEqual(proxy.relayed[0].headers['proxy-authorization'], basic);
    assert.deepStrictEqual(
      proxy.tunnels.map((t) => [t.target, t.headers['proxy-authorization']]),
      [[`127.0.0.1:${secureApi.port}`, basic]],
    );
    assert.strictEqual(envProxy.relayed.length + envProxy.tunnels.length, 0, 'the environment proxy was not used');
    assert.ok(!('proxy-authorization' in api.requests[0].headers));
    assert.ok(!('proxy-authorization' in secureApi.requests[0].headers));
  });

  it('sends the hosts of its no-proxy list directly', async function () {
    const ctx = await load(api.url, ['localhost', `127.0.0.1:${api.port}`]);
    assert.strictEqual((await ctx.run()).msg.statusCode, 200);
    assert.strictEqual(api.requests.length, 1);
    assert.strictEqual(proxy.relayed.length + envProxy.relayed.length, 0);
  });

  it('"Test connection" in the editor goes through the selected proxy node', async function () {
    await load('http://127.0.0.1:1');
    const res = await helper
      .request()
      .post('/rest-datasource/ds/test')
      .send({ baseUrl: secureApi.url, proxy: 'px', ca: c.ca.pem, path: '/health' })
      .expect(200);
    assert.strictEqual(res.body.ok, true, res.body.message);
    assert.deepStrictEqual(
      proxy.tunnels.map((t) => t.target),
      [`127.0.0.1:${secureApi.port}`],
    );
    assert.ok(!JSON.stringify(res.body).includes(NODE_PASS));
  });

  it('a missing proxy node is a config error naming the proxy field', async function () {
    const ctx = await loadQuery({ ds: { baseUrl: api.url, proxy: 'gone' } });
    const { error } = await ctx.run();
    assert.strictEqual(error.error.code, 'CONFIG_ERROR');
    assert.match(error.error.message, /proxy: the selected proxy node is missing/);
    assert.strictEqual(api.requests.length, 0);
  });
});
