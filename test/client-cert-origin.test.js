'use strict';
// A client certificate and its key are stored secrets: they are presented to the datasource's
// own origin only. Not on a redirect hop to another origin (the hop is made without them, or
// refused with ORIGIN_REFUSED when that server asks for one), not when the OpenAPI importer
// fetches a description from another origin, and not by Test connection when the dialog
// points elsewhere or names a datasource that is not deployed. Real mTLS servers report which
// client certificate they saw.
const assert = require('assert');
const { helper, loadQuery, coreNode, useRuntime } = require('./lib/nr');
const { certs, startHttpsServer } = require('./lib/certs');

/** Answers with the CN of the client certificate the server saw (null: none). */
function whoAmI(redirect) {
  return (req, res) => {
    const peer = req.socket.getPeerCertificate();
    const client = peer && peer.subject ? peer.subject.CN : null;
    req.client = client;
    if (redirect && req.url.startsWith('/jump')) {
      res.writeHead(302, { Location: redirect() });
      res.end();
      return;
    }
    res.setHeader('Content-Type', 'application/json');
    if (req.url.startsWith('/openapi.json')) {
      res.end(JSON.stringify({ openapi: '3.0.0', info: { title: `seen:${client}`, version: '1' }, paths: {} }));
      return;
    }
    res.end(JSON.stringify({ client }));
  };
}

/** The CNs each request to `server` presented, in order. */
function presented(server) {
  return server.requests.map((r) => r.client);
}

describe('client certificates go to the datasource origin only', function () {
  let c;
  let own; // the datasource's origin: requires our client certificate
  let other; // another origin: asks for a certificate but accepts a request without one
  let strict; // another origin that requires one
  useRuntime();
  before(function () {
    c = certs();
  });
  beforeEach(async function () {
    const record = (handler) => (req, res) => {
      handler(req, res);
      // startServer records before the handler runs; put the CN on the record
      const last = servers.get(req.socket.server);
      if (last) last.requests[last.requests.length - 1].client = req.client;
    };
    const servers = new Map();
    other = await startHttpsServer(record(whoAmI()), c.server, {
      ca: c.ca.pem,
      requestCert: true,
      rejectUnauthorized: false,
    });
    strict = await startHttpsServer(record(whoAmI()), c.server, {
      ca: c.ca.pem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    let target = () => `${other.url}/landing`;
    own = await startHttpsServer(record(whoAmI(() => target())), c.server, {
      ca: c.ca.pem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    for (const s of [other, strict, own]) servers.set(s.server, s);
    own.redirectTo = (fn) => (target = fn);
  });
  afterEach(async function () {
    await helper.unload();
    await Promise.all([own.close(), other.close(), strict.close()]);
  });

  const inline = () => ({ credentials: { ca: c.ca.pem, cert: c.client.pem, key: c.client.keyPem } });
  const viaTlsConfig = () => ({
    ds: { tls: 'tlsnode' },
    nodes: [coreNode('network/05-tls.js')],
    extra: [{ id: 'tlsnode', type: 'tls-config', name: 'client', cert: '', key: '', ca: '', verifyservercert: true }],
    extraCredentials: { tlsnode: { cadata: c.ca.pem, certdata: c.client.pem, keydata: c.client.keyPem } },
  });

  for (const [kind, material] of [
    ['inline certificates', inline],
    ['a tls-config node', viaTlsConfig],
  ]) {
    describe(kind, function () {
      function load(extra = {}) {
        const m = material();
        return loadQuery({
          ...m,
          ds: { baseUrl: own.url, ...(m.ds || {}), ...(extra.ds || {}) },
          query: { path: 'jump', ...(extra.query || {}) },
        });
      }

      it('a redirect hop to another origin is made without the certificate', async function () {
        const ctx = await load();
        const { msg, error } = await ctx.run({});
        assert.ifError(error && error.error.message);
        assert.deepStrictEqual(msg.payload, { client: null });
        assert.deepStrictEqual(presented(own), ['node-red-client'], 'presented on its own origin');
        assert.deepStrictEqual(presented(other), [null], 'the other origin saw no client certificate');
      });

      it('a redirect hop to another origin that requires a certificate is refused with ORIGIN_REFUSED', async function () {
        own.redirectTo(() => `${strict.url}/landing`);
        const ctx = await load();
        const { msg, error } = await ctx.run({});
        assert.ok(!msg);
        assert.strictEqual(error.error.code, 'ORIGIN_REFUSED', error.error.message);
        assert.match(error.error.message, /client certificate/);
        assert.strictEqual(strict.requests.length, 0);
      });

      it('a hop back to its own origin presents it again', async function () {
        own.redirectTo(() => `${own.url}/home`);
        const ctx = await load();
        const { msg, error } = await ctx.run({});
        assert.ifError(error && error.error.message);
        assert.deepStrictEqual(msg.payload, { client: 'node-red-client' });
      });

      it('the OpenAPI import fetches a description on another origin without it, on its own origin with it', async function () {
        await load();
        let res = await helper
          .request()
          .post('/rest-datasource/import/openapi')
          .send({ url: `${other.url}/openapi.json`, datasource: 'ds' });
        assert.strictEqual(res.status, 200, res.text);
        assert.strictEqual(res.body.title, 'seen:null');
        res = await helper
          .request()
          .post('/rest-datasource/import/openapi')
          .send({ url: `${own.url}/openapi.json`, datasource: 'ds' });
        assert.strictEqual(res.status, 200, res.text);
        assert.strictEqual(res.body.title, 'seen:node-red-client');
      });

      it('Test connection with another base URL, or for a datasource not deployed, presents none', async function () {
        await load();
        // The dialog echoes the certificate (a text credential) and marks the key unchanged.
        const echoed = material().ds
          ? { tls: 'tlsnode' }
          : { ca: c.ca.pem, cert: c.client.pem, key: '__PWRD__', passphrase: '__PWRD__' };
        let res = await helper
          .request()
          .post('/rest-datasource/ds/test')
          .send({ ...echoed, baseUrl: other.url, path: 'probe' });
        assert.strictEqual(res.body.ok, true, res.body.message);
        assert.match(res.body.message, /"client":null/);
        // Another node id (never deployed) naming the deployed tls-config node.
        res = await helper
          .request()
          .post('/rest-datasource/not-deployed/test')
          .send({ baseUrl: other.url, tls: material().ds ? 'tlsnode' : '', ca: c.ca.pem, path: 'probe' });
        assert.strictEqual(res.body.ok, true, res.body.message);
        assert.match(res.body.message, /"client":null/);
        // ...so the mTLS service refuses both.
        res = await helper
          .request()
          .post('/rest-datasource/not-deployed/test')
          .send({ baseUrl: own.url, tls: material().ds ? 'tlsnode' : '', ca: c.ca.pem, path: 'probe' });
        assert.strictEqual(res.body.ok, false, res.body.message);
        assert.deepStrictEqual(presented(other), [null, null]);
        // Unchanged, the deployed datasource's own test presents it (the checks above can fail).
        res = await helper
          .request()
          .post('/rest-datasource/ds/test')
          .send({ ...echoed, path: 'probe' });
        assert.strictEqual(res.body.ok, true, res.body.message);
        assert.match(res.body.message, /"client":"node-red-client"/);
      });
    });
  }
});
