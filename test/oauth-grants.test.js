'use strict';
// OAuth 2.0 grants against a strict local authorization server: what arrives at the token
// endpoint, where the token goes on API requests, and tokens pasted by hand.
const assert = require('assert');
const https = require('https');
const forge = require('node-forge');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startOAuthServer } = require('./lib/oauth-server');

const CLIENTS = [
  { id: 'hdr-client', secret: 's3cret-hdr', auth: 'header', redirectUris: [] },
  { id: 'body-client', secret: 's3cret-body', auth: 'body', redirectUris: [] },
];

function selfSignedCert() {
  const keys = forge.pki.rsa.generateKeyPair(1024);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 3600e3);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600e3);
  const attrs = [{ name: 'commonName', value: '127.0.0.1' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey) };
}

describe('oauth2 grants', function () {
  let as;
  useRuntime();
  afterEach(async function () {
    await helper.unload();
    if (as) await as.close();
    as = undefined;
  });

  function ds(extra) {
    return {
      baseUrl: as.apiUrl,
      authType: 'oauth2',
      oauth2GrantType: 'client_credentials',
      oauth2TokenUrl: as.tokenUrl,
      ...extra,
    };
  }

  it('client credentials with Basic client auth: scopes, audience, resource, extra params and headers arrive', async function () {
    as = await startOAuthServer({
      clients: CLIENTS,
      expect: { audience: 'https://api.example', resource: 'https://res.example', tenant: 't1' },
      expectHeaders: { 'X-Tenant': 'blue' },
    });
    const ctx = await loadQuery({
      ds: ds({
        oauth2Scopes: 'read, write',
        oauth2Audience: 'https://api.example',
        oauth2Resource: 'https://res.example',
        oauth2TokenParams: [{ name: 'tenant', value: 't1' }],
        oauth2TokenHeaders: [{ name: 'X-Tenant', value: 'blue' }],
      }),
      query: { path: 'items' },
      credentials: { clientId: 'hdr-client', clientSecret: 's3cret-hdr' },
    });
    const { msg, error } = await ctx.run({});
    assert.ifError(error && error.error.message);
    assert.deepStrictEqual(msg.payload, { ok: true, path: '/api/items' });
    const tokenReq = as.requests.find((r) => r.url === '/token');
    const params = new URLSearchParams(tokenReq.body.toString());
    assert.strictEqual(params.get('grant_type'), 'client_credentials');
    assert.strictEqual(params.get('scope'), 'read write');
    assert.strictEqual(params.get('client_secret'), null);
    assert.strictEqual(
      tokenReq.headers.authorization,
      'Basic ' + Buffer.from('hdr-client:s3cret-hdr').toString('base64'),
    );
    assert.strictEqual(as.state.apiAuth[0].header, 'Bearer ' + as.issued()[0]);
    assert.strictEqual(as.tokenRequests(), 1);
    // a second query reuses the cached token
    await ctx.run({});
    assert.strictEqual(as.tokenRequests(), 1);
  });

  it('client credentials with body client auth, token in a query parameter with Cache-Control: no-store', async function () {
    as = await startOAuthServer({ clients: CLIENTS });
    const ctx = await loadQuery({
      ds: ds({ oauth2ClientAuth: 'body', oauth2TokenPlacement: 'query' }),
      query: { path: 'by-query' },
      credentials: { clientId: 'body-client', clientSecret: 's3cret-body' },
    });
    const { msg, error } = await ctx.run({});
    assert.ifError(error && error.error.message);
    assert.strictEqual(msg.statusCode, 200);
    const tokenReq = as.requests.find((r) => r.url === '/token');
    assert.strictEqual(tokenReq.headers.authorization, undefined);
    const params = new URLSearchParams(tokenReq.body.toString());
    assert.strictEqual(params.get('client_id'), 'body-client');
    const seen = as.state.apiAuth[0];
    assert.strictEqual(seen.header, '');
    assert.strictEqual(seen.query, as.issued()[0]);
    assert.strictEqual(seen.cacheControl, 'no-store');
    // the token is not in the output msg
    assert.ok(!JSON.stringify(msg).includes(as.issued()[0]));
  });

  it('refuses the wrong client authentication method with TOKEN_ERROR naming the provider error', async function () {
    as = await startOAuthServer({ clients: CLIENTS });
    const ctx = await loadQuery({
      ds: ds({ oauth2ClientAuth: 'body' }),
      credentials: { clientId: 'hdr-client', clientSecret: 's3cret-hdr' },
    });
    const { error } = await ctx.run({});
    assert.strictEqual(error.error.code, 'TOKEN_ERROR');
    assert.match(error.error.message, /invalid_client/);
    assert.ok(!error.error.message.includes('s3cret-hdr'));
  });

  it('uses a custom header prefix, and none when the prefix is empty', async function () {
    as = await startOAuthServer({ clients: CLIENTS });
    // the API of this test server accepts "Token <t>" as well as "Bearer <t>"
    let ctx = await loadQuery({
      ds: ds({ oauth2HeaderPrefix: 'Token' }),
      credentials: { clientId: 'hdr-client', clientSecret: 's3cret-hdr' },
    });
    await ctx.run({});
    assert.strictEqual(as.state.apiAuth[0].header, 'Token ' + as.issued()[0]);
    await helper.unload();
    ctx = await loadQuery({
      ds: ds({ oauth2HeaderPrefix: '' }),
      credentials: { clientId: 'hdr-client', clientSecret: 's3cret-hdr' },
    });
    await ctx.run({});
    assert.strictEqual(as.state.apiAuth[1].header, as.issued()[1]);
  });

  it('password grant sends the resource owner credentials and uses the token', async function () {
    as = await startOAuthServer({ clients: CLIENTS, users: { alice: 'wonder-land' } });
    const ctx = await loadQuery({
      ds: ds({ oauth2GrantType: 'password', oauth2Scopes: 'profile' }),
      credentials: { clientId: 'hdr-client', clientSecret: 's3cret-hdr', username: 'alice', password: 'wonder-land' },
    });
    const { msg, error } = await ctx.run({});
    assert.ifError(error && error.error.message);
    assert.strictEqual(msg.statusCode, 200);
    const params = new URLSearchParams(as.requests.find((r) => r.url === '/token').body.toString());
    assert.strictEqual(params.get('grant_type'), 'password');
    assert.strictEqual(params.get('username'), 'alice');
    assert.strictEqual(params.get('scope'), 'profile');
  });

  it('manual tokens: the pasted access token is used, then refreshed with the pasted refresh token', async function () {
    as = await startOAuthServer({ clients: CLIENTS });
    as.state.access.add('pasted-access-token');
    as.state.refresh.set('pasted-refresh-token', { clientId: 'hdr-client' });
    const ctx = await loadQuery({
      ds: ds({ oauth2GrantType: 'manual' }),
      credentials: {
        clientId: 'hdr-client',
        clientSecret: 's3cret-hdr',
        accessToken: 'pasted-access-token',
        refreshToken: 'pasted-refresh-token',
      },
    });
    let r = await ctx.run({});
    assert.strictEqual(r.msg.statusCode, 200);
    assert.strictEqual(as.state.apiAuth[0].header, 'Bearer pasted-access-token');
    assert.strictEqual(as.tokenRequests(), 0);
    as.revokeAccess();
    r = await ctx.run({});
    assert.ifError(r.error && r.error.error.message);
    assert.strictEqual(r.msg.statusCode, 200);
    assert.strictEqual(as.tokenRequests(), 1);
    const params = new URLSearchParams(as.requests.find((x) => x.url === '/token').body.toString());
    assert.strictEqual(params.get('grant_type'), 'refresh_token');
    assert.strictEqual(params.get('refresh_token'), 'pasted-refresh-token');
    assert.strictEqual(as.state.apiAuth[2].header, 'Bearer ' + as.issued()[0]);
  });

  it('expires_at from the server and oauth2ExpiresIn when it sends no expiry decide when to refresh', async function () {
    as = await startOAuthServer({ clients: CLIENTS });
    as.state.expiryField = 'expires_at';
    as.state.expiresIn = 0; // already expired when it arrives
    const ctx = await loadQuery({
      ds: ds({}),
      credentials: { clientId: 'hdr-client', clientSecret: 's3cret-hdr' },
    });
    await ctx.run({});
    await ctx.run({});
    assert.strictEqual(as.tokenRequests(), 2, 'an expired expires_at makes the next query fetch a new token');
    await helper.unload();
    as.state.expiryField = 'none';
    const ctx2 = await loadQuery({
      ds: ds({ oauth2ExpiresIn: '3600' }),
      credentials: { clientId: 'hdr-client', clientSecret: 's3cret-hdr' },
    });
    await ctx2.run({});
    await ctx2.run({});
    assert.strictEqual(as.tokenRequests(), 3, 'without an expiry from the server, oauth2ExpiresIn keeps it');
  });

  it("token requests go through the datasource's TLS settings (custom CA for an https token endpoint)", async function () {
    const { cert, key } = selfSignedCert();
    as = await startOAuthServer({
      clients: CLIENTS,
      serverOptions: { createServer: https.createServer, options: { cert, key } },
    });
    const creds = { clientId: 'hdr-client', clientSecret: 's3cret-hdr' };
    let ctx = await loadQuery({ ds: ds({}), credentials: creds });
    let r = await ctx.run({});
    assert.strictEqual(r.error.error.code, 'TOKEN_ERROR');
    assert.match(r.error.error.message, /self-signed|CA certificate/);
    await helper.unload();
    ctx = await loadQuery({ ds: ds({}), credentials: { ...creds, ca: cert } });
    r = await ctx.run({});
    assert.ifError(r.error && r.error.error.message);
    assert.strictEqual(r.msg.statusCode, 200);
  });
});
