'use strict';
// Host (and the other names that say where a request goes) cannot be set from msg, query rows
// or datasource rows: on a shared front that serves several TLS identities from one address,
// a Host header would choose the SNI name and the certificate check, and the datasource's
// credentials would go to another site whose certificate validates.
const assert = require('assert');
const tls = require('tls');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { certs, startHttpsServer } = require('./lib/certs');
const { secret } = require('./lib/secrets');

describe('Host is fixed by the datasource origin', function () {
  const token = secret('host-token');
  let front;
  /** The TLS identity (SNI name, '' for none) each request arrived on, with its Authorization. */
  const arrivals = () => front.requests.map((r) => ({ identity: r.identity, authorization: r.authorization }));
  useRuntime();
  beforeEach(async function () {
    const c = certs();
    // One address, two identities: 127.0.0.1 by default, api.example.com when SNI asks for it.
    const other = tls.createSecureContext({ cert: c.wrongHost.pem, key: c.wrongHost.keyPem });
    front = await startHttpsServer(
      (req, res) => {
        const last = front.requests[front.requests.length - 1];
        last.identity = req.socket.servername || '';
        last.authorization = req.headers.authorization;
        res.setHeader('Content-Type', 'application/json');
        res.end('{"ok":true}');
      },
      c.server,
      { SNICallback: (name, cb) => cb(null, name === 'api.example.com' ? other : undefined) },
    );
  });
  afterEach(async function () {
    await helper.unload();
    await front.close();
  });

  const load = (ds = {}, query = {}) =>
    loadQuery({
      ds: { baseUrl: front.url, authType: 'bearer', ...ds },
      credentials: { token, ca: certs().ca.pem },
      query,
    });

  it('the front really serves a second identity (the attack this guards against is possible)', async function () {
    // Without our client: Node's https picks the SNI name from a Host header.
    const https = require('https');
    const identity = await new Promise((resolve, reject) => {
      const req = https.get(
        { host: '127.0.0.1', port: front.port, ca: certs().ca.pem, headers: { Host: 'api.example.com' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(front.requests[0].identity));
        },
      );
      req.on('error', reject);
    });
    assert.strictEqual(identity, 'api.example.com');
  });

  it('refuses msg.headers.Host with a CONFIG_ERROR naming the header; nothing is sent', async function () {
    const ctx = await load();
    for (const name of ['Host', 'host', 'HOST']) {
      const { error } = await ctx.run({ headers: { [name]: 'api.example.com' } });
      assert.ok(error, `msg.headers.${name} was accepted`);
      assert.strictEqual(error.error.code, 'CONFIG_ERROR');
      assert.match(error.error.message, new RegExp(`msg\\.headers "${name}".*base URL`));
    }
    assert.deepStrictEqual(arrivals(), []);
    const { msg } = await ctx.run({});
    assert.strictEqual(msg.statusCode, 200);
    assert.deepStrictEqual(arrivals(), [{ identity: '', authorization: 'Bearer ' + token }]);
  });

  it('refuses pseudo-header names (:authority, :path) from msg', async function () {
    const ctx = await load();
    for (const name of [':authority', ':path', ':scheme']) {
      const { error } = await ctx.run({ headers: { [name]: 'api.example.com' } });
      assert.strictEqual(error.error.code, 'CONFIG_ERROR', name);
    }
    assert.deepStrictEqual(arrivals(), []);
  });

  it('refuses a Host row on the query node', async function () {
    const ctx = await load({}, { headers: [{ name: 'Host', value: 'api.example.com', valueType: 'str' }] });
    const { error } = await ctx.run({});
    assert.strictEqual(error.error.code, 'CONFIG_ERROR');
    assert.match(error.error.message, /headers "Host"/);
    assert.deepStrictEqual(arrivals(), []);
  });

  it('refuses a Host row on the datasource, and Host as the API key or signature header name', async function () {
    for (const ds of [
      { headers: [{ name: 'Host', value: 'api.example.com' }] },
      { authType: 'apiKey', apiKeyName: 'Host' },
      { signatureEnabled: true, signatureHeader: 'Host' },
      { authType: 'oauth2', oauth2TokenUrl: front.url + '/token', oauth2TokenHeaders: [{ name: 'Host', value: 'x' }] },
    ]) {
      const ctx = await loadQuery({
        ds: { baseUrl: front.url, authType: 'bearer', ...ds },
        credentials: { token, apiKey: token, clientId: 'app', signatureKey: secret('sig').padEnd(40, 'x') },
      });
      const { error } = await ctx.run({});
      assert.strictEqual(error.error.code, 'CONFIG_ERROR', JSON.stringify(ds));
      assert.match(error.error.message, /Host/, JSON.stringify(ds));
      await helper.unload();
    }
    assert.deepStrictEqual(arrivals(), []);
  });
});
