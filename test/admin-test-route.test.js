'use strict';
const assert = require('assert');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');
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
});
