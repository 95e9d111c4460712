'use strict';
// "Test connection" after the dialog changed the destination: the route withholds the stored
// secrets and says which, so the dialog can ask for them again instead of "token missing".
const assert = require('assert');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');
const { secret } = require('./lib/secrets');

describe('POST /rest-datasource/:id/test names the secrets it withheld', function () {
  let api;
  let other;
  const token = secret('withheld-token');
  useRuntime();
  beforeEach(async function () {
    api = await startServer();
    other = await startServer();
  });
  afterEach(async function () {
    await helper.unload();
    await Promise.all([api.close(), other.close()]);
  });

  const test = (body) => helper.request().post('/rest-datasource/ds/test').send(body).expect(200);

  it('another base URL origin: the stored token is withheld and named, never sent', async function () {
    await loadQuery({ ds: { baseUrl: api.url, authType: 'bearer' }, credentials: { token } });
    const res = await test({ baseUrl: other.url, authType: 'bearer', token: '__PWRD__' });
    assert.strictEqual(res.body.ok, false);
    assert.deepStrictEqual(res.body.withheld, ['token']);
    assert.deepStrictEqual(res.body.changed, { network: true, tokenUrl: false, authUrl: false });
    assert.strictEqual(other.requests.length, 0);
    assert.ok(!JSON.stringify(res.body).includes(token));
  });

  it('the same destination, or a secret typed again: nothing withheld, nothing said', async function () {
    await loadQuery({ ds: { baseUrl: api.url, authType: 'bearer' }, credentials: { token } });
    let res = await test({ baseUrl: api.url, authType: 'bearer', token: '__PWRD__' });
    assert.strictEqual(res.body.withheld, undefined);
    res = await test({ baseUrl: other.url, authType: 'bearer', token });
    assert.strictEqual(res.body.ok, true, res.body.message);
    assert.strictEqual(res.body.withheld, undefined);
  });
});
