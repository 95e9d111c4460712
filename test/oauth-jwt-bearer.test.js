'use strict';
// The JWT bearer grant (RFC 7523 2.1) against a token endpoint that verifies every assertion
// with jose: signature with the registered public key, iss, sub, aud, exp, iat, a jti never
// seen before; a Google service-account key generated in the test, pasted whole; and a client
// assertion on the refresh request.
const assert = require('assert');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');
const { startBearerServer } = require('./lib/jwt-bearer-server');

describe('oauth2 jwt_bearer grant', function () {
  this.timeout(20000);
  let srv;
  let userDir;
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' });
  useRuntime();
  beforeEach(function () {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-ds-jwtb-'));
    helper.settings({ userDir, credentialSecret: 'jwt-bearer-test-credential-secret' });
  });
  afterEach(async function () {
    await helper.unload();
    helper.settings({});
    if (srv) await srv.close();
    srv = undefined;
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('a private key and issuer: the verified assertion is the grant; one token for concurrent requests', async function () {
    srv = await startBearerServer({
      publicKey: rsa.publicKey,
      check: { issuer: 'salesforce-consumer-key', subject: 'alice@example.com', algorithms: ['PS256'] },
    });
    const ctx = await loadQuery({
      ds: {
        baseUrl: srv.url + '/api',
        authType: 'oauth2',
        oauth2GrantType: 'jwt_bearer',
        oauth2TokenUrl: srv.tokenUrl,
        oauth2AssertionIssuer: 'salesforce-consumer-key',
        oauth2AssertionSubject: 'alice@example.com',
        oauth2ClientAssertionAlg: 'PS256',
        oauth2Scopes: 'api refresh_token',
      },
      credentials: { clientPrivateKey: pem },
    });
    const results = await Promise.all([ctx.run({}), ctx.run({}), ctx.run({})].map((p) => p));
    for (const r of results) assert.ifError(r.error && r.error.error.message);
    assert.strictEqual(srv.grants.length, 1, JSON.stringify(srv.grants.map((g) => g.error)));
    const [g] = srv.grants;
    assert.ok(g.ok);
    // no client authentication: just the grant, its assertion and the scopes
    assert.deepStrictEqual(Object.keys(g.form).sort(), ['assertion', 'grant_type', 'scope']);
    assert.strictEqual(g.form.scope, 'api refresh_token');
    assert.ok(g.payload.exp - g.payload.iat <= 60);
  });

  it('renews with a new assertion before the token expires (no refresh token)', async function () {
    // 2 s tokens: renewed once they are within a tenth of their lifetime of expiring
    srv = await startBearerServer({ publicKey: rsa.publicKey, expiresIn: 2, check: { issuer: 'iss-1' } });
    const ctx = await loadQuery({
      ds: {
        baseUrl: srv.url + '/api',
        authType: 'oauth2',
        oauth2GrantType: 'jwt_bearer',
        oauth2TokenUrl: srv.tokenUrl,
        oauth2AssertionIssuer: 'iss-1',
      },
      credentials: { clientPrivateKey: pem },
    });
    const first = await ctx.run({});
    assert.ifError(first.error && first.error.error.message);
    // wait until the first token is due, then ask again
    while (srv.grants.length < 2) {
      const r = await ctx.run({});
      assert.ifError(r.error && r.error.error.message);
      if (srv.grants.length < 2) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(srv.grants.every((g) => g.ok));
    assert.notStrictEqual(srv.grants[0].payload.jti, srv.grants[1].payload.jti);
    assert.strictEqual(srv.grants[1].payload.sub, 'iss-1');
  });

  it('a pasted Google service-account key: token URL, issuer, key id and scope claim from it; status shows the account', async function () {
    srv = await startBearerServer({ publicKey: rsa.publicKey, check: { algorithms: ['RS256'] } });
    const saKey = {
      type: 'service_account',
      project_id: 'demo-project',
      private_key_id: 'f00dfeedc0ffee',
      private_key: pem,
      client_email: 'robot@demo-project.iam.gserviceaccount.com',
      client_id: '108234567890123456789',
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: srv.tokenUrl,
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_x509_cert_url: 'https://www.googleapis.com/robot/v1/metadata/x509/robot',
      universe_domain: 'googleapis.com',
    };
    const ctx = await loadQuery({
      ds: {
        baseUrl: srv.url + '/api',
        authType: 'oauth2',
        oauth2GrantType: 'jwt_bearer',
        oauth2Scopes: 'https://www.googleapis.com/auth/spreadsheets.readonly',
      },
      credentials: { serviceAccountKey: JSON.stringify(saKey, null, 2) },
    });
    const { msg, error } = await ctx.run({});
    assert.ifError(error && error.error.message);
    assert.strictEqual(msg.payload.ok, true);
    const [g] = srv.grants;
    assert.strictEqual(g.protectedHeader.alg, 'RS256');
    assert.strictEqual(g.protectedHeader.kid, 'f00dfeedc0ffee');
    assert.strictEqual(g.payload.iss, saKey.client_email);
    assert.strictEqual(g.payload.aud, srv.tokenUrl);
    assert.strictEqual(g.payload.scope, 'https://www.googleapis.com/auth/spreadsheets.readonly');
    assert.strictEqual(g.payload.sub, undefined);
    assert.deepStrictEqual(Object.keys(g.form).sort(), ['assertion', 'grant_type']);
    const status = await helper.request().get('/rest-datasource/ds/oauth/status').expect(200);
    assert.strictEqual(status.body.account, saKey.client_email);
    assert.strictEqual(status.body.authorized, true);
    assert.ok(!JSON.stringify(status.body).includes('PRIVATE KEY'));
  });

  it('a service-account key that is not JSON, or lacks client_email, is a CONFIG_ERROR naming serviceAccountKey', async function () {
    srv = await startBearerServer({ publicKey: rsa.publicKey });
    for (const [text, pattern] of [
      ['{"type": "service_account", "private_key": "x"', /serviceAccountKey: is not JSON/],
      [JSON.stringify({ type: 'service_account', private_key: pem }), /serviceAccountKey: has no "client_email"/],
      [JSON.stringify({ type: 'authorized_user', client_email: 'a@b' }), /not a service-account key/],
    ]) {
      const ctx = await loadQuery({
        ds: { baseUrl: srv.url + '/api', authType: 'oauth2', oauth2GrantType: 'jwt_bearer' },
        credentials: { serviceAccountKey: text },
      });
      const { error } = await ctx.run({});
      assert.strictEqual(error.error.code, 'CONFIG_ERROR');
      assert.match(error.error.message, pattern);
      assert.ok(!error.error.message.includes('PRIVATE KEY'));
      await helper.unload();
    }
    assert.strictEqual(srv.requests.length, 0);
  });

  it('Test connection with another token URL signs nothing with the stored key or service-account key', async function () {
    srv = await startBearerServer({ publicKey: rsa.publicKey });
    const evil = await startServer((req, res) => {
      res.statusCode = 400;
      res.end('{"error":"invalid_request"}');
    });
    try {
      const saKey = JSON.stringify({
        type: 'service_account',
        client_email: 'r@p',
        private_key: pem,
        token_uri: srv.tokenUrl,
      });
      for (const credentials of [{ clientPrivateKey: pem }, { serviceAccountKey: saKey }]) {
        await loadQuery({
          ds: {
            baseUrl: srv.url + '/api',
            authType: 'oauth2',
            oauth2GrantType: 'jwt_bearer',
            oauth2TokenUrl: credentials.serviceAccountKey ? '' : srv.tokenUrl,
            oauth2AssertionIssuer: 'iss-x',
          },
          credentials,
        });
        const moved = await helper
          .request()
          .post('/rest-datasource/ds/test')
          .send({ oauth2TokenUrl: evil.url + '/token', clientPrivateKey: '__PWRD__', serviceAccountKey: '__PWRD__' })
          .expect(200);
        assert.strictEqual(moved.body.ok, false);
        assert.match(moved.body.message, /CONFIG_ERROR/);
        assert.strictEqual(evil.requests.length, 0);
        // unchanged destination: the stored key signs (not vacuous)
        const same = await helper
          .request()
          .post('/rest-datasource/ds/test')
          .send({ clientPrivateKey: '__PWRD__', serviceAccountKey: '__PWRD__' })
          .expect(200);
        assert.strictEqual(same.body.ok, true, same.body.message);
        await helper.unload();
      }
    } finally {
      await evil.close();
    }
  });

  it('private_key_jwt signs the refresh request too, with a new jti (verified by jose)', async function () {
    const jose = await import('jose');
    const seen = [];
    srv = await startServer(async (req, res) => {
      res.setHeader('Content-Type', 'application/json');
      if (req.url === '/token') {
        const form = new URLSearchParams(req.body.toString());
        const { payload } = await jose.jwtVerify(form.get('client_assertion'), rsa.publicKey, {
          issuer: 'cid',
          subject: 'cid',
          audience: srv.url + '/token',
        });
        seen.push({ grant: form.get('grant_type'), jti: payload.jti, type: form.get('client_assertion_type') });
        const refresh = form.get('grant_type') === 'refresh_token';
        return res.end(JSON.stringify({ access_token: refresh ? 't2' : 't1', refresh_token: 'r1', expires_in: 3600 }));
      }
      res.statusCode = req.headers.authorization === 'Bearer t2' ? 200 : 401;
      return res.end('{}');
    });
    const ctx = await loadQuery({
      ds: {
        baseUrl: srv.url + '/api',
        authType: 'oauth2',
        oauth2TokenUrl: srv.url + '/token',
        oauth2ClientAuth: 'private_key_jwt',
      },
      credentials: { clientId: 'cid', clientPrivateKey: pem },
    });
    const r = await ctx.run({});
    assert.ifError(r.error && r.error.error.message);
    assert.strictEqual(r.msg.statusCode, 200);
    assert.deepStrictEqual(
      seen.map((s) => s.grant),
      ['client_credentials', 'refresh_token'],
    );
    assert.notStrictEqual(seen[0].jti, seen[1].jti);
    assert.ok(seen.every((s) => s.type === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'));
  });
});
