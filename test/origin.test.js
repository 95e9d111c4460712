'use strict';
const assert = require('assert');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');

describe('same-origin guard', function () {
  let api;
  let other;
  useRuntime();
  beforeEach(async function () {
    api = await startServer();
    other = await startServer();
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
    await other.close();
  });

  const load = (query = {}) =>
    loadQuery({
      ds: { baseUrl: api.url + '/base', authType: 'bearer' },
      credentials: { token: 'secret-token-1' },
      query,
    });

  it('refuses msg.url on another origin with ORIGIN_REFUSED; that server receives nothing', async function () {
    const ctx = await load();
    const { error } = await ctx.run({ url: other.url + '/steal' });
    assert.strictEqual(error.error.code, 'ORIGIN_REFUSED');
    assert.strictEqual(other.requests.length, 0);
    assert.strictEqual(api.requests.length, 0);
  });

  it('accepts msg.url on the datasource origin and sends the credentials there', async function () {
    const ctx = await load();
    const { msg } = await ctx.run({ url: api.url + '/elsewhere?x=1' });
    assert.strictEqual(msg.statusCode, 200);
    assert.strictEqual(api.requests[0].url, '/elsewhere?x=1');
    assert.strictEqual(api.requests[0].headers.authorization, 'Bearer secret-token-1');
  });

  it('refuses the same host on another scheme or port', async function () {
    const ctx = await load();
    for (const url of [
      api.url.replace('http:', 'https:'),
      `http://localhost:${api.port}/x`,
      'javascript:alert(1)',
      'file:///etc/passwd',
    ]) {
      const { error } = await ctx.run({ url });
      assert.strictEqual(error.error.code, 'ORIGIN_REFUSED', url);
    }
  });

  for (const path of [
    `//127.0.0.1:0/x`,
    '//evil.example/x',
    '../../../x',
    'http://evil.example/x',
    '\\\\evil.example\\x',
    '/%2e%2e/%2e%2e/x',
  ]) {
    it(`keeps the path ${JSON.stringify(path)} on the datasource origin`, async function () {
      const p = path.replace(':0', ':' + other.port);
      const ctx = await load({ path: p });
      const result = await ctx.run({});
      assert.strictEqual(other.requests.length, 0);
      assert.ok(result.msg || result.error);
      if (result.msg) assert.strictEqual(api.requests.length, 1);
    });
  }

  it('placeholder values cannot add segments or change the host', async function () {
    const ctx = await load({ path: 'users/{{id}}' });
    await ctx.run({ id: `//127.0.0.1:${other.port}/x` });
    await ctx.run({ id: '../../admin' });
    assert.strictEqual(other.requests.length, 0);
    assert.strictEqual(api.requests[0].url, `/base/users/%2F%2F127.0.0.1%3A${other.port}%2Fx`);
    assert.strictEqual(api.requests[1].url, '/base/users/..%2F..%2Fadmin');
  });
});
