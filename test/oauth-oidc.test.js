'use strict';
// The same grants against a real authorization server, oidc-provider: it enforces client
// authentication methods, exact redirect URIs, PKCE and refresh token rotation on its own.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startOidcServer, browse, webClient } = require('./lib/oidc-server');

const CALLBACK = '/rest-datasource/oauth/callback';

describe('oauth2 against oidc-provider', function () {
  let op;
  let userDir;
  let redirectUri;
  useRuntime();
  beforeEach(async function () {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-ds-oidc-'));
    helper.settings({ userDir, credentialSecret: 'oidc-test-credential-secret' });
    redirectUri = helper.url() + CALLBACK;
    op = await startOidcServer({ redirectUri });
  });
  afterEach(async function () {
    await helper.unload();
    helper.settings({});
    await op.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  const machine = (extra = {}) => ({
    baseUrl: op.apiUrl,
    authType: 'oauth2',
    oauth2GrantType: 'client_credentials',
    oauth2TokenUrl: op.tokenUrl,
    oauth2Scopes: 'read',
    oauth2Resource: op.resource,
    ...extra,
  });

  it('client credentials with client_secret_basic, scope and resource', async function () {
    const ctx = await loadQuery({
      ds: machine(),
      credentials: { clientId: 'm2m-basic', clientSecret: 'm2m-basic-secret' },
    });
    const { msg, error } = await ctx.run({});
    assert.ifError(error && error.error.message);
    assert.deepStrictEqual(msg.payload, { ok: true, client: 'm2m-basic', aud: op.resource });
  });

  // oidc-provider accepts Basic and post interchangeably (the strict server of oauth-grants
  // tests tells them apart); here a wrong secret is what it refuses.
  it('client credentials with client_secret_post; a wrong secret is refused as invalid_client', async function () {
    // (the wrong secret first: a stored token of the same settings would otherwise be reused)
    let ctx = await loadQuery({
      ds: machine({ oauth2ClientAuth: 'body' }),
      credentials: { clientId: 'm2m-post', clientSecret: 'not-the-secret' },
    });
    let r = await ctx.run({});
    assert.strictEqual(r.error.error.code, 'TOKEN_ERROR');
    assert.match(r.error.error.message, /invalid_client/);
    assert.ok(!r.error.error.message.includes('not-the-secret'));
    await helper.unload();
    ctx = await loadQuery({
      ds: machine({ oauth2ClientAuth: 'body' }),
      credentials: { clientId: 'm2m-post', clientSecret: 'm2m-post-secret' },
    });
    r = await ctx.run({});
    assert.ifError(r.error && r.error.error.message);
    assert.strictEqual(r.msg.payload.client, 'm2m-post');
  });

  it('authorization code with PKCE through the admin endpoints, then rotated refresh tokens', async function () {
    const ctx = await loadQuery({
      ds: {
        baseUrl: op.apiUrl,
        ...webClient(op).settings,
      },
      credentials: webClient(op).credentials,
    });
    const start = await helper.request().post('/rest-datasource/ds/oauth/start').send({ redirectUri });
    assert.strictEqual(start.status, 200, start.text);
    const back = new URL(await browse(start.body.authorizeUrl, redirectUri));
    assert.ok(back.searchParams.get('code'), back.toString());
    const page = await helper.request().get(back.pathname + back.search);
    assert.strictEqual(page.status, 200, page.text);
    assert.match(page.text, /"ok":true/);

    let r = await ctx.run({});
    assert.ifError(r.error && r.error.error.message);
    assert.strictEqual(r.msg.payload.client, 'web');

    // The provider forgets the access token twice: each time one refresh with the newest
    // (rotated) refresh token. oidc-provider revokes the whole grant if a rotated one is reused.
    for (let round = 0; round < 2; round++) {
      const access = op.issued.slice(-2)[0];
      const stored = await op.provider.AccessToken.find(access);
      assert.ok(stored, 'the current access token is known to the provider');
      await stored.destroy();
      const before = op.counts.token;
      r = await ctx.run({});
      assert.ifError(r.error && r.error.error.message);
      assert.strictEqual(r.msg.statusCode, 200);
      assert.strictEqual(op.counts.token, before + 1);
    }
    const status = await helper.request().get('/rest-datasource/ds/oauth/status');
    assert.strictEqual(status.body.authorized, true);
    for (const t of op.issued) {
      assert.ok(!page.text.includes(t) && !status.text.includes(t) && !start.text.includes(t));
    }
  });

  it('authorization code with DPoP: the code is redeemed with the datasource key, so its proofs fit the bound token', async function () {
    const ctx = await loadQuery({
      ds: {
        baseUrl: op.apiUrl,
        ...webClient(op).settings,
        oauth2Dpop: true,
      },
      credentials: webClient(op).credentials,
    });
    const start = await helper.request().post('/rest-datasource/ds/oauth/start').send({ redirectUri });
    const back = new URL(await browse(start.body.authorizeUrl, redirectUri));
    const page = await helper.request().get(back.pathname + back.search);
    assert.match(page.text, /"ok":true/);
    const exchanged = op.counts.token;
    const r = await ctx.run({});
    assert.ifError(r.error && r.error.error.message);
    assert.strictEqual(r.msg.payload.client, 'web');
    assert.ok(r.msg.payload.jkt, 'the token is DPoP-bound');
    // accepted at once: no refresh to get a token bound to another key
    assert.strictEqual(op.counts.token, exchanged);
  });
});
