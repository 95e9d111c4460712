'use strict';
// The admin routes merge the dialog's unsaved values with the deployed credentials. Stored
// secrets and stored tokens belong to the deployed destinations: a dialog that points the
// base URL, token URL, authorization URL, proxy or TLS trust elsewhere gets none of them.
// Real servers count what arrives where.
const assert = require('assert');
const { helper, loadQuery, coreNode, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');
const { startOAuthServer, deployWithCachedToken, visitProvider } = require('./lib/oauth-server');
const { startProxy } = require('./lib/proxy');
const { certs, startHttpsServer } = require('./lib/certs');
const { secret } = require('./lib/secrets');

const CALLBACK = '/rest-datasource/oauth/callback';
const b64 = (text) => Buffer.from(text).toString('base64');

/** Everything a server received, as one text. */
function received(server) {
  return server.requests.map((r) => `${r.method} ${r.url} ${JSON.stringify(r.headers)} ${r.body}`).join('\n');
}

function assertNone(text, forbidden, where) {
  for (const [what, value] of Object.entries(forbidden)) {
    assert.ok(!text.includes(value), `${what} reached ${where}: ${text.slice(0, 300)}`);
  }
}

describe('admin routes: stored secrets and tokens stay with the deployed destinations', function () {
  const clientSecret = secret('client-secret');
  const password = secret('owner-password');
  let as;
  let evil;
  useRuntime();
  beforeEach(async function () {
    as = await startOAuthServer({
      clients: [{ id: 'app', secret: clientSecret, auth: 'header', redirectUris: [helper.url() + CALLBACK] }],
      users: { bob: password },
    });
    evil = await startServer((req, res) => {
      res.statusCode = 400;
      res.setHeader('Content-Type', 'application/json');
      res.end('{"error":"invalid_request"}');
    });
  });
  afterEach(async function () {
    await helper.unload();
    await as.close();
    await evil.close();
  });

  const secrets = () => ({
    clientSecret,
    password,
    basicClient: b64(`app:${clientSecret}`),
    formPassword: encodeURIComponent(password),
  });

  const oauthDs = (extra = {}) => ({
    baseUrl: as.apiUrl,
    authType: 'oauth2',
    oauth2GrantType: 'client_credentials',
    oauth2TokenUrl: as.tokenUrl,
    ...extra,
  });

  const test = (body) => helper.request().post('/rest-datasource/ds/test').send(body).expect(200);

  it('Test connection with another token URL sends neither the client secret nor the password there', async function () {
    await loadQuery({
      ds: oauthDs({ oauth2GrantType: 'password' }),
      credentials: { clientId: 'app', clientSecret, username: 'bob', password },
    });
    const res = await test({
      oauth2TokenUrl: evil.url + '/token',
      clientId: 'app',
      username: 'bob',
      clientSecret: '__PWRD__',
      password: '__PWRD__',
    });
    assert.strictEqual(res.body.ok, false);
    assertNone(received(evil), secrets(), 'the changed token URL');
    // The same request with the token URL unchanged uses the stored secrets (not vacuous).
    const same = await test({ clientId: 'app', username: 'bob', clientSecret: '__PWRD__', password: '__PWRD__' });
    assert.strictEqual(same.body.ok, true, same.body.message);
    assert.deepStrictEqual(as.state.grants, ['password']);
  });

  it('Authorize with another token URL: the code is not redeemed there with the stored client secret', async function () {
    await loadQuery({
      ds: oauthDs({ oauth2GrantType: 'authorization_code', oauth2AuthUrl: as.authUrl, oauth2Pkce: false }),
      credentials: { clientId: 'app', clientSecret },
    });
    const start = await helper
      .request()
      .post('/rest-datasource/ds/oauth/start')
      .send({ oauth2TokenUrl: evil.url + '/token', clientSecret: '__PWRD__', redirectUri: helper.url() + CALLBACK })
      .expect(200);
    const visit = await visitProvider(start.body.authorizeUrl);
    assert.strictEqual(visit.status, 302, as.state.errors.join('; '));
    const back = new URL(visit.location);
    const page = await helper.request().get(back.pathname + back.search);
    assert.match(page.text, /Authorization failed/);
    assert.strictEqual(evil.requests.length, 1, 'the code exchange went to the changed token URL');
    assertNone(received(evil), secrets(), 'the changed token URL');
  });

  it('Authorize with another authorization URL needs the client secret typed again', async function () {
    await loadQuery({
      ds: oauthDs({ oauth2GrantType: 'authorization_code', oauth2AuthUrl: as.authUrl, oauth2Pkce: false }),
      credentials: { clientId: 'app', clientSecret },
    });
    const start = await helper
      .request()
      .post('/rest-datasource/ds/oauth/start')
      .send({ oauth2AuthUrl: evil.url + '/authorize', clientSecret: '__PWRD__', redirectUri: helper.url() + CALLBACK })
      .expect(200);
    // A code from the other authorization server, redeemed at the real token endpoint.
    const code = new URL(start.body.authorizeUrl);
    assert.strictEqual(code.origin, evil.url);
    const state = code.searchParams.get('state');
    await helper.request().get(`${CALLBACK}?code=foreign-code&state=${state}`);
    const exchange = as.requests.filter((r) => r.url === '/token');
    assert.strictEqual(exchange.length, 1);
    assertNone(received(as), { clientSecret, basicClient: b64(`app:${clientSecret}`) }, 'the token endpoint');
  });

  /** A deployed client-credentials datasource that has used (and cached) one access token. */
  async function withCachedToken(extra = {}) {
    await deployWithCachedToken(as, { credentials: { clientId: 'app', clientSecret }, ...extra });
    assert.strictEqual(as.tokenRequests(), 1);
    return as.issued()[0];
  }

  it('Test connection with another base URL does not send the cached access token there', async function () {
    const cached = await withCachedToken();
    const res = await test({ baseUrl: evil.url, clientId: 'app', clientSecret: '__PWRD__' });
    assert.strictEqual(res.body.ok, false);
    assertNone(received(evil), { cached, ...secrets() }, 'the changed base URL');
    // Unchanged: the cached token is used, no new token request (not vacuous).
    const same = await test({ clientId: 'app', clientSecret: '__PWRD__', path: 'me' });
    assert.strictEqual(same.body.ok, true, same.body.message);
    assert.strictEqual(as.state.apiAuth[as.state.apiAuth.length - 1].header, 'Bearer ' + cached);
  });

  it('Test connection through another proxy sends neither the cached token nor the client secret through it', async function () {
    const proxy = await startProxy();
    try {
      const cached = await withCachedToken({
        nodes: [coreNode('network/06-httpproxy.js')],
        extra: [{ id: 'px', type: 'http proxy', name: 'other', url: proxy.url }],
      });
      const res = await test({ proxy: 'px', clientId: 'app', clientSecret: '__PWRD__', path: 'me' });
      assert.strictEqual(res.body.ok, false);
      assert.ok(proxy.relayed.length > 0, 'the test did not go through the proxy');
      assertNone(JSON.stringify(proxy.relayed), { cached, ...secrets() }, 'the changed proxy');
    } finally {
      await proxy.close();
    }
  });

  it('Test connection with certificate verification turned off does not send stored secrets', async function () {
    const token = secret('bearer');
    // An impostor on the deployed address whose certificate the deployed CA does not trust.
    const impostor = await startHttpsServer(undefined, certs().otherServer);
    try {
      await loadQuery({
        ds: { baseUrl: impostor.url, authType: 'bearer' },
        credentials: { token, ca: certs().ca.pem },
      });
      const deployed = await test({ token: '__PWRD__' });
      assert.match(deployed.body.message, /TLS_ERROR/);
      const res = await test({ tlsVerify: false, token: '__PWRD__' });
      assert.strictEqual(res.body.ok, false);
      assert.match(res.body.message, /token: is required/);
      assertNone(received(impostor), { token }, 'a server the deployed settings do not trust');
    } finally {
      await impostor.close();
    }
  });
});

describe('admin routes: a changed TLS configuration, CA or token URL withholds stored secrets', function () {
  let c;
  let api;
  let evil;
  const password = secret('tls-change-password');
  useRuntime();
  before(function () {
    c = certs();
  });
  beforeEach(async function () {
    // The deployed address presents a certificate of the test CA.
    api = await startHttpsServer(undefined, c.server);
    evil = await startServer((req, res) => {
      res.statusCode = 400;
      res.setHeader('Content-Type', 'application/json');
      res.end('{"error":"invalid_grant"}');
    });
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
    await evil.close();
  });

  const test = (body) => helper.request().post('/rest-datasource/ds/test').send(body).expect(200);
  const basic = b64(`owner:${password}`);

  it('another tls-config node: the stored password is not sent, even to the deployed address', async function () {
    await loadQuery({
      ds: { baseUrl: api.url, authType: 'basic', tls: 'tA' },
      credentials: { username: 'owner', password },
      nodes: [coreNode('network/05-tls.js')],
      extra: [
        { id: 'tA', type: 'tls-config', name: 'deployed', cert: '', key: '', ca: '', verifyservercert: true },
        { id: 'tB', type: 'tls-config', name: 'other', cert: '', key: '', ca: '', verifyservercert: true },
      ],
      extraCredentials: { tA: { cadata: c.ca.pem }, tB: { cadata: c.ca.pem } },
    });
    const res = await test({ tls: 'tB', username: 'owner', password: '__PWRD__' });
    assert.ok(res.body.statusCode === 200 || res.body.ok === false, res.body.message);
    assertNone(received(api), { basic, password }, 'the test with another tls-config node');
    // Unchanged, the stored password is used (not vacuous).
    await test({ tls: 'tA', username: 'owner', password: '__PWRD__' });
    assert.strictEqual(api.requests[api.requests.length - 1].headers.authorization, 'Basic ' + basic);
  });

  it('another CA: the stored token is not sent to a server only the new CA trusts', async function () {
    const token = secret('ca-change-token');
    const impostor = await startHttpsServer(undefined, c.otherServer);
    try {
      await loadQuery({ ds: { baseUrl: impostor.url, authType: 'bearer' }, credentials: { token, ca: c.ca.pem } });
      const res = await test({ ca: c.otherCa.pem, token: '__PWRD__' });
      assert.strictEqual(res.body.ok, false);
      assert.match(res.body.message, /token: is required/);
      assertNone(received(impostor), { token }, 'a server only the changed CA trusts');
      // The same CA as deployed keeps the token (the TLS check then fails: not vacuous).
      const same = await test({ ca: c.ca.pem, token: '__PWRD__' });
      assert.match(same.body.message, /TLS_ERROR/);
    } finally {
      await impostor.close();
    }
  });

  it('another token URL: the stored refresh token is not presented there', async function () {
    const refreshToken = secret('stored-refresh-token');
    const tokenServer = await startServer((req, res) => {
      res.statusCode = 400;
      res.setHeader('Content-Type', 'application/json');
      res.end('{"error":"invalid_grant"}');
    });
    // The API refuses the stored access token, so the test tries a refresh.
    const refusing = await startServer((req, res) => {
      res.statusCode = 401;
      res.end();
    });
    try {
      await loadQuery({
        ds: {
          baseUrl: refusing.url,
          authType: 'oauth2',
          oauth2GrantType: 'manual',
          oauth2TokenUrl: tokenServer.url + '/token',
        },
        credentials: { clientId: 'app', clientSecret: 'app-secret-x', accessToken: 'at-stale', refreshToken },
      });
      const unchanged = {
        clientId: 'app',
        clientSecret: '__PWRD__',
        accessToken: '__PWRD__',
        refreshToken: '__PWRD__',
      };
      await test({ ...unchanged, oauth2TokenUrl: evil.url + '/token' });
      assertNone(received(evil), { refreshToken }, 'the changed token URL');
      // With the token URL unchanged the stored refresh token goes to it (not vacuous).
      await test(unchanged);
      assert.ok(received(tokenServer).includes(refreshToken), 'the deployed token URL got no refresh request');
    } finally {
      await tokenServer.close();
      await refusing.close();
    }
  });
});

describe('import: a description fetched with a datasource gets no stored token elsewhere', function () {
  let as;
  let evil;
  useRuntime();
  beforeEach(async function () {
    as = await startOAuthServer({ clients: [{ id: 'app', secret: 'app-secret-42', auth: 'header' }] });
    evil = await startServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ openapi: '3.0.0', info: { title: 'x', version: '1' }, paths: {} }));
    });
  });
  afterEach(async function () {
    await helper.unload();
    await as.close();
    await evil.close();
  });

  it('POST /import/openapi with a dialog pointing the base URL elsewhere does not send the cached token', async function () {
    await deployWithCachedToken(as, { credentials: { clientId: 'app', clientSecret: 'app-secret-42' } });
    const cached = as.issued()[0];
    const importWith = (clientSecret) =>
      helper
        .request()
        .post('/rest-datasource/import/openapi')
        .send({
          url: evil.url + '/openapi.json',
          datasource: { id: 'ds', baseUrl: evil.url, clientId: 'app', clientSecret },
        });
    // The stored client secret is withheld: no token, nothing fetched.
    const refused = await importWith('__PWRD__');
    assert.strictEqual(refused.status, 400);
    assert.strictEqual(evil.requests.length, 0);
    // Typed again, it gets a token of its own; the cached one stays with the deployed base URL.
    const res = await importWith('app-secret-42');
    assert.strictEqual(res.status, 200, res.text);
    assert.strictEqual(evil.requests.length, 1);
    assert.strictEqual(evil.requests[0].headers.authorization, 'Bearer ' + as.issued()[1]);
    assertNone(received(evil), { cached }, 'the changed base URL');
  });
});

describe('admin routes: AWS SigV4 and OAuth 1.0a keys sign nothing for another base URL', function () {
  let good;
  let evil;
  useRuntime();
  beforeEach(async function () {
    good = await startServer();
    evil = await startServer();
  });
  afterEach(async function () {
    await helper.unload();
    await good.close();
    await evil.close();
  });

  const test = (body) => helper.request().post('/rest-datasource/ds/test').send(body).expect(200);

  for (const [type, settings, credentials, withheld] of [
    [
      'awsSigV4',
      { awsRegion: 'eu-west-1', awsService: 'execute-api' },
      { awsAccessKeyId: 'AKIDEXAMPLE', awsSecretAccessKey: secret('aws-secret'), awsSessionToken: secret('aws-st') },
      { awsSecretAccessKey: '__PWRD__', awsSessionToken: '__PWRD__' },
    ],
    [
      'oauth1',
      { oauth1SignatureMethod: 'HMAC-SHA1' },
      {
        oauth1ConsumerKey: 'ck',
        oauth1ConsumerSecret: secret('consumer'),
        oauth1Token: secret('o1-token'),
        oauth1TokenSecret: secret('o1-token-secret'),
      },
      { oauth1ConsumerSecret: '__PWRD__', oauth1Token: '__PWRD__', oauth1TokenSecret: '__PWRD__' },
    ],
  ]) {
    it(`${type}: Test connection with another base URL signs nothing with the stored keys`, async function () {
      await loadQuery({ ds: { baseUrl: good.url, authType: type, ...settings }, credentials });
      // Unchanged destination: the stored keys sign the test request (not vacuous).
      const same = await test({ ...withheld, path: 'me' });
      assert.strictEqual(same.body.ok, true, same.body.message);
      assert.match(good.requests[0].headers.authorization, type === 'awsSigV4' ? /^AWS4-HMAC-SHA256 / : /^OAuth /);
      const res = await test({ baseUrl: evil.url, ...withheld });
      assert.strictEqual(res.body.ok, false);
      assert.match(res.body.message, /CONFIG_ERROR|is required/);
      assert.strictEqual(evil.requests.length, 0);
      assertNone(res.text, credentials.awsSecretAccessKey ? { s: credentials.awsSecretAccessKey } : {}, 'the answer');
    });
  }
});
