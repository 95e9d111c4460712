'use strict';
// Signed requests: the JWT each request carries is checked on the server by jose, an
// implementation independent of ours.
const assert = require('assert');
const crypto = require('crypto');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');

const SECRET = 'a-shared-secret-of-more-than-32-characters!';

function sha256url(text) {
  return crypto.createHash('sha256').update(text, 'utf8').digest('base64url');
}

describe('signed requests', function () {
  let jose;
  let api;
  before(async function () {
    jose = await import('jose');
  });
  useRuntime();
  beforeEach(async function () {
    api = await startServer((req, res) => {
      if (req.url.startsWith('/hop')) {
        res.writeHead(302, { Location: '/landed?x=1' });
        return res.end();
      }
      res.setHeader('Content-Type', 'application/json');
      res.end('{"ok":true}');
    });
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
  });

  const key = new TextEncoder().encode(SECRET);
  const verify = (token, options) => jose.jwtVerify(token, key, { algorithms: ['HS256'], ...options });

  it('sends an HS256 JWT that binds the token to the method and URL of the request', async function () {
    const ctx = await loadQuery({
      ds: { baseUrl: api.url + '/v1', signatureEnabled: true },
      credentials: { signatureKey: SECRET },
      query: { method: 'POST', path: 'orders', params: [{ name: 'q', value: 'a b', valueType: 'str' }] },
    });
    const { msg } = await ctx.run({ payload: { qty: 1 } });
    assert.strictEqual(msg.statusCode, 200);
    const seen = api.requests[0];
    const { payload, protectedHeader } = await verify(seen.headers['x-signature'], { issuer: 'node-red' });
    assert.strictEqual(protectedHeader.alg, 'HS256');
    assert.strictEqual(payload.exp - payload.iat, 600);
    assert.match(payload.jti, /^[0-9a-f-]{36}$/);
    assert.strictEqual(payload.method, 'POST');
    // The receiver rebuilds the URL from what it received: origin + request target.
    assert.strictEqual(payload.url_sha256, sha256url(api.url + seen.url));
    assert.strictEqual(seen.url, '/v1/orders?q=a%20b');
    // A verifier with another secret refuses it: the check above is a real one.
    await assert.rejects(
      jose.jwtVerify(seen.headers['x-signature'], new TextEncoder().encode('x'.repeat(40)), { algorithms: ['HS256'] }),
      { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' },
    );
    // The secret never reaches the flow's message.
    assert.ok(!JSON.stringify(msg).includes(SECRET));
  });

  it('is accepted by a receiver that verifies it with jose, and refused when the secrets differ', async function () {
    const receiver = await startServer(async (req, res) => {
      try {
        const { payload } = await verify(req.headers['x-signature'], { issuer: 'node-red', maxTokenAge: '10m' });
        const bound = payload.method === req.method && payload.url_sha256 === sha256url(receiver.url + req.url);
        res.statusCode = bound ? 200 : 403;
      } catch {
        res.statusCode = 401;
      }
      res.end();
    });
    try {
      const run = async (signatureKey) => {
        const ctx = await loadQuery({
          ds: { baseUrl: receiver.url, signatureEnabled: true },
          credentials: { signatureKey },
          query: { method: 'DELETE', path: 'items/7', failOnHttpError: false },
        });
        const { msg } = await ctx.run({});
        await helper.unload();
        return msg.statusCode;
      };
      assert.strictEqual(await run(SECRET), 200);
      assert.strictEqual(await run('another-secret-that-is-long-enough-too!!'), 401);
    } finally {
      await receiver.close();
    }
  });

  it('makes a fresh token for every request, with the configured header name and issuer', async function () {
    const ctx = await loadQuery({
      ds: {
        baseUrl: api.url,
        signatureEnabled: true,
        signatureHeader: 'X-Appsmith-Signature',
        signatureIssuer: 'my-flows',
        signatureBindRequest: false,
      },
      credentials: { signatureKey: SECRET },
      query: { path: 'ping' },
    });
    await ctx.run({});
    await ctx.run({});
    const claims = [];
    for (const r of api.requests) {
      assert.strictEqual(r.headers['x-signature'], undefined);
      claims.push((await verify(r.headers['x-appsmith-signature'], { issuer: 'my-flows' })).payload);
    }
    assert.notStrictEqual(claims[0].jti, claims[1].jti);
    assert.deepStrictEqual(Object.keys(claims[0]).sort(), ['exp', 'iat', 'iss', 'jti']);
  });

  it('re-signs each redirect hop on the datasource origin for the URL of that hop', async function () {
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, signatureEnabled: true },
      credentials: { signatureKey: SECRET },
      query: { path: 'hop' },
    });
    const { msg } = await ctx.run({});
    assert.strictEqual(msg.responseUrl, api.url + '/landed?x=1');
    const [first, second] = api.requests;
    const a = (await verify(first.headers['x-signature'])).payload;
    const b = (await verify(second.headers['x-signature'])).payload;
    assert.strictEqual(a.url_sha256, sha256url(api.url + '/hop'));
    assert.strictEqual(b.url_sha256, sha256url(api.url + '/landed?x=1'));
    assert.notStrictEqual(a.jti, b.jti);
  });

  it('does not send the signature to another origin a redirect points to', async function () {
    const other = await startServer();
    try {
      const redirecting = await startServer((req, res) => {
        res.writeHead(307, { Location: other.url + '/elsewhere' });
        res.end();
      });
      try {
        const ctx = await loadQuery({
          ds: { baseUrl: redirecting.url, signatureEnabled: true },
          credentials: { signatureKey: SECRET },
        });
        const { msg } = await ctx.run({});
        assert.strictEqual(msg.statusCode, 200);
        assert.ok(redirecting.requests[0].headers['x-signature']);
        assert.strictEqual(other.requests.length, 1);
        assert.strictEqual(other.requests[0].headers['x-signature'], undefined);
      } finally {
        await redirecting.close();
      }
    } finally {
      await other.close();
    }
  });

  it('refuses a secret shorter than 32 characters as a configuration error, without echoing it', async function () {
    const short = 'only-twenty-chars-xx';
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, signatureEnabled: true },
      credentials: { signatureKey: short },
    });
    const { error } = await ctx.run({});
    assert.strictEqual(error.error.code, 'CONFIG_ERROR');
    assert.match(error.error.message, /signatureKey/);
    assert.match(error.error.message, /32/);
    assert.ok(!error.error.message.includes(short));
    assert.strictEqual(api.requests.length, 0);
  });

  it('refuses a signature header name that is not a valid header name', async function () {
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, signatureEnabled: true, signatureHeader: 'X Bad Header' },
      credentials: { signatureKey: SECRET },
    });
    const { error } = await ctx.run({});
    assert.strictEqual(error.error.code, 'CONFIG_ERROR');
    assert.match(error.error.message, /signatureHeader/);
  });
});
