'use strict';
// Token lifecycle: single-flight refresh under load, one refresh and one retry on a rejected
// token, rotated refresh tokens, and a dead grant reported as TOKEN_ERROR.
const assert = require('assert');
const { helper, loadQuery, collect, useRuntime } = require('./lib/nr');
const { startOAuthServer } = require('./lib/oauth-server');

const CLIENT = { id: 'app', secret: 'app-secret-123', auth: 'header', redirectUris: [] };
const CREDS = { clientId: 'app', clientSecret: 'app-secret-123' };

function waitFor(count, bag) {
  return new Promise((resolve) => {
    const check = () => {
      if (bag.outputs.length + bag.errors.length >= count) return resolve();
      setImmediate(check);
    };
    check();
  });
}

describe('oauth2 token lifecycle', function () {
  let as;
  useRuntime();
  beforeEach(async function () {
    as = await startOAuthServer({ clients: [CLIENT], users: { bob: 'bob-password' } });
  });
  afterEach(async function () {
    await helper.unload();
    await as.close();
  });

  const ds = (extra = {}) => ({
    baseUrl: as.apiUrl,
    authType: 'oauth2',
    oauth2GrantType: 'client_credentials',
    oauth2TokenUrl: as.tokenUrl,
    ...extra,
  });

  it('200 concurrent queries at an expired token cause exactly one token request and 200 successes', async function () {
    as.state.expiresIn = 0; // the first token is expired as soon as it arrives
    const ctx = await loadQuery({ ds: ds(), credentials: CREDS });
    const first = await ctx.run({});
    assert.strictEqual(first.msg.statusCode, 200);
    assert.strictEqual(as.tokenRequests(), 1);
    as.state.expiresIn = 3600;
    const bag = collect(ctx);
    for (let i = 0; i < 200; i++) ctx.q.receive({ i });
    await waitFor(200, bag);
    assert.strictEqual(bag.errors.length, 0);
    assert.strictEqual(bag.outputs.length, 200);
    assert.ok(bag.outputs.every((m) => m.statusCode === 200));
    assert.strictEqual(as.tokenRequests(), 2, 'exactly one token request for all 200 queries');
    const fresh = as.issued()[1];
    assert.ok(as.state.apiAuth.slice(1).every((a) => a.header === 'Bearer ' + fresh));
  });

  it('a 401 from the API triggers one refresh and one retry', async function () {
    const ctx = await loadQuery({ ds: ds(), credentials: CREDS });
    await ctx.run({});
    as.revokeAccess();
    const { msg, error } = await ctx.run({});
    assert.ifError(error && error.error.message);
    assert.strictEqual(msg.statusCode, 200);
    assert.strictEqual(as.tokenRequests(), 2);
    assert.strictEqual(as.apiRequests(), 3);
  });

  it('a second 401 after the refresh is an HTTP_ERROR, not a loop', async function () {
    const ctx = await loadQuery({ ds: ds(), credentials: CREDS });
    as.state.rejectAllApi = true;
    const { error } = await ctx.run({});
    assert.strictEqual(error.error.code, 'HTTP_ERROR');
    assert.match(error.error.message, /HTTP 401/);
    assert.strictEqual(as.tokenRequests(), 2, 'the first token, and one refresh');
    assert.strictEqual(as.apiRequests(), 2, 'the request, and one retry');
  });

  it('oauth2ExpiredStatus decides which statuses mean "token rejected"', async function () {
    const ctx = await loadQuery({ ds: ds({ oauth2ExpiredStatus: '403' }), credentials: CREDS });
    await ctx.run({});
    as.revokeAccess();
    const { error } = await ctx.run({});
    assert.match(error.error.message, /HTTP 401/, '401 is not in the list: no refresh');
    assert.strictEqual(as.tokenRequests(), 1);
  });

  it('uses rotated refresh tokens, and keeps the old one when a refresh answer has none', async function () {
    const ctx = await loadQuery({
      ds: ds({ oauth2GrantType: 'password' }),
      credentials: { ...CREDS, username: 'bob', password: 'bob-password' },
    });
    const refreshesSent = () =>
      as.requests
        .filter((r) => r.url === '/token')
        .map((r) => new URLSearchParams(r.body.toString()))
        .filter((p) => p.get('grant_type') === 'refresh_token')
        .map((p) => p.get('refresh_token'));
    await ctx.run({});
    const rt1 = as.issued()[1];
    as.revokeAccess();
    await ctx.run({}); // refresh with rt1; the server rotates to rt2 and forgets rt1
    const rt2 = as.issued()[3];
    as.revokeAccess();
    let r = await ctx.run({}); // must use rt2: rt1 would be invalid_grant
    assert.ifError(r.error && r.error.error.message);
    assert.deepStrictEqual(refreshesSent(), [rt1, rt2]);
    const rt3 = as.issued()[5];
    as.state.omitRefreshOnRefresh = true;
    as.revokeAccess();
    r = await ctx.run({}); // refresh with rt3; the answer has no refresh_token
    assert.ifError(r.error && r.error.error.message);
    as.revokeAccess();
    r = await ctx.run({}); // rt3 is kept and used again
    assert.ifError(r.error && r.error.error.message);
    assert.deepStrictEqual(refreshesSent(), [rt1, rt2, rt3, rt3]);
    // One password grant, at the start; every later token came from a refresh.
    assert.deepStrictEqual(as.state.grants, [
      'password',
      'refresh_token',
      'refresh_token',
      'refresh_token',
      'refresh_token',
    ]);
  });

  it('a refused refresh token makes the password grant start over', async function () {
    const ctx = await loadQuery({
      ds: ds({ oauth2GrantType: 'password' }),
      credentials: { ...CREDS, username: 'bob', password: 'bob-password' },
    });
    await ctx.run({});
    as.revokeAccess();
    as.revokeRefresh();
    const { msg } = await ctx.run({});
    assert.strictEqual(msg.statusCode, 200);
    assert.deepStrictEqual(as.state.grants, ['password', 'refresh_token', 'password']);
  });

  it('a dead grant (invalid_grant) fails with TOKEN_ERROR telling to re-authorize, without further token requests', async function () {
    as.state.access.add('pasted-at-000');
    as.state.refresh.set('pasted-rt-000', { clientId: 'app' });
    const ctx = await loadQuery({
      ds: ds({ oauth2GrantType: 'manual' }),
      credentials: { ...CREDS, accessToken: 'pasted-at-000', refreshToken: 'pasted-rt-000' },
    });
    const statuses = [];
    ctx.q.on('call:status', (call) => statuses.push(call.args[0]));
    assert.strictEqual((await ctx.run({})).msg.statusCode, 200);
    as.revokeAccess();
    as.revokeRefresh();
    let { error } = await ctx.run({});
    assert.strictEqual(error.error.code, 'TOKEN_ERROR');
    assert.match(error.error.message, /invalid_grant/);
    assert.match(error.error.message, /Authentication tab.*Authorize/);
    assert.ok(!error.error.message.includes('pasted-rt-000'));
    const tokenRequests = as.tokenRequests();
    ({ error } = await ctx.run({}));
    assert.strictEqual(error.error.code, 'TOKEN_ERROR');
    assert.strictEqual(as.tokenRequests(), tokenRequests, 'no new token request for a dead grant');
    const last = statuses[statuses.length - 1];
    assert.strictEqual(last.fill, 'red');
    // the test runtime shows message keys; the catalog says what a user reads
    assert.strictEqual(last.text, 'rest-query.status.tokenError');
    const catalog = require('../locales/en-US/rest-query.json');
    assert.match(catalog['rest-query'].status.tokenError, /TOKEN_ERROR.*re-authorize/);
  });

  it('{{$token}} placeholders get the current token', async function () {
    const ctx = await loadQuery({
      ds: ds({ headers: [{ name: 'X-Token', value: 'T {{$token}}' }] }),
      credentials: CREDS,
    });
    const { msg } = await ctx.run({});
    assert.strictEqual(msg.statusCode, 200);
    const seen = as.requests.find((r) => r.url.startsWith('/api')).headers['x-token'];
    assert.strictEqual(seen, 'T ' + as.issued()[0]);
  });
});
