'use strict';
// The store's Test route (POST /rest-shared-store/:id/test) as an attacker would call it: with
// the id of another node, another URL or another TLS configuration than the deployed store, and
// as a cross-site "simple" request (a form or text/plain POST needs no CORS preflight). Stored
// credentials and a TLS client key go only where the deployed store points.
const assert = require('assert');
const net = require('net');
const tls = require('tls');
const { useRuntime, helper, loadQuery, coreNode } = require('./lib/nr');
const { startRedis } = require('./lib/redis');
const { certs } = require('./lib/certs');
const { secret } = require('./lib/secrets');

/** A server that records every byte a client sends and answers each chunk with an error. */
function startSpy({ tlsOptions } = {}) {
  const seen = { bytes: '', clientCerts: [] };
  const sockets = new Set();
  const onSocket = (socket) => {
    sockets.add(socket);
    if (tlsOptions) {
      const peer = socket.getPeerCertificate();
      seen.clientCerts.push(peer && peer.subject ? peer.subject.CN : null);
    }
    socket.on('data', (chunk) => {
      seen.bytes += chunk.toString('latin1');
      socket.write('-ERR spy\r\n');
    });
    socket.on('error', () => {});
  };
  const server = tlsOptions ? tls.createServer(tlsOptions, onSocket) : net.createServer(onSocket);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: server.address().port,
        seen,
        // (a client still waiting for its handshake keeps its socket: closed here)
        close: () =>
          new Promise((r) => {
            server.close(r);
            for (const socket of sockets) socket.destroy();
          }),
      }),
    ),
  );
}

describe('rest-shared-store Test route: stored secrets stay with the deployed store', function () {
  // A spy that never completes the handshake costs each test request its 5 s bound.
  this.timeout(45000);
  useRuntime();
  let redis;
  let spy;
  const password = secret('route-redis-pass');
  const basicPassword = secret('route-ds-basic');

  before(async function () {
    redis = await startRedis({ password });
  });
  after(async function () {
    if (redis) await redis.close();
  });
  afterEach(async function () {
    await helper.unload();
    if (spy) await spy.close();
    spy = undefined;
  });

  const storeNode = (over = {}) => ({ id: 'store', type: 'rest-shared-store', url: redis.url, ...over });

  it('answers 404 for the id of a datasource (or any node that is not a rest-shared-store)', async function () {
    spy = await startSpy();
    await loadQuery({
      ds: { baseUrl: 'http://127.0.0.1:1', authType: 'basic' },
      credentials: { username: 'u', password: basicPassword },
    });
    const res = await helper
      .request()
      .post('/rest-shared-store/ds/test')
      .send({ url: `redis://127.0.0.1:${spy.port}` });
    assert.strictEqual(res.status, 404);
    assert.ok(!spy.seen.bytes.includes(basicPassword), 'the datasource password went out');
    assert.strictEqual(spy.seen.bytes, '', 'nothing was sent at all');
  });

  it('with another URL than the deployed store, the stored password is not sent, and the answer says why', async function () {
    spy = await startSpy();
    await loadQuery({
      ds: { baseUrl: 'http://127.0.0.1:1' },
      extra: [storeNode()],
      extraCredentials: { store: { password } },
    });
    const res = await helper
      .request()
      .post('/rest-shared-store/store/test')
      .send({ url: `redis://127.0.0.1:${spy.port}`, password: '__PWRD__' });
    assert.strictEqual(res.status, 200);
    assert.strictEqual(res.body.ok, false);
    assert.ok(spy.seen.bytes.length > 0, 'the test connected to the address it was given');
    assert.ok(!spy.seen.bytes.includes(password), 'the stored password went to another server');
    assert.match(res.body.message, /stored password .*not used/i);
    // The deployed URL still gets the stored password.
    const same = await helper
      .request()
      .post('/rest-shared-store/store/test')
      .send({ url: redis.url, password: '__PWRD__' });
    assert.strictEqual(same.body.ok, true, same.body.message);
  });

  it("another URL or another tls-config node than the deployed store's: no client certificate is presented", async function () {
    const c = certs();
    const tlsOptions = { cert: c.server.pem, key: c.server.keyPem, requestCert: true, rejectUnauthorized: false };
    // The deployed store connects to `spy` (with tc1's certificate) by itself; `other` is
    // where the dialog points. tc2 carries a certificate of its own (CN "stranger").
    spy = await startSpy({ tlsOptions });
    const other = await startSpy({ tlsOptions });
    try {
      const url = `rediss://127.0.0.1:${spy.port}`;
      const tlsNode = (id) => ({
        id,
        type: 'tls-config',
        name: `TLS ${id}`,
        cert: '',
        key: '',
        ca: '',
        verifyservercert: true,
      });
      await loadQuery({
        ds: { baseUrl: 'http://127.0.0.1:1' },
        nodes: [coreNode('network/05-tls.js')],
        extra: [tlsNode('tc1'), tlsNode('tc2'), storeNode({ url, tls: 'tc1' })],
        extraCredentials: {
          store: { password },
          tc1: { certdata: c.client.pem, keydata: c.client.keyPem, cadata: c.ca.pem },
          tc2: { certdata: c.otherClient.pem, keydata: c.otherClient.keyPem, cadata: c.ca.pem },
        },
      });
      const elsewhere = await helper
        .request()
        .post('/rest-shared-store/store/test')
        .send({ url: `rediss://127.0.0.1:${other.port}`, tls: 'tc1' });
      assert.strictEqual(elsewhere.body.ok, false);
      assert.ok(other.seen.clientCerts.length > 0, 'the test connected to the other URL');
      assert.ok(
        other.seen.clientCerts.every((cn) => cn === null),
        `the deployed client certificate went to another URL: ${other.seen.clientCerts}`,
      );
      const otherTls = await helper.request().post('/rest-shared-store/store/test').send({ url, tls: 'tc2' });
      assert.strictEqual(otherTls.body.ok, false);
      assert.ok(!spy.seen.clientCerts.includes('stranger'), `tc2's certificate was presented: ${spy.seen.clientCerts}`);
      assert.ok(!other.seen.bytes.includes(password), 'the stored password went to another URL');
    } finally {
      await other.close();
    }
  });

  it('another mode, nodes or primary name than the deployed store: the stored password is not sent', async function () {
    spy = await startSpy();
    await loadQuery({
      ds: { baseUrl: 'http://127.0.0.1:1' },
      extra: [storeNode()],
      extraCredentials: { store: { password } },
    });
    const res = await helper
      .request()
      .post('/rest-shared-store/store/test')
      .send({ mode: 'cluster', nodes: `127.0.0.1:${spy.port}`, url: redis.url, password: '__PWRD__' });
    assert.strictEqual(res.body.ok, false);
    assert.ok(spy.seen.bytes.length > 0, 'the test connected to the node it was given');
    assert.ok(!spy.seen.bytes.includes(password), 'the stored password went to another server');
    assert.match(res.body.message, /stored password .*not used/i);
  });

  it('names the field of a bad mode setting: no nodes, no primary name, an unknown mode, a password in the nodes', async function () {
    await loadQuery({ ds: { baseUrl: 'http://127.0.0.1:1' } });
    const ask = async (body) => (await helper.request().post('/rest-shared-store/new-store/test').send(body)).body;
    assert.match((await ask({ mode: 'cluster', nodes: ' ' })).message, /^CONFIG_ERROR: nodes: lists no node/);
    assert.match(
      (await ask({ mode: 'sentinel', nodes: '127.0.0.1' })).message,
      /^CONFIG_ERROR: masterName: names the primary group/,
    );
    assert.match(
      (await ask({ mode: 'primary' })).message,
      /^CONFIG_ERROR: mode: must be standalone, sentinel or cluster/,
    );
    const leaked = await ask({ mode: 'cluster', nodes: `user:${password}@127.0.0.1:7000` });
    assert.match(leaked.message, /^CONFIG_ERROR: nodes: takes host:port entries only/);
    assert.ok(!leaked.message.includes(password));
  });

  it('takes JSON only: a urlencoded or text/plain POST (a cross-site form) is 415 and connects nowhere', async function () {
    spy = await startSpy();
    await loadQuery({
      ds: { baseUrl: 'http://127.0.0.1:1' },
      extra: [storeNode()],
      extraCredentials: { store: { password } },
    });
    const form = await helper
      .request()
      .post('/rest-shared-store/store/test')
      .type('form')
      .send(`url=${encodeURIComponent(`redis://127.0.0.1:${spy.port}`)}`);
    assert.strictEqual(form.status, 415);
    const text = await helper
      .request()
      .post('/rest-shared-store/store/test')
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify({ url: `redis://127.0.0.1:${spy.port}` }));
    assert.strictEqual(text.status, 415);
    assert.strictEqual(spy.seen.bytes, '', 'nothing was sent');
  });
});
