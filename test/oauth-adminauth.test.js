'use strict';
// A real Node-RED runtime (child process) with adminAuth: start and status need an editor
// token, the callback stays public, and tokens land encrypted in the runtime's user directory.
const assert = require('assert');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { startOAuthServer } = require('./lib/oauth-server');
const runner = require('../scripts/lib/node-red-runner');

const runtime = process.env.NODE_RED_RUNTIME || 'node-red';
// The runtime's own bcrypt, to write a password hash its adminAuth accepts.
const bcrypt = require(
  require.resolve('bcryptjs', { paths: [path.dirname(require.resolve(`${runtime}/package.json`))] }),
);

function request(base, method, pathname, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = http.request(new URL(pathname, base), { method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** An editor token for this user, as the Authorization header the editor sends. */
async function editorToken(base, username, password, scope) {
  const res = await request(base, 'POST', '/auth/token', {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `client_id=node-red-admin&grant_type=password&scope=${scope}&username=${username}&password=${password}`,
  });
  assert.strictEqual(res.status, 200, res.text);
  return { Authorization: 'Bearer ' + JSON.parse(res.text).access_token };
}

describe('admin routes under adminAuth (real runtime)', function () {
  this.timeout(30000);
  let nr;
  let base;
  let userDir;
  let as;

  before(async function () {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-ds-adminauth-'));
    const port = await runner.freePort();
    fs.writeFileSync(
      path.join(userDir, 'settings.js'),
      `module.exports = ${JSON.stringify({
        uiHost: '127.0.0.1',
        uiPort: port,
        flowFile: 'flows.json',
        credentialSecret: 'runtime-credential-secret',
        adminAuth: {
          type: 'credentials',
          users: [
            { username: 'admin', password: bcrypt.hashSync('admin-pw', 4), permissions: '*' },
            { username: 'viewer', password: bcrypt.hashSync('viewer-pw', 4), permissions: 'read' },
          ],
        },
        editorTheme: { tours: false },
      })};`,
    );
    runner.linkPackage(userDir);
    // /auth/login is public under adminAuth: it answers once the runtime is up.
    nr = await runner.startNodeRed({ runtime, userDir, port, readyPath: 'auth/login' });
    base = nr.url.replace(/\/$/, '');
  });
  const login = (username, password, scope = '*') => editorToken(base, username, password, scope);

  after(async function () {
    if (nr) await nr.stop();
    if (as) await as.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it("the shared store's Test route needs an editor token (rest-datasource.write)", async function () {
    const json = { 'Content-Type': 'application/json' };
    const body = { url: `redis://127.0.0.1:${await runner.freePort()}` };
    let res = await request(base, 'POST', '/rest-shared-store/s1/test', { headers: json, body });
    assert.strictEqual(res.status, 401);
    res = await request(base, 'POST', '/rest-shared-store/s1/test', {
      headers: { ...json, ...(await login('admin', 'admin-pw')) },
      body,
    });
    assert.strictEqual(res.status, 200, res.text);
    assert.strictEqual(JSON.parse(res.text).ok, false, 'nothing listens there');
  });

  it('Test connection needs an editor token with write permission: none and read-only get 401, nothing is sent', async function () {
    const { startServer } = require('./lib/server');
    const api = await startServer();
    try {
      const json = { 'Content-Type': 'application/json' };
      const body = { baseUrl: api.url, path: 'probe' };
      const route = '/rest-datasource/not-deployed/test';
      let res = await request(base, 'POST', route, { headers: json, body });
      assert.strictEqual(res.status, 401, res.text);
      res = await request(base, 'POST', route, {
        headers: { ...json, ...(await login('viewer', 'viewer-pw', 'read')) },
        body,
      });
      // Node-RED answers 401 for a token without the permission, too
      assert.ok([401, 403].includes(res.status), `${res.status} ${res.text}`);
      assert.strictEqual(api.requests.length, 0, 'a request went out without write permission');
      res = await request(base, 'POST', route, { headers: { ...json, ...(await login('admin', 'admin-pw')) }, body });
      assert.strictEqual(res.status, 200, res.text);
      assert.strictEqual(JSON.parse(res.text).ok, true, res.text);
      assert.strictEqual(api.requests.length, 1);
    } finally {
      await api.close();
    }
  });

  it('start and status refuse requests without a valid editor token; the callback is public', async function () {
    const redirectUri = base + '/rest-datasource/oauth/callback';
    as = await startOAuthServer({
      clients: [{ id: 'web', secret: 'web-secret-42', auth: 'header', redirectUris: [redirectUri], pkce: true }],
    });
    const editorValues = {
      baseUrl: as.apiUrl,
      authType: 'oauth2',
      oauth2GrantType: 'authorization_code',
      oauth2TokenUrl: as.tokenUrl,
      oauth2AuthUrl: as.authUrl,
      clientId: 'web',
      clientSecret: 'web-secret-42',
      redirectUri,
    };
    const json = { 'Content-Type': 'application/json' };
    let res = await request(base, 'POST', '/rest-datasource/ds1/oauth/start', { headers: json, body: editorValues });
    assert.strictEqual(res.status, 401);
    res = await request(base, 'GET', '/rest-datasource/ds1/oauth/status');
    assert.strictEqual(res.status, 401);
    res = await request(base, 'GET', '/rest-datasource/ds1/oauth/status', {
      headers: { Authorization: 'Bearer forged' },
    });
    assert.strictEqual(res.status, 401);

    const editor = await login('admin', 'admin-pw');

    // ds1 is neither deployed nor authorized yet: an unknown id (the editor shows nothing then).
    res = await request(base, 'GET', '/rest-datasource/ds1/oauth/status', { headers: editor });
    assert.strictEqual(res.status, 404);

    res = await request(base, 'POST', '/rest-datasource/ds1/oauth/start', {
      headers: { ...json, ...editor },
      body: editorValues,
    });
    assert.strictEqual(res.status, 200, res.text);
    const visit = await request(JSON.parse(res.text).authorizeUrl, 'GET', JSON.parse(res.text).authorizeUrl);
    assert.strictEqual(visit.status, 302);
    const back = new URL(visit.headers.location);
    // the provider's redirect carries no editor token: the callback must still work
    res = await request(base, 'GET', back.pathname + back.search);
    assert.strictEqual(res.status, 200, res.text);
    assert.match(res.text, /"ok":true/);

    res = await request(base, 'GET', '/rest-datasource/ds1/oauth/status', { headers: editor });
    assert.strictEqual(JSON.parse(res.text).authorized, true);

    // persisted in the runtime's user directory, encrypted with its credential secret
    const stored = fs.readFileSync(path.join(userDir, 'rest-datasource-tokens.json'), 'utf8');
    assert.ok(JSON.parse(stored).ds1);
    for (const t of as.issued()) assert.ok(!stored.includes(t));
  });

  it('the import routes need rest-datasource.write: refused without a token and for a read-only user', async function () {
    const json = { 'Content-Type': 'application/json' };
    const curl = { command: 'curl https://api.example.com/v1/items' };
    const spec = { text: '{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {}}' };
    const viewer = await login('viewer', 'viewer-pw', 'read');
    const admin = await login('admin', 'admin-pw');
    // the viewer's token is valid: it may read (404: no such datasource, rather than 401)
    assert.strictEqual(
      (await request(base, 'GET', '/rest-datasource/no-such-node/oauth/status', { headers: viewer })).status,
      404,
    );
    for (const [route, body] of [
      ['/rest-datasource/import/curl', curl],
      ['/rest-datasource/import/openapi', spec],
    ]) {
      let res = await request(base, 'POST', route, { headers: json, body });
      assert.strictEqual(res.status, 401, route);
      // Node-RED answers 401 for a token without the permission, too
      res = await request(base, 'POST', route, { headers: { ...json, ...viewer }, body });
      assert.strictEqual(res.status, 401, route);
      res = await request(base, 'POST', route, { headers: { ...json, ...admin }, body });
      assert.strictEqual(res.status, 200, res.text);
    }
    // a raw upload is refused before its body is read
    const res = await request(base, 'POST', '/rest-datasource/import/openapi', {
      headers: { 'Content-Type': 'text/plain' },
      body: spec.text,
    });
    assert.strictEqual(res.status, 401);
  });
});
