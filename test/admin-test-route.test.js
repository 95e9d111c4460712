'use strict';
const assert = require('assert');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer, echo } = require('./lib/server');
const { secret } = require('./lib/secrets');

describe('POST /rest-datasource/:id/test (the editor\'s "Test connection")', function () {
  let api;
  const token = secret('test-route-token');
  useRuntime();
  beforeEach(async function () {
    // Echoes the Authorization header back, as some APIs do in their error pages.
    api = await startServer((req, res) => {
      res.statusCode = req.url === '/health' ? 200 : 404;
      res.setHeader('Content-Type', 'text/plain');
      res.end(`seen ${req.headers.authorization || 'nothing'} at ${req.url}`);
    });
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
  });

  it("uses the dialog's unsaved values and redacts secrets from the answer", async function () {
    await loadQuery({ ds: { baseUrl: 'http://127.0.0.1:1' } });
    const res = await helper
      .request()
      .post('/rest-datasource/ds/test')
      .send({ baseUrl: api.url, authType: 'bearer', token, path: '/health' })
      .expect(200);
    assert.strictEqual(res.body.ok, true);
    assert.strictEqual(res.body.statusCode, 200);
    assert.match(res.body.message, /^HTTP 200: seen Bearer \*\*\* at \/health$/);
    assert.strictEqual(api.requests[0].headers.authorization, 'Bearer ' + token);
    assert.ok(!JSON.stringify(res.body).includes(token));
  });

  it('keeps the deployed password credentials when the editor sends them unchanged', async function () {
    await loadQuery({ ds: { baseUrl: api.url, authType: 'bearer' }, credentials: { token } });
    const res = await helper
      .request()
      .post('/rest-datasource/ds/test')
      .send({ token: '__PWRD__', path: 'health' })
      .expect(200);
    assert.strictEqual(res.body.ok, true);
    assert.strictEqual(api.requests[0].headers.authorization, 'Bearer ' + token);
  });

  it('does not send stored secrets to a base URL on another origin than the deployed one', async function () {
    const other = await startServer();
    try {
      await loadQuery({ ds: { baseUrl: api.url, authType: 'bearer' }, credentials: { token } });
      const res = await helper
        .request()
        .post('/rest-datasource/ds/test')
        .send({ baseUrl: other.url, authType: 'bearer', token: '__PWRD__' })
        .expect(200);
      assert.strictEqual(res.body.ok, false);
      assert.match(res.body.message, /token: is required/);
      assert.strictEqual(other.requests.length, 0);
    } finally {
      await other.close();
    }
  });

  it('reports a non-2xx status and a configuration error without throwing', async function () {
    await loadQuery({ ds: { baseUrl: api.url } });
    let res = await helper.request().post('/rest-datasource/ds/test').send({ path: 'missing' }).expect(200);
    assert.strictEqual(res.body.ok, false);
    assert.strictEqual(res.body.statusCode, 404);
    res = await helper.request().post('/rest-datasource/ds/test').send({ baseUrl: 'ftp://nope' }).expect(200);
    assert.strictEqual(res.body.ok, false);
    assert.match(res.body.message, /CONFIG_ERROR: baseUrl/);
  });

  it('masks secret rows in every form an echo gives them (two spaces, tab, quote, backslash)', async function () {
    const values = {
      'x-spaces': secret('two  spaces'),
      'x-tab': secret('a\ttab'),
      'x-quote': secret('a"quote'),
      'x-backslash': secret('a\\backslash'),
    };
    const echoing = await startServer(echo);
    try {
      await loadQuery({
        ds: {
          baseUrl: echoing.url,
          headers: Object.keys(values).map((name) => ({ name, value: '', secret: true })),
        },
        credentials: {
          secrets: JSON.stringify(Object.fromEntries(Object.entries(values).map(([k, v]) => [`headers:${k}`, v]))),
        },
      });
      const res = await helper.request().post('/rest-datasource/ds/test').send({}).expect(200);
      // The server received every value exactly (so the check below is not vacuous) ...
      for (const [name, value] of Object.entries(values)) assert.strictEqual(echoing.requests[0].headers[name], value);
      // ... and the answer shows none of them, in no form.
      const text = JSON.stringify(res.body);
      assert.match(res.body.message, /"x-tab":"\*\*\*"/);
      for (const value of Object.values(values)) {
        for (const form of [value, JSON.stringify(value).slice(1, -1), value.replace(/\s+/g, ' ')]) {
          assert.ok(!text.includes(form) && !res.body.message.includes(form), `${JSON.stringify(form)} shown`);
        }
      }
    } finally {
      await echoing.close();
    }
  });

  it('shows the user name, masks the password (as runtime errors do)', async function () {
    const password = secret('basic-pw');
    const echoUser = await startServer((req, res) => {
      const [user] = Buffer.from(req.headers.authorization.slice(6), 'base64').toString().split(':');
      res.statusCode = 404;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ user, url: req.url, authorization: req.headers.authorization }));
    });
    try {
      await loadQuery({
        ds: { baseUrl: echoUser.url, authType: 'basic' },
        credentials: { username: 'demo', password },
      });
      const res = await helper.request().post('/rest-datasource/ds/test').send({ path: 'demo/items' }).expect(200);
      assert.strictEqual(res.body.statusCode, 404);
      assert.match(res.body.message, /"user":"demo"/);
      assert.match(res.body.message, /"url":"\/demo\/items"/);
      assert.match(res.body.message, /"authorization":"Basic \*\*\*"/);
      assert.ok(!res.body.message.includes(password));
    } finally {
      await echoUser.close();
    }
  });
});
