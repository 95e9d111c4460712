'use strict';
// Ids from outside (admin route parameters) are looked up in Maps or null-prototype objects:
// `__proto__`, `constructor` or `toString` is an unknown id like any other, never a crash, a
// stack trace or a write to a shared prototype.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startOAuthServer, deployWithCachedToken } = require('./lib/oauth-server');
const { startServer } = require('./lib/server');

const PROTO_IDS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];

describe('prototype-named ids on the admin routes', function () {
  let as;
  let userDir;
  useRuntime();
  beforeEach(async function () {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-ds-proto-'));
    helper.settings({ userDir, credentialSecret: 'a-test-credential-secret' });
    as = await startOAuthServer({ clients: [{ id: 'app', secret: 'app-secret-42', auth: 'header' }] });
  });
  afterEach(async function () {
    await helper.unload();
    helper.settings({});
    await as.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  /** A deployed OAuth datasource that has stored a token, so the vault file exists. */
  async function withStoredToken() {
    const ctx = await deployWithCachedToken(as, { credentials: { clientId: 'app', clientSecret: 'app-secret-42' } });
    assert.ok(fs.existsSync(path.join(userDir, 'rest-datasource-tokens.json')), 'no token file was written');
    return ctx;
  }

  it('GET /:id/oauth/status answers 404 for prototype names and other unknown ids', async function () {
    await withStoredToken();
    for (const id of [...PROTO_IDS, 'no-such-node']) {
      const res = await helper.request().get(`/rest-datasource/${id}/oauth/status`);
      assert.strictEqual(res.status, 404, `${id}: ${res.status} ${res.text.slice(0, 200)}`);
      assert.doesNotMatch(res.text, /at .*\.js:\d+/, 'a stack trace');
    }
    const known = await helper.request().get('/rest-datasource/ds/oauth/status').expect(200);
    assert.strictEqual(known.body.authorized, true);
  });

  it('POST /:id/test and /:id/oauth/start treat prototype names as new, undeployed datasources', async function () {
    await withStoredToken();
    for (const id of PROTO_IDS) {
      const test = await helper.request().post(`/rest-datasource/${id}/test`).send({ baseUrl: as.apiUrl, path: 'x' });
      assert.strictEqual(test.status, 200, `${id}: ${test.text.slice(0, 200)}`);
      assert.strictEqual(test.body.statusCode, 401, id);
      const start = await helper
        .request()
        .post(`/rest-datasource/${id}/oauth/start`)
        .send({
          baseUrl: as.apiUrl,
          oauth2GrantType: 'authorization_code',
          oauth2TokenUrl: as.tokenUrl,
          oauth2AuthUrl: as.authUrl,
          clientId: 'app',
          redirectUri: helper.url() + '/rest-datasource/oauth/callback',
        });
      assert.strictEqual(start.status, 200, `${id}: ${start.text.slice(0, 200)}`);
      assert.match(start.body.authorizeUrl, /state=/);
    }
    // Nothing leaked onto shared prototypes, and the stored token of `ds` is intact.
    assert.strictEqual({}.authorized, undefined);
    assert.strictEqual(Object.prototype.ds, undefined);
    const known = await helper.request().get('/rest-datasource/ds/oauth/status').expect(200);
    assert.strictEqual(known.body.authorized, true);
  });

  it('the token vault keeps tokens of prototype-named node ids as data, across a restart', function () {
    const { TokenVault } = require('../dist/lib/oauth/vault');
    const open = () => new TokenVault({ dir: userDir, secret: () => 'a-test-credential-secret' });
    const vault = open();
    for (const id of PROTO_IDS) vault.save(id, 'fp', { accessToken: `token-of-${id}` });
    const again = open();
    for (const id of PROTO_IDS) {
      assert.strictEqual(again.load(id, 'fp')?.accessToken, `token-of-${id}`, id);
      assert.strictEqual(again.latest(id)?.accessToken, `token-of-${id}`, id);
    }
    assert.strictEqual(again.latest('ds'), undefined);
    again.remove('__proto__');
    assert.strictEqual(open().load('__proto__', 'fp'), undefined);
    assert.strictEqual(open().load('constructor', 'fp')?.accessToken, 'token-of-constructor');
  });
});

describe('prototype names from servers and rows are plain keys', function () {
  let api;
  useRuntime();
  beforeEach(async function () {
    api = await startServer((req, res) => {
      res.setHeader('Set-Cookie', ['__proto__=p1; Path=/; __proto__', 'constructor=c1', 'toString=t1']);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ url: req.url, body: req.body.toString() }));
    });
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
  });

  it("a server's cookie names become own keys of msg.responseCookies", async function () {
    const ctx = await loadQuery({ ds: { baseUrl: api.url } });
    const { msg } = await ctx.run({});
    const cookies = msg.responseCookies;
    assert.strictEqual(Object.getPrototypeOf(cookies), Object.prototype);
    assert.deepStrictEqual(Object.keys(cookies), ['__proto__', 'constructor', 'toString']);
    assert.strictEqual(Object.getOwnPropertyDescriptor(cookies, '__proto__').value.value, 'p1');
    assert.strictEqual(cookies.constructor.value, 'c1');
  });

  it('datasource body rows and query param rows named like prototype members are sent', async function () {
    const ctx = await loadQuery({
      ds: {
        baseUrl: api.url,
        body: [
          { name: '__proto__', value: 'b1' },
          { name: 'constructor', value: 'b2' },
        ],
      },
      query: {
        method: 'POST',
        bodyType: 'json',
        params: [
          { name: '__proto__', value: 'q1', valueType: 'str' },
          { name: 'toString', value: 'id', valueType: 'msg' },
        ],
      },
    });
    const { msg } = await ctx.run({ id: 'q2' });
    assert.strictEqual(msg.statusCode, 200);
    assert.strictEqual(api.requests[0].url, '/?__proto__=q1&toString=q2');
    const body = JSON.parse(api.requests[0].body.toString());
    assert.deepStrictEqual(Object.keys(body), ['__proto__', 'constructor']);
  });
});
