'use strict';
// The authorization code flow driven through the admin endpoints, tokens surviving a restart,
// and the callback's one-time state.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startOAuthServer, visitProvider } = require('./lib/oauth-server');

const CALLBACK = '/rest-datasource/oauth/callback';

/** The message the callback page posts to the editor, or undefined. */
function postedMessage(html) {
  const m = /var m=(\{.*?\});/.exec(html);
  return m ? JSON.parse(m[1]) : undefined;
}

describe('oauth2 authorization code flow and admin routes', function () {
  let as;
  let userDir;
  let redirectUri;
  let seen; // every admin response text, to prove no token is in any
  useRuntime();
  beforeEach(async function () {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-ds-oauth-'));
    helper.settings({ userDir, credentialSecret: 'a-test-credential-secret' });
    redirectUri = helper.url() + CALLBACK;
    as = await startOAuthServer({
      clients: [{ id: 'web', secret: 'web-secret-42', auth: 'header', redirectUris: [redirectUri], pkce: true }],
      expectAuthorize: { prompt: 'consent' },
    });
    seen = [];
  });
  afterEach(async function () {
    await helper.unload();
    helper.settings({});
    await as.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  const dsConfig = (extra = {}) => ({
    baseUrl: as.apiUrl,
    authType: 'oauth2',
    oauth2GrantType: 'authorization_code',
    oauth2TokenUrl: as.tokenUrl,
    oauth2AuthUrl: as.authUrl,
    oauth2Scopes: 'read',
    oauth2AuthParams: [{ name: 'prompt', value: 'consent' }],
    ...extra,
  });
  const CREDS = { clientId: 'web', clientSecret: 'web-secret-42' };

  async function start(nodeId, body = {}) {
    const res = await helper
      .request()
      .post(`/rest-datasource/${nodeId}/oauth/start`)
      .send({ redirectUri, ...body });
    seen.push(res.text);
    return res;
  }

  async function callback(pathAndQuery) {
    const res = await helper.request().get(pathAndQuery);
    seen.push(res.text);
    return res;
  }

  async function status(nodeId) {
    const res = await helper.request().get(`/rest-datasource/${nodeId}/oauth/status`);
    seen.push(res.text);
    return res.body;
  }

  /** Start, consent at the provider, and return the callback path the browser would open. */
  async function consent(nodeId, body) {
    const res = await start(nodeId, body);
    assert.strictEqual(res.status, 200, res.text);
    const authorize = new URL(res.body.authorizeUrl);
    const visit = await visitProvider(authorize.toString());
    assert.strictEqual(visit.status, 302, as.state.errors.join('; '));
    const back = new URL(visit.location);
    return { authorize, callbackPath: back.pathname + back.search };
  }

  function assertNoTokenAnywhere() {
    const tokens = as.issued();
    assert.ok(tokens.length > 0);
    const logs = JSON.stringify(helper.log().args);
    for (const t of tokens) {
      for (const text of seen) assert.ok(!text.includes(t), 'a token appeared in an admin response');
      assert.ok(!logs.includes(t), 'a token appeared in the log');
    }
  }

  it('authorizes through start and callback, and the running datasource uses the token at once', async function () {
    const ctx = await loadQuery({ ds: dsConfig(), query: { path: 'me' }, credentials: CREDS });
    let r = await ctx.run({});
    assert.strictEqual(r.error.error.code, 'TOKEN_ERROR');
    assert.match(r.error.error.message, /not authorized yet.*Authorize/);
    assert.deepStrictEqual(await status('ds'), { authorized: false, expiresAt: null, scope: null });

    const { authorize, callbackPath } = await consent('ds');
    const p = authorize.searchParams;
    assert.strictEqual(p.get('client_id'), 'web');
    assert.strictEqual(p.get('redirect_uri'), redirectUri);
    assert.strictEqual(p.get('scope'), 'read');
    assert.strictEqual(p.get('code_challenge_method'), 'S256');
    assert.match(p.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
    assert.ok(p.get('state').length >= 32);

    const page = await callback(callbackPath);
    assert.strictEqual(page.status, 200);
    assert.strictEqual(page.headers['cache-control'], 'no-store');
    const message = postedMessage(page.text);
    assert.strictEqual(message.source, 'rest-datasource');
    assert.strictEqual(message.nodeId, 'ds');
    assert.strictEqual(message.ok, true);
    assert.strictEqual(message.scope, 'read');
    assert.ok(Date.parse(message.expiresAt) > Date.now());
    assert.match(page.text, /window\.opener\.postMessage\(m,location\.origin\)/);
    assert.match(page.text, /window\.close\(\)/);

    r = await ctx.run({});
    assert.ifError(r.error && r.error.error.message);
    assert.deepStrictEqual(r.msg.payload, { ok: true, path: '/api/me' });
    const st = await status('ds');
    assert.strictEqual(st.authorized, true);
    assert.strictEqual(st.scope, 'read');
    assert.deepStrictEqual(Object.keys(st).sort(), ['authorized', 'expiresAt', 'scope']);

    // an expired access token is refreshed with the refresh token of the code exchange
    as.revokeAccess();
    r = await ctx.run({});
    assert.ifError(r.error && r.error.error.message);
    assert.deepStrictEqual(as.state.grants, ['authorization_code', 'refresh_token']);

    // the code exchange carried the PKCE verifier (the server checked it against the challenge)
    const exchange = new URLSearchParams(as.requests.find((x) => x.url === '/token').body.toString());
    assert.strictEqual(exchange.get('grant_type'), 'authorization_code');
    assert.strictEqual(exchange.get('redirect_uri'), redirectUri);
    assert.match(exchange.get('code_verifier'), /^[A-Za-z0-9_-]{43}$/);
    assertNoTokenAnywhere();
  });

  it('survives a restart without new consent; changed OAuth settings discard the stored token', async function () {
    let ctx = await loadQuery({ ds: dsConfig(), credentials: CREDS });
    const { callbackPath } = await consent('ds');
    await callback(callbackPath);
    assert.strictEqual((await ctx.run({})).msg.statusCode, 200);
    const tokenRequests = as.tokenRequests();
    const authorizeRequests = as.requests.filter((x) => x.url.startsWith('/authorize')).length;

    // the file in the user directory holds no token in clear text
    const file = path.join(userDir, 'rest-datasource-tokens.json');
    const stored = fs.readFileSync(file, 'utf8');
    for (const t of as.issued()) assert.ok(!stored.includes(t));

    // restart: unload the runtime's flows and load them again from the same user directory
    await helper.unload();
    ctx = await loadQuery({ ds: dsConfig(), credentials: CREDS });
    const r = await ctx.run({});
    assert.ifError(r.error && r.error.error.message);
    assert.strictEqual(r.msg.statusCode, 200);
    assert.strictEqual(as.tokenRequests(), tokenRequests, 'the persisted token is used');
    assert.strictEqual(as.requests.filter((x) => x.url.startsWith('/authorize')).length, authorizeRequests);

    // a redeploy with other OAuth settings does not reuse it
    await helper.unload();
    ctx = await loadQuery({ ds: dsConfig({ oauth2Scopes: 'read write' }), credentials: CREDS });
    const again = await ctx.run({});
    assert.strictEqual(again.error.error.code, 'TOKEN_ERROR');
  });

  it("tokens from Authorize with unsaved settings are there after the editor's next Deploy", async function () {
    await loadQuery({ ds: dsConfig(), credentials: CREDS });
    const { callbackPath } = await consent('ds', { oauth2Scopes: 'read write' });
    assert.strictEqual((await callback(callbackPath)).status, 200);
    assert.strictEqual(as.tokenRequests(), 1);
    // Deploy: the node restarts with the settings the dialog had when Authorize was pressed
    await helper.unload();
    const ctx = await loadQuery({ ds: dsConfig({ oauth2Scopes: 'read write' }), credentials: CREDS });
    const r = await ctx.run({});
    assert.ifError(r.error && r.error.error.message);
    assert.strictEqual(r.msg.statusCode, 200);
    assert.strictEqual(as.tokenRequests(), 1, 'no new token request, no new consent');
    assert.strictEqual((await status('ds')).scope, 'read write');
  });

  it('a stored token is useless under another credential secret', async function () {
    let ctx = await loadQuery({ ds: dsConfig(), credentials: CREDS });
    const { callbackPath } = await consent('ds');
    await callback(callbackPath);
    assert.strictEqual((await ctx.run({})).msg.statusCode, 200);
    await helper.unload();
    helper.settings({ userDir, credentialSecret: 'another-secret' });
    ctx = await loadQuery({ ds: dsConfig(), credentials: CREDS });
    assert.strictEqual((await ctx.run({})).error.error.code, 'TOKEN_ERROR');
  });

  it('authorizes with the editor values sent to start, for a node that is not deployed yet', async function () {
    await loadQuery({ ds: dsConfig(), credentials: CREDS });
    const body = {
      name: 'new one',
      ...dsConfig({ oauth2Scopes: 'read' }),
      clientId: 'web',
      clientSecret: 'web-secret-42',
    };
    const { callbackPath } = await consent('ds2', body);
    const page = await callback(callbackPath);
    const message = postedMessage(page.text);
    assert.deepStrictEqual([message.nodeId, message.ok], ['ds2', true]);
    // the state was bound to ds2: the deployed ds is not authorized by it
    assert.strictEqual((await status('ds2')).authorized, true);
    assert.strictEqual((await status('ds')).authorized, false);
    assertNoTokenAnywhere();
  });

  it('rejects missing, forged, reused and expired states and a provider error, with no token in any page', async function () {
    const ctx = await loadQuery({ ds: dsConfig(), credentials: CREDS });

    let page = await callback(`${CALLBACK}?code=abc`);
    assert.strictEqual(page.status, 400);
    assert.strictEqual(postedMessage(page.text), undefined);

    page = await callback(`${CALLBACK}?code=abc&state=forged-state-value`);
    assert.strictEqual(page.status, 400);
    assert.match(page.text, /unknown or was already used/);

    // reused: the first use succeeds, the second is refused
    const first = await consent('ds');
    assert.strictEqual((await callback(first.callbackPath)).status, 200);
    page = await callback(first.callbackPath);
    assert.strictEqual(page.status, 400);
    assert.match(page.text, /unknown or was already used/);

    // expired: the callback arrives more than 10 minutes after start
    const late = await consent('ds');
    const realNow = Date.now;
    Date.now = () => realNow() + 10 * 60 * 1000 + 1000;
    try {
      page = await callback(late.callbackPath);
    } finally {
      Date.now = realNow;
    }
    assert.strictEqual(page.status, 400);
    assert.match(page.text, /expired/);

    // the provider says no
    as.state.denyConsent = true;
    const denied = await consent('ds');
    page = await callback(denied.callbackPath);
    assert.strictEqual(page.status, 400);
    assert.match(page.text, /access_denied/);
    const msg = postedMessage(page.text);
    assert.deepStrictEqual([msg.source, msg.nodeId, msg.ok], ['rest-datasource', 'ds', false]);
    assert.match(msg.error, /access_denied/);

    // only the one good exchange reached the token endpoint
    assert.strictEqual(as.tokenRequests(), 1);
    assert.strictEqual((await ctx.run({})).msg.statusCode, 200);
    assertNoTokenAnywhere();
  });

  it('start refuses a redirect URI that is not the callback and a grant that is not authorization_code', async function () {
    await loadQuery({ ds: dsConfig(), credentials: CREDS });
    let res = await start('ds', { redirectUri: 'https://evil.example/steal' });
    assert.strictEqual(res.status, 400);
    assert.match(res.body.error, /redirectUri/);
    res = await start('ds', { oauth2GrantType: 'client_credentials' });
    assert.strictEqual(res.status, 400);
    assert.match(res.body.error, /oauth2GrantType/);
    res = await start('ds', { clientSecret: 'typed-in-secret', oauth2AuthUrl: 'not a url' });
    assert.strictEqual(res.status, 400);
    assert.match(res.body.error, /oauth2AuthUrl/);
    assert.ok(!res.text.includes('typed-in-secret'));
  });

  it('without PKCE (oauth2Pkce false) sends no challenge and no verifier', async function () {
    await as.close();
    as = await startOAuthServer({
      clients: [{ id: 'web', secret: 'web-secret-42', auth: 'header', redirectUris: [redirectUri], pkce: false }],
    });
    const ctx = await loadQuery({ ds: dsConfig({ oauth2Pkce: false, oauth2AuthParams: [] }), credentials: CREDS });
    const { authorize, callbackPath } = await consent('ds');
    assert.strictEqual(authorize.searchParams.get('code_challenge'), null);
    assert.strictEqual((await callback(callbackPath)).status, 200);
    assert.strictEqual((await ctx.run({})).msg.statusCode, 200);
  });
});
