'use strict';
// OAuth 2.0 client assertions (RFC 7523 2.2), tls_client_auth (RFC 8705) and DPoP (RFC 9449)
// against oidc-provider, which verifies the assertions (signature with the registered key,
// aud, exp, jti replay), the client certificate and the DPoP proofs (and demands nonces);
// the API beside it verifies DPoP proofs with jose and the token's key binding.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startAssertionServer } = require('./lib/oidc-assertion-server');
const { secret } = require('./lib/secrets');

describe('oauth2 client assertions, tls_client_auth and DPoP against oidc-provider', function () {
  this.timeout(20000);
  let op;
  let userDir;
  const clientSecretJwt = secret('client-secret-jwt') + '-long-enough-for-hs256-keys-xxxxxxxx';
  useRuntime();
  before(async function () {
    // Generating the test certificates' RSA keys and loading oidc-provider take a while once.
    this.timeout(120000);
    require('./lib/certs').certs();
    await import('oidc-provider');
  });
  beforeEach(async function () {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-ds-assert-'));
    helper.settings({ userDir, credentialSecret: 'assertion-test-credential-secret' });
  });
  afterEach(async function () {
    await helper.unload();
    helper.settings({});
    if (op) await op.close();
    op = undefined;
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  const ds = (extra = {}) => ({
    baseUrl: op.apiUrl,
    authType: 'oauth2',
    oauth2GrantType: 'client_credentials',
    oauth2TokenUrl: op.tokenUrl,
    oauth2Scopes: 'read',
    ...extra,
  });

  for (const [alg, key] of [
    ['RS256', 'rsa'],
    ['PS256', 'rsa'],
    ['ES256', 'ec'],
    ['EdDSA', 'ed'],
  ]) {
    it(`private_key_jwt with ${alg}: the provider verifies the assertion and issues a token`, async function () {
      op = await startAssertionServer({ clientSecretJwt });
      const ctx = await loadQuery({
        ds: ds({ oauth2ClientAuth: 'private_key_jwt', oauth2ClientAssertionAlg: alg, oauth2ClientKeyId: `${key}-1` }),
        credentials: { ca: op.ca, clientId: 'pkjwt', clientPrivateKey: op.keys[key].pem },
      });
      const { msg, error } = await ctx.run({});
      assert.ifError(error && error.error.message);
      assert.deepStrictEqual(msg.payload.client, 'pkjwt');
      const [sent] = op.assertions;
      assert.strictEqual(sent.status, 200);
      assert.strictEqual(sent.body.client_assertion_type, 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      assert.strictEqual(sent.body.client_secret, undefined);
      assert.strictEqual(sent.header.alg, alg);
      assert.strictEqual(sent.header.kid, `${key}-1`);
      assert.strictEqual(sent.claims.iss, 'pkjwt');
      assert.strictEqual(sent.claims.sub, 'pkjwt');
      assert.strictEqual(sent.claims.aud, op.tokenUrl);
      assert.ok(sent.claims.exp - sent.claims.iat <= 60 && sent.claims.exp > sent.claims.iat);
      assert.match(sent.claims.jti, /^[0-9a-f-]{36}$/);
    });
  }

  it('private_key_jwt signed with a key the client did not register is refused (invalid_client)', async function () {
    op = await startAssertionServer({ clientSecretJwt });
    const other = require('crypto')
      .generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' });
    const ctx = await loadQuery({
      ds: ds({ oauth2ClientAuth: 'private_key_jwt', oauth2ClientAssertionAlg: 'ES256' }),
      credentials: { ca: op.ca, clientId: 'pkjwt', clientPrivateKey: other },
    });
    const { error } = await ctx.run({});
    assert.strictEqual(error.error.code, 'TOKEN_ERROR');
    assert.match(error.error.message, /invalid_client/);
  });

  it('client_secret_jwt (HS256 with the client secret); every token request has a fresh jti', async function () {
    op = await startAssertionServer({ clientSecretJwt });
    const ctx = await loadQuery({
      ds: ds({ oauth2ClientAuth: 'client_secret_jwt', oauth2ExpiredStatus: '401,403' }),
      credentials: { ca: op.ca, clientId: 'csjwt', clientSecret: clientSecretJwt },
    });
    let r = await ctx.run({});
    assert.ifError(r.error && r.error.error.message);
    assert.strictEqual(r.msg.payload.client, 'csjwt');
    // A second token request: revoke the token so the API refuses it and the datasource renews.
    const token = await ctx.ds.datasource.auth.currentToken();
    const found = await op.provider.ClientCredentials.find(token);
    await found.destroy();
    r = await ctx.run({});
    assert.ifError(r.error && r.error.error.message);
    assert.strictEqual(op.assertions.length, 2);
    assert.ok(op.assertions.every((a) => a.status === 200 && a.header.alg === 'HS256'));
    assert.notStrictEqual(op.assertions[0].claims.jti, op.assertions[1].claims.jti);
    // The secret itself never travels.
    assert.ok(op.assertions.every((a) => !JSON.stringify(a.body).includes(clientSecretJwt)));
  });

  it('a PEM that is not a key is a CONFIG_ERROR naming clientPrivateKey', async function () {
    op = await startAssertionServer({ clientSecretJwt });
    const ctx = await loadQuery({
      ds: ds({ oauth2ClientAuth: 'private_key_jwt' }),
      credentials: {
        ca: op.ca,
        clientId: 'pkjwt',
        clientPrivateKey: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----',
      },
    });
    const { error } = await ctx.run({});
    assert.strictEqual(error.error.code, 'CONFIG_ERROR');
    assert.match(error.error.message, /clientPrivateKey/);
    // an EC key with RS256 names the algorithm to choose
    await helper.unload();
    const ctx2 = await loadQuery({
      ds: ds({ oauth2ClientAuth: 'private_key_jwt', oauth2ClientAssertionAlg: 'RS256' }),
      credentials: { ca: op.ca, clientId: 'pkjwt', clientPrivateKey: op.keys.ec.pem },
    });
    const r2 = await ctx2.run({});
    assert.strictEqual(r2.error.error.code, 'CONFIG_ERROR');
    assert.match(r2.error.error.message, /oauth2ClientAssertionAlg: RS256 .* choose ES256/);
  });

  it('tls_client_auth: the datasource client certificate at the token endpoint, client_id in the body', async function () {
    op = await startAssertionServer({ clientSecretJwt });
    // Without the certificate first (a stored token of the same settings would be reused).
    const ctx1 = await loadQuery({
      ds: ds({ oauth2ClientAuth: 'tls_client_auth' }),
      credentials: { clientId: 'mtls', ca: op.ca },
    });
    const r1 = await ctx1.run({});
    assert.strictEqual(r1.error.error.code, 'TOKEN_ERROR');
    assert.match(r1.error.error.message, /invalid_client/);
    await helper.unload();
    const ctx = await loadQuery({
      ds: ds({ oauth2ClientAuth: 'tls_client_auth' }),
      credentials: { clientId: 'mtls', ca: op.ca, cert: op.client.pem, key: op.client.keyPem },
    });
    const { msg, error } = await ctx.run({});
    assert.ifError(error && error.error.message);
    assert.strictEqual(msg.payload.client, 'mtls');
    assert.deepStrictEqual(Object.keys(op.assertions[1].body).sort(), ['client_id', 'grant_type', 'scope']);
  });

  it('DPoP: token nonce retried, a bound token, a fresh proof per API request, API nonce retried', async function () {
    op = await startAssertionServer({ clientSecretJwt, apiNonce: true });
    const ctx = await loadQuery({
      ds: ds({ oauth2ClientAuth: 'private_key_jwt', oauth2ClientAssertionAlg: 'ES256', oauth2Dpop: true }),
      credentials: { ca: op.ca, clientId: 'dpop', clientPrivateKey: op.keys.ec.pem },
    });
    const first = await ctx.run({ path: '/one?x=1' });
    assert.ifError(first.error && first.error.error.message);
    assert.strictEqual(first.msg.payload.bound, true);
    assert.strictEqual(first.msg.payload.client, 'dpop');
    // token endpoint: the first proof without a nonce was answered use_dpop_nonce, then one with it
    assert.deepStrictEqual(
      op.assertions.map((a) => [a.status, !!(a.dpop && a.dpop.nonce)]),
      [
        [400, false],
        [200, true],
      ],
    );
    assert.strictEqual(op.assertions[1].dpop.htu, op.tokenUrl);
    assert.strictEqual(op.assertions[1].dpop.htm, 'POST');
    // API: one nonce challenge, then accepted; htu without the query
    assert.strictEqual(op.counts.nonceChallenges, 1);
    const second = await ctx.run({ path: '/two' });
    assert.ifError(second.error && second.error.error.message);
    // the API's nonce was remembered: no second challenge
    assert.strictEqual(op.counts.nonceChallenges, 1);
    // three proofs: the challenged one (it carried the token endpoint's nonce: same origin here),
    // its retry with the API's nonce, the second request's with the same remembered nonce
    const nonces = op.proofs.map((p) => p.payload.nonce);
    assert.strictEqual(nonces.length, 3);
    assert.notStrictEqual(nonces[0], nonces[1]);
    assert.strictEqual(nonces[1], nonces[2]);
    assert.strictEqual(new Set(op.proofs.map((p) => p.payload.jti)).size, 3);
    assert.strictEqual(op.proofs[0].payload.htu, op.apiUrl + '/one');
    assert.strictEqual(op.proofs[2].payload.htu, op.apiUrl + '/two');
    assert.ok(op.proofs.every((p) => p.header.typ === 'dpop+jwt' && p.header.alg === 'ES256' && !p.header.jwk.d));
    // One token request only (plus its nonce retry), and the key is the token's cnf.jkt.
    assert.strictEqual(op.grants.filter((g) => g.ok).length, 1);
  });

  it('DPoP: the generated key survives a restart, so the stored bound token stays valid', async function () {
    op = await startAssertionServer({ clientSecretJwt, requireTokenNonce: false });
    const config = {
      ds: ds({ oauth2ClientAuth: 'private_key_jwt', oauth2ClientAssertionAlg: 'ES256', oauth2Dpop: true }),
    };
    const credentials = { ca: op.ca, clientId: 'dpop', clientPrivateKey: op.keys.ec.pem };
    let ctx = await loadQuery({ ...config, credentials });
    let r = await ctx.run({});
    assert.ifError(r.error && r.error.error.message);
    const jkt = r.msg.payload.jkt;
    await helper.unload();
    ctx = await loadQuery({ ...config, credentials });
    r = await ctx.run({});
    assert.ifError(r.error && r.error.error.message);
    assert.strictEqual(r.msg.payload.jkt, jkt);
    // the token came from the vault: still one grant
    assert.strictEqual(op.grants.filter((g) => g.ok).length, 1);
    const stored = fs.readFileSync(path.join(userDir, 'rest-datasource-dpop-keys.json'), 'utf8');
    assert.ok(!stored.includes('"d"'), 'the key file is encrypted');
  });

  it('DPoP with a pasted dpopKey proves with that key; a key that is not a P-256 JWK is a CONFIG_ERROR naming dpopKey', async function () {
    op = await startAssertionServer({ clientSecretJwt, requireTokenNonce: false });
    const jose = await import('jose');
    const { privateKey, publicKey } = require('crypto').generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const dpopKey = JSON.stringify(privateKey.export({ format: 'jwk' }));
    const dsDpop = ds({ oauth2ClientAuth: 'private_key_jwt', oauth2ClientAssertionAlg: 'ES256', oauth2Dpop: true });
    const bad = await loadQuery({
      ds: dsDpop,
      credentials: { ca: op.ca, clientId: 'dpop', clientPrivateKey: op.keys.ec.pem, dpopKey: '{"kty":"RSA"}' },
    });
    const r1 = await bad.run({});
    assert.strictEqual(r1.error.error.code, 'CONFIG_ERROR');
    assert.match(r1.error.error.message, /dpopKey: must be a private EC P-256 JWK/);
    await helper.unload();
    const ctx = await loadQuery({
      ds: dsDpop,
      credentials: { ca: op.ca, clientId: 'dpop', clientPrivateKey: op.keys.ec.pem, dpopKey },
    });
    const r = await ctx.run({});
    assert.ifError(r.error && r.error.error.message);
    assert.strictEqual(r.msg.payload.jkt, await jose.calculateJwkThumbprint(publicKey.export({ format: 'jwk' })));
  });

  it('DPoP: a redirect on the origin gets a fresh proof for the new URL', async function () {
    op = await startAssertionServer({ clientSecretJwt, requireTokenNonce: false });
    const ctx = await loadQuery({
      ds: ds({ oauth2ClientAuth: 'private_key_jwt', oauth2ClientAssertionAlg: 'ES256', oauth2Dpop: true }),
      credentials: { ca: op.ca, clientId: 'dpop', clientPrivateKey: op.keys.ec.pem },
    });
    const r = await ctx.run({ path: '/moved' });
    assert.ifError(r.error && r.error.error.message);
    assert.strictEqual(r.msg.payload.path, '/api/new-home');
    assert.deepStrictEqual(
      op.proofs.map((p) => p.payload.htu),
      [op.apiUrl + '/moved', op.apiUrl + '/new-home'],
    );
    assert.notStrictEqual(op.proofs[0].payload.jti, op.proofs[1].payload.jti);
  });
});
