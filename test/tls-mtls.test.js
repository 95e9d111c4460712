'use strict';
// Mutual TLS against a real HTTPS server that requires a client certificate signed by the
// test CA, with inline PEM credentials and with a Node-RED tls-config node.
const assert = require('assert');
const { helper, loadQuery, coreNode, statusTexts, useRuntime } = require('./lib/nr');
const { certs, startHttpsServer } = require('./lib/certs');

/** Answers with the subject of the client certificate the server saw. */
function whoAmI(req, res) {
  const peer = req.socket.getPeerCertificate();
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ client: peer && peer.subject ? peer.subject.CN : null }));
}

describe('TLS: client certificates (mutual TLS)', function () {
  let c;
  let api;
  useRuntime();
  before(function () {
    c = certs();
  });
  beforeEach(async function () {
    api = await startHttpsServer(whoAmI, c.server, { ca: c.ca.pem, requestCert: true, rejectUnauthorized: true });
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
  });

  it('is accepted by a server that requires a client certificate', async function () {
    const ctx = await loadQuery({
      ds: { baseUrl: api.url },
      credentials: { ca: c.ca.pem, cert: c.client.pem, key: c.client.keyPem },
    });
    const { msg, error } = await ctx.run();
    assert.ok(msg, error && error.error.message);
    assert.deepStrictEqual(msg.payload, { client: 'node-red-client' });
  });

  it('without a client certificate the server refuses, and the error says what is missing', async function () {
    const ctx = await loadQuery({ ds: { baseUrl: api.url }, credentials: { ca: c.ca.pem } });
    const { msg, error } = await ctx.run();
    assert.ok(!msg);
    assert.strictEqual(error.error.code, 'TLS_ERROR');
    assert.match(error.error.message, /requires a client certificate; set the client certificate and key/);
    assert.strictEqual(api.requests.length, 0);
  });

  it('a certificate from an unrelated CA is refused by the server', async function () {
    const ctx = await loadQuery({
      ds: { baseUrl: api.url },
      credentials: { ca: c.ca.pem, cert: c.otherClient.pem, key: c.otherClient.keyPem },
    });
    const { msg, error } = await ctx.run();
    assert.ok(!msg);
    // TLS 1.3 lets the server refuse after the client finished: it just closes the connection.
    assert.ok(['TLS_ERROR', 'ECONNRESET'].includes(error.error.code), error.error.message);
    assert.strictEqual(api.requests.length, 0);
  });

  it('works with an encrypted key and its passphrase, and never shows the passphrase', async function () {
    const ctx = await loadQuery({
      ds: { baseUrl: api.url },
      credentials: { ca: c.ca.pem, cert: c.client.pem, key: c.encryptedClientKey, passphrase: c.passphrase },
    });
    const { msg } = await ctx.run();
    assert.deepStrictEqual(msg.payload, { client: 'node-red-client' });
    assert.ok(!JSON.stringify(msg).includes(c.passphrase));
  });

  it('uses a Node-RED tls-config node instead of inline PEM', async function () {
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, tls: 'tc' },
      nodes: [coreNode('network/05-tls.js')],
      extra: [{ id: 'tc', type: 'tls-config', name: 'corp', cert: '', key: '', ca: '', verifyservercert: true }],
      extraCredentials: {
        tc: { certdata: c.client.pem, keydata: c.encryptedClientKey, cadata: c.ca.pem, passphrase: c.passphrase },
      },
    });
    const { msg, error } = await ctx.run();
    assert.ok(msg, error && error.error.message);
    assert.deepStrictEqual(msg.payload, { client: 'node-red-client' });
  });

  it('a tls-config node that turns verification off marks the datasource unverified', async function () {
    const self = await startHttpsServer(undefined, c.selfSigned);
    try {
      const ctx = await loadQuery({
        ds: { baseUrl: self.url, tls: 'tc' },
        nodes: [coreNode('network/05-tls.js')],
        extra: [{ id: 'tc', type: 'tls-config', name: 'lab', cert: '', key: '', ca: '', verifyservercert: false }],
      });
      const { msg } = await ctx.run();
      assert.strictEqual(msg.statusCode, 200);
      assert.strictEqual(ctx.ds.datasource.tlsVerify, false);
      assert.deepStrictEqual(statusTexts(ctx.q).slice(-1), ['200 rest-query.status.unverified']);
    } finally {
      await self.close();
    }
  });

  it('a missing tls-config node is a config error naming the tls field', async function () {
    const ctx = await loadQuery({ ds: { baseUrl: api.url, tls: 'nope' } });
    const { error } = await ctx.run();
    assert.strictEqual(error.error.code, 'CONFIG_ERROR');
    assert.match(error.error.message, /tls: the selected TLS configuration node is missing/);
  });
});
