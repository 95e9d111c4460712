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

  // What reached the API for each path (never the other server, never above /base).
  for (const [path, reached] of [
    ['//127.0.0.1:OTHER/x', '/base/127.0.0.1:OTHER/x'],
    ['http://127.0.0.1:OTHER/x', '/base/http://127.0.0.1:OTHER/x'],
    ['\\\\127.0.0.1:OTHER\\x', '/base///127.0.0.1:OTHER/x'],
    ['a/../b', '/base/b'],
    ['../../../x', null],
    ['../base2/x', null],
    ['/%2e%2e/%2e%2e/x', null],
    ['x/%2E%2e/../../y', null],
  ]) {
    it(`keeps the path ${JSON.stringify(path)} on the datasource origin, under the base path`, async function () {
      const p = path.replace('OTHER', other.port);
      const ctx = await load({ path: p });
      const result = await ctx.run({});
      assert.strictEqual(other.requests.length, 0, 'the other server was reached');
      if (reached) {
        assert.ifError(result.error && result.error.error.message);
        assert.deepStrictEqual(
          api.requests.map((r) => r.url),
          [reached.replace('OTHER', other.port)],
        );
      } else {
        assert.deepStrictEqual(
          api.requests.map((r) => r.url),
          [],
          'a path above the base path was requested',
        );
        assert.strictEqual(result.error.error.code, 'CONFIG_ERROR');
        assert.match(result.error.error.message, /path: .* leaves the base path \/base/);
      }
    });
  }

  it('msg.path and a relative msg.url stay under the base path too', async function () {
    const ctx = await load();
    for (const msg of [{ path: '../admin' }, { url: '../admin' }, { path: '%2e%2e/admin' }]) {
      const { error } = await ctx.run(msg);
      assert.strictEqual(error && error.error.code, 'CONFIG_ERROR', JSON.stringify(msg));
    }
    const { msg } = await ctx.run({ path: 'ok/./here' });
    assert.strictEqual(msg.statusCode, 200);
    assert.deepStrictEqual(
      api.requests.map((r) => r.url),
      ['/base/ok/here'],
    );
  });

  it('placeholder values cannot add segments or change the host', async function () {
    const ctx = await load({ path: 'users/{{id}}' });
    await ctx.run({ id: `//127.0.0.1:${other.port}/x` });
    await ctx.run({ id: '../../admin' });
    await ctx.run({ id: '%2e%2e' });
    assert.strictEqual(other.requests.length, 0);
    assert.deepStrictEqual(
      api.requests.map((r) => r.url),
      [`/base/users/%2F%2F127.0.0.1%3A${other.port}%2Fx`, '/base/users/..%2F..%2Fadmin', '/base/users/%252e%252e'],
    );
  });

  it('a placeholder named like a prototype member has no value unless the msg sets it', async function () {
    const ctx = await load({ path: 'users/{{constructor}}/{{toString}}' });
    const { error } = await ctx.run({});
    assert.strictEqual(error.error.code, 'CONFIG_ERROR');
    assert.match(error.error.message, /placeholder \{\{constructor\}\} has no value/);
    const { msg } = await ctx.run({ constructor: 'c', toString: 't' });
    assert.strictEqual(msg.statusCode, 200);
    assert.deepStrictEqual(
      api.requests.map((r) => r.url),
      ['/base/users/c/t'],
    );
  });

  it('a placeholder value is one segment: ".", ".." and "" are refused, never resolved', async function () {
    const ctx = await loadQuery({
      ds: { baseUrl: api.url + '/v1/tenants/42', authType: 'bearer' },
      credentials: { token: 'secret-token-1' },
      query: { method: 'msg', path: 'items/{{id}}/detail' },
    });
    for (const id of ['..', '.', '']) {
      const { error } = await ctx.run({ id, method: 'DELETE' });
      assert.ok(error, `id ${JSON.stringify(id)} was sent`);
      assert.strictEqual(error.error.code, 'CONFIG_ERROR');
      assert.match(error.error.message, /placeholder \{\{id\}\} .*one path segment/);
    }
    // Dots inside a segment, or two placeholders that only together make "..".
    const { msg } = await ctx.run({ id: '..x' });
    assert.strictEqual(msg.statusCode, 200);
    assert.deepStrictEqual(
      api.requests.map((r) => r.url),
      ['/v1/tenants/42/items/..x/detail'],
    );
    await helper.unload();
    const two = await loadQuery({ ds: { baseUrl: api.url + '/v1' }, query: { path: 'a/{{x}}{{y}}/b?q={{x}}' } });
    const { error } = await two.run({ x: '.', y: '.' });
    assert.strictEqual(error && error.error.code, 'CONFIG_ERROR');
    // In the query string a dot is plain text.
    const ok = await two.run({ x: '.', y: 'z' });
    assert.strictEqual(ok.msg.statusCode, 200);
    assert.strictEqual(api.requests[1].url, '/v1/a/.z/b?q=.');
  });
});
