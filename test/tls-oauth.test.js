'use strict';
// The datasource's TLS (and proxy) settings apply to its OAuth 2.0 token requests: a token
// endpoint behind mutual TLS issues a client-credentials token to our client certificate.
const assert = require('assert');
const fs = require('fs');
const https = require('https');
const os = require('os');
const path = require('path');
const { helper, loadQuery, coreNode, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');
const { certs, serverOptions, startHttpsServer } = require('./lib/certs');
const { startProxy, setProxyEnv } = require('./lib/proxy');
const { secret } = require('./lib/secrets');

/** Token endpoint and API on one mTLS server: the token names the client certificate's CN. */
function tokenAndApi(req, res) {
  res.setHeader('Content-Type', 'application/json');
  const cn = req.socket.getPeerCertificate().subject.CN;
  if (req.method === 'POST' && req.url === '/token') {
    const form = new URLSearchParams(req.body.toString());
    if (form.get('grant_type') !== 'client_credentials') {
      res.statusCode = 400;
      res.end(JSON.stringify({ error: 'unsupported_grant_type' }));
      return;
    }
    res.end(JSON.stringify({ access_token: `token-for-${cn}`, token_type: 'Bearer', expires_in: 3600 }));
    return;
  }
  if (req.headers.authorization !== `Bearer token-for-${cn}`) {
    res.statusCode = 401;
    res.end(JSON.stringify({ error: 'invalid_token' }));
    return;
  }
  res.end(JSON.stringify({ ok: true, client: cn }));
}

describe('TLS: OAuth 2.0 token requests use the datasource TLS settings', function () {
  let c;
  let server;
  let restoreEnv = () => {};
  useRuntime();
  before(function () {
    c = certs();
  });
  beforeEach(async function () {
    server = await startHttpsServer(tokenAndApi, c.server, {
      ca: c.ca.pem,
      requestCert: true,
      rejectUnauthorized: true,
    });
  });
  afterEach(async function () {
    await helper.unload();
    restoreEnv();
    restoreEnv = () => {};
    await server.close();
  });

  const oauthDatasource = () => ({
    baseUrl: `${server.url}/api`,
    authType: 'oauth2',
    oauth2GrantType: 'client_credentials',
    oauth2TokenUrl: `${server.url}/token`,
  });
  const clientCreds = { clientId: 'app', clientSecret: secret('client-secret') };

  it('a token endpoint behind mutual TLS issues a client-credentials token', async function () {
    const ctx = await loadQuery({
      ds: oauthDatasource(),
      credentials: { ...clientCreds, ca: c.ca.pem, cert: c.client.pem, key: c.client.keyPem },
    });
    const { msg, error } = await ctx.run();
    assert.ok(msg, error && error.error.message);
    assert.deepStrictEqual(msg.payload, { ok: true, client: 'node-red-client' });
    assert.deepStrictEqual(
      server.requests.map((r) => `${r.method} ${r.url}`),
      ['POST /token', 'GET /api'],
    );
  });

  it('the refresh request after a rejected token uses the client certificate too', async function () {
    await server.close();
    // The first access token is refused once; the refresh grant must come over mutual TLS.
    const grants = [];
    server = await startServer(
      (req, res) => {
        res.setHeader('Content-Type', 'application/json');
        const cn = req.socket.getPeerCertificate().subject.CN;
        if (req.url === '/token') {
          const form = new URLSearchParams(req.body.toString());
          grants.push(`${form.get('grant_type')} from ${cn}`);
          const n = grants.length;
          res.end(JSON.stringify({ access_token: `t${n}`, refresh_token: `r${n}`, expires_in: 3600 }));
          return;
        }
        res.statusCode = req.headers.authorization === 'Bearer t1' ? 401 : 200;
        res.end(JSON.stringify({ auth: req.headers.authorization }));
      },
      {
        createServer: https.createServer,
        options: serverOptions(c.server, { ca: c.ca.pem, requestCert: true, rejectUnauthorized: true }),
      },
    );
    const ctx = await loadQuery({
      ds: oauthDatasource(),
      credentials: { ...clientCreds, ca: c.ca.pem, cert: c.client.pem, key: c.client.keyPem },
    });
    const { msg, error } = await ctx.run();
    assert.ok(msg, error && error.error.message);
    assert.deepStrictEqual(msg.payload, { auth: 'Bearer t2' });
    assert.deepStrictEqual(grants, ['client_credentials from node-red-client', 'refresh_token from node-red-client']);
  });

  it('without a client certificate the token request fails with the TLS reason', async function () {
    const ctx = await loadQuery({ ds: oauthDatasource(), credentials: { ...clientCreds, ca: c.ca.pem } });
    const { msg, error } = await ctx.run();
    assert.ok(!msg);
    assert.strictEqual(error.error.code, 'TOKEN_ERROR');
    assert.match(error.error.message, /requires a client certificate/);
    assert.strictEqual(server.requests.length, 0);
  });

  it('the token request goes through the proxy tunnel too', async function () {
    const proxy = await startProxy();
    try {
      restoreEnv = setProxyEnv({ HTTPS_PROXY: proxy.url });
      const ctx = await loadQuery({
        ds: oauthDatasource(),
        credentials: { ...clientCreds, ca: c.ca.pem, cert: c.client.pem, key: c.client.keyPem },
      });
      const { msg, error } = await ctx.run();
      assert.ok(msg, error && error.error.message);
      assert.strictEqual(msg.payload.client, 'node-red-client');
      assert.ok(proxy.tunnels.length >= 1, 'the token request and the API call went through CONNECT');
      assert.ok(proxy.tunnels.every((t) => t.target === `127.0.0.1:${server.port}`));
      assert.strictEqual(proxy.relayed.length, 0);
    } finally {
      await proxy.close();
    }
  });
});

describe('TLS: the authorization code exchange uses the TLS configuration node', function () {
  const CALLBACK = '/rest-datasource/oauth/callback';
  let c;
  let server;
  let userDir;
  useRuntime();
  before(function () {
    c = certs();
  });
  beforeEach(async function () {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rds-tls-oauth-'));
    helper.settings({ userDir, credentialSecret: 'a-test-credential-secret' });
    // Token endpoint and API behind mutual TLS: the code is exchanged for a token naming the client.
    server = await startServer(
      (req, res) => {
        res.setHeader('Content-Type', 'application/json');
        const cn = req.socket.getPeerCertificate().subject.CN;
        if (req.url === '/token') {
          const form = new URLSearchParams(req.body.toString());
          const ok = form.get('grant_type') === 'authorization_code' && form.get('code') === 'the-code';
          res.statusCode = ok ? 200 : 400;
          res.end(
            JSON.stringify(ok ? { access_token: `code-token-${cn}`, expires_in: 3600 } : { error: 'invalid_grant' }),
          );
          return;
        }
        res.statusCode = req.headers.authorization === `Bearer code-token-${cn}` ? 200 : 401;
        res.end(JSON.stringify({ client: cn }));
      },
      {
        createServer: https.createServer,
        options: serverOptions(c.server, { ca: c.ca.pem, requestCert: true, rejectUnauthorized: true }),
      },
    );
  });
  afterEach(async function () {
    await helper.unload();
    helper.settings({});
    await server.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('exchanges the code over mutual TLS with the certificate of the selected tls-config node', async function () {
    const ctx = await loadQuery({
      ds: {
        baseUrl: `${server.url}/api`,
        authType: 'oauth2',
        oauth2GrantType: 'authorization_code',
        oauth2TokenUrl: `${server.url}/token`,
        oauth2AuthUrl: `${server.url}/authorize`,
        tls: 'tc',
      },
      credentials: { clientId: 'web', clientSecret: secret('web-secret') },
      nodes: [coreNode('network/05-tls.js')],
      extra: [{ id: 'tc', type: 'tls-config', name: 'corp', cert: '', key: '', ca: '', verifyservercert: true }],
      extraCredentials: { tc: { certdata: c.client.pem, keydata: c.client.keyPem, cadata: c.ca.pem } },
    });
    const start = await helper
      .request()
      .post('/rest-datasource/ds/oauth/start')
      .send({ redirectUri: helper.url() + CALLBACK });
    assert.strictEqual(start.status, 200, start.text);
    const state = new URL(start.body.authorizeUrl).searchParams.get('state');
    // What the provider's redirect back to Node-RED carries.
    const back = await helper.request().get(`${CALLBACK}?code=the-code&state=${encodeURIComponent(state)}`);
    assert.strictEqual(back.status, 200, back.text);
    assert.deepStrictEqual(
      server.requests.map((r) => `${r.method} ${r.url}`),
      ['POST /token'],
    );
    const { msg, error } = await ctx.run();
    assert.ok(msg, error && error.error.message);
    assert.deepStrictEqual(msg.payload, { client: 'node-red-client' });
  });
});
