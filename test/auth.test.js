'use strict';
const assert = require('assert');
const crypto = require('crypto');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');
const { secret } = require('./lib/secrets');

const PASSWORD = secret('basic-password');
const TOKEN = secret('bearer');
const API_KEY = secret('api-key');
const DIGEST_PASSWORD = secret('digest-pass') + ':x';

/** A server-side Digest implementation, independent of the client's, that checks every field. */
function digestServer({ username, password, realm = 'api', algorithm = 'MD5' }) {
  const nonces = new Set();
  const H = (s) =>
    crypto
      .createHash(algorithm.startsWith('SHA-256') ? 'sha256' : 'md5')
      .update(s)
      .digest('hex');
  const challenges = { count: 0 };
  const handler = (req, res) => {
    const auth = req.headers.authorization || '';
    const fields = {};
    for (const m of auth.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) fields[m[1]] = m[2] ?? m[3];
    if (auth.startsWith('Digest ') && nonces.has(fields.nonce)) {
      const ha1 = H(`${username}:${realm}:${password}`);
      const ha2 = H(`${req.method}:${fields.uri}`);
      const expected = H(`${ha1}:${fields.nonce}:${fields.nc}:${fields.cnonce}:auth:${ha2}`);
      if (
        fields.response === expected &&
        fields.uri === req.url &&
        fields.username === username &&
        fields.qop === 'auth'
      ) {
        res.setHeader('Content-Type', 'application/json');
        return res.end(JSON.stringify({ ok: true, nc: fields.nc }));
      }
    }
    const nonce = crypto.randomBytes(8).toString('hex');
    nonces.add(nonce);
    challenges.count++;
    res.statusCode = 401;
    res.setHeader(
      'WWW-Authenticate',
      `Digest realm="${realm}", qop="auth", algorithm=${algorithm}, nonce="${nonce}", opaque="xyz"`,
    );
    res.end('unauthorized');
  };
  return { handler, challenges };
}

describe('authentication', function () {
  let api;
  useRuntime();
  afterEach(async function () {
    await helper.unload();
    if (api) await api.close();
    api = undefined;
  });

  it('Basic: sends the credentials the server checks', async function () {
    const expected = 'Basic ' + Buffer.from('alice:' + PASSWORD).toString('base64');
    api = await startServer((req, res) => {
      res.statusCode = req.headers.authorization === expected ? 200 : 401;
      res.end(res.statusCode === 200 ? 'welcome' : 'no');
    });
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, authType: 'basic' },
      credentials: { username: 'alice', password: PASSWORD },
    });
    const { msg } = await ctx.run({});
    assert.strictEqual(msg.statusCode, 200);
    assert.strictEqual(msg.payload, 'welcome');
  });

  it('Bearer: sends Authorization: Bearer <token>', async function () {
    api = await startServer();
    const ctx = await loadQuery({ ds: { baseUrl: api.url, authType: 'bearer' }, credentials: { token: TOKEN } });
    await ctx.run({});
    assert.strictEqual(api.requests[0].headers.authorization, 'Bearer ' + TOKEN);
  });

  it('API key in a header, with a custom name and prefix', async function () {
    api = await startServer();
    const ctx = await loadQuery({
      ds: {
        baseUrl: api.url,
        authType: 'apiKey',
        apiKeyName: 'X-Custom-Key',
        apiKeyIn: 'header',
        apiKeyPrefix: 'Token',
      },
      credentials: { apiKey: API_KEY },
    });
    await ctx.run({});
    assert.strictEqual(api.requests[0].headers['x-custom-key'], 'Token ' + API_KEY);
  });

  it('API key in the query string', async function () {
    api = await startServer();
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, authType: 'apiKey', apiKeyName: 'api_key', apiKeyIn: 'query' },
      credentials: { apiKey: API_KEY + ' with space&more' },
      query: { path: 'search?q=x' },
    });
    await ctx.run({});
    const url = new URL(api.requests[0].url, 'http://x');
    assert.strictEqual(url.searchParams.get('q'), 'x');
    assert.strictEqual(url.searchParams.get('api_key'), API_KEY + ' with space&more');
  });

  for (const algorithm of ['MD5', 'SHA-256']) {
    it(`Digest ${algorithm}: answers a real challenge, then reuses the nonce without a new round-trip`, async function () {
      const digest = digestServer({ username: 'bob', password: DIGEST_PASSWORD, algorithm });
      api = await startServer(digest.handler);
      const ctx = await loadQuery({
        ds: { baseUrl: api.url, authType: 'digest' },
        credentials: { username: 'bob', password: DIGEST_PASSWORD },
        query: { path: 'data/{{id}}', params: [{ name: 'v', value: '1', valueType: 'str' }] },
      });
      const first = await ctx.run({ id: 1 });
      assert.strictEqual(first.msg.statusCode, 200);
      assert.deepStrictEqual(first.msg.payload, { ok: true, nc: '00000001' });
      const second = await ctx.run({ id: 2 });
      assert.strictEqual(second.msg.statusCode, 200);
      assert.deepStrictEqual(second.msg.payload, { ok: true, nc: '00000002' });
      assert.strictEqual(digest.challenges.count, 1);
      assert.strictEqual(api.requests.length, 3);
    });
  }

  it('Digest with a wrong password ends in one HTTP_ERROR, not a loop', async function () {
    const digest = digestServer({ username: 'bob', password: 'right' });
    api = await startServer(digest.handler);
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, authType: 'digest' },
      credentials: { username: 'bob', password: 'wrong' },
    });
    const { error } = await ctx.run({});
    assert.strictEqual(error.error.code, 'HTTP_ERROR');
    assert.strictEqual(error.statusCode, 401);
    assert.strictEqual(api.requests.length, 2);
  });

  it('does not override an Authorization header the msg sets explicitly', async function () {
    api = await startServer();
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, authType: 'bearer' },
      credentials: { token: TOKEN },
    });
    await ctx.run({ headers: { Authorization: 'Bearer per-message' } });
    assert.strictEqual(api.requests[0].headers.authorization, 'Bearer per-message');
  });

  it('reports a missing credential as a CONFIG_ERROR naming the field', async function () {
    api = await startServer();
    const ctx = await loadQuery({ ds: { baseUrl: api.url, authType: 'basic' } });
    const { error } = await ctx.run({});
    assert.strictEqual(error.error.code, 'CONFIG_ERROR');
    assert.match(error.error.message, /username/);
    assert.strictEqual(api.requests.length, 0);
  });
});
