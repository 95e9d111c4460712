'use strict';
// Server certificate verification against real HTTPS servers on 127.0.0.1, with certificates
// generated in this run: Node's roots by default, a CA (one or a bundle) added for one
// datasource, and verification turned off.
const assert = require('assert');
const { helper, loadQuery, statusTexts, useRuntime } = require('./lib/nr');
const { certs, startHttpsServer } = require('./lib/certs');

describe('TLS: server certificate verification', function () {
  let c;
  const servers = [];
  async function httpsServer(entry, extra) {
    const s = await startHttpsServer(undefined, entry, extra);
    servers.push(s);
    return s;
  }

  useRuntime();
  before(function () {
    c = certs();
  });
  afterEach(async function () {
    await helper.unload();
    while (servers.length) await servers.pop().close();
  });

  it('rejects a self-signed server by default with TLS_ERROR and says how to fix it', async function () {
    const api = await httpsServer(c.selfSigned);
    const ctx = await loadQuery({ ds: { baseUrl: api.url } });
    const { error, msg } = await ctx.run({ payload: 'x' });
    assert.ok(!msg, 'no output for a rejected certificate');
    assert.strictEqual(error.error.code, 'TLS_ERROR');
    assert.match(error.error.message, /self-signed/);
    assert.match(error.error.message, /CA certificate on the TLS tab/);
    assert.match(error.error.message, /DEPTH_ZERO_SELF_SIGNED_CERT/);
    assert.strictEqual(api.requests.length, 0, 'the request never reached the server');
    assert.ok(statusTexts(ctx.q).includes('TLS_ERROR'), 'the node status shows the code');
  });

  it('rejects a server signed by a private CA that is not configured', async function () {
    const api = await httpsServer(c.server);
    const ctx = await loadQuery({ ds: { baseUrl: api.url } });
    const { error } = await ctx.run();
    assert.strictEqual(error.error.code, 'TLS_ERROR');
    assert.match(error.error.message, /unknown authority; add the issuing CA/);
  });

  it('with a CA certificate, accepts a server it signed and rejects one signed by another CA', async function () {
    const good = await httpsServer(c.server);
    const other = await httpsServer(c.otherServer);
    const ctx = await loadQuery({ ds: { baseUrl: good.url }, credentials: { ca: c.ca.pem } });
    const { msg } = await ctx.run();
    assert.strictEqual(msg.statusCode, 200);
    assert.strictEqual(good.requests.length, 1);
    await helper.unload();

    const ctx2 = await loadQuery({ ds: { baseUrl: other.url }, credentials: { ca: c.ca.pem } });
    const { error } = await ctx2.run();
    assert.strictEqual(error.error.code, 'TLS_ERROR');
    assert.match(error.error.message, /UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    assert.strictEqual(other.requests.length, 0);
  });

  it('accepts a bundle of CA certificates, each of them trusted', async function () {
    const one = await httpsServer(c.server);
    const two = await httpsServer(c.otherServer);
    for (const api of [one, two]) {
      const ctx = await loadQuery({ ds: { baseUrl: api.url }, credentials: { ca: c.otherCa.pem + '\n' + c.ca.pem } });
      const { msg, error } = await ctx.run();
      assert.ok(msg, error && error.error.message);
      assert.strictEqual(msg.statusCode, 200);
      await helper.unload();
    }
  });

  it('trusts a self-signed server whose own certificate is pasted as the CA', async function () {
    const api = await httpsServer(c.selfSigned);
    const ctx = await loadQuery({ ds: { baseUrl: api.url }, credentials: { ca: c.selfSigned.pem } });
    const { msg } = await ctx.run();
    assert.strictEqual(msg.statusCode, 200);
  });

  it('rejects an expired certificate even from a trusted CA', async function () {
    const api = await httpsServer(c.expired);
    const ctx = await loadQuery({ ds: { baseUrl: api.url }, credentials: { ca: c.ca.pem } });
    const { error } = await ctx.run();
    assert.strictEqual(error.error.code, 'TLS_ERROR');
    assert.match(error.error.message, /has expired \(CERT_HAS_EXPIRED\)/);
  });

  it('rejects a certificate for another host and names the hosts it is for', async function () {
    const api = await httpsServer(c.wrongHost);
    const ctx = await loadQuery({ ds: { baseUrl: api.url }, credentials: { ca: c.ca.pem } });
    const { error } = await ctx.run();
    assert.strictEqual(error.error.code, 'TLS_ERROR');
    assert.match(error.error.message, /not valid for this host name \(it is for DNS:api\.example\.com\)/);
    assert.strictEqual(api.requests.length, 0);
  });

  it('with tlsVerify false reaches a self-signed and an expired server, and the status says unverified', async function () {
    for (const entry of [c.selfSigned, c.expired]) {
      const api = await httpsServer(entry);
      const ctx = await loadQuery({ ds: { baseUrl: api.url, tlsVerify: false } });
      const { msg, error } = await ctx.run();
      assert.ok(msg, error && error.error.message);
      assert.strictEqual(msg.statusCode, 200);
      assert.strictEqual(api.requests.length, 1);
      const texts = statusTexts(ctx.q);
      // The helper's RED._ returns message keys: the deploy status, then "200 <unverified>".
      assert.strictEqual(texts[0], 'rest-query.status.unverified');
      assert.strictEqual(texts[texts.length - 1], '200 rest-query.status.unverified');
      await helper.unload();
    }
  });

  it('shows no unverified marker when certificates are verified', async function () {
    const api = await httpsServer(c.server);
    const ctx = await loadQuery({ ds: { baseUrl: api.url }, credentials: { ca: c.ca.pem } });
    await ctx.run();
    assert.ok(statusTexts(ctx.q).every((t) => !/unverified/.test(t)));
  });
});
