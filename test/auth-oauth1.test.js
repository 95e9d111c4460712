'use strict';
// OAuth 1.0a through a real rest-query: a test server hands every request it receives to
// oauthlib (Debian's python3-oauthlib, one long-lived process; ResourceEndpoint for requests
// with a token, SignatureOnlyEndpoint for two-legged ones), which validates the signature,
// the client, the token, the realm and the nonce. Covered: every signature method, query and
// form parameters, two-legged requests, a realm, retries and redirects with fresh nonces.
const assert = require('assert');
const crypto = require('crypto');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');
const { secret, MARK } = require('./lib/secrets');
const { skipWithoutPython, startPython } = require('./lib/python');

const METHODS = ['HMAC-SHA1', 'HMAC-SHA256', 'HMAC-SHA512', 'RSA-SHA1', 'RSA-SHA256', 'PLAINTEXT'];

describe('OAuth 1.0a verified by oauthlib', function () {
  if (skipWithoutPython(this, 'oauthlib', 'jwt', 'cryptography')) return;
  const consumerSecret = secret('consumer-secret');
  const tokenSecret = secret('token-secret');
  // oauthlib allows only letters and digits in keys and tokens.
  const token = `tok${MARK}${crypto.randomBytes(8).toString('hex')}`;
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  const nonces = [];
  let verifier;
  let api;
  let verdicts;
  let flaky;

  useRuntime();
  before(function () {
    verifier = startPython('oauth1_verify.py', {
      clients: {
        consumerhmac: { secret: consumerSecret, realm: 'Photos' },
        consumerrsa: { rsaPublicKey: publicKey.export({ type: 'spki', format: 'pem' }) },
        consumertwo: { secret: consumerSecret },
      },
      tokens: { [token]: tokenSecret },
    });
  });
  after(async function () {
    await verifier.close();
    // Across the whole file (retries and redirects included) no nonce was sent twice.
    assert.ok(nonces.length >= 15, `only ${nonces.length} requests`);
    assert.strictEqual(new Set(nonces).size, nonces.length, 'a nonce repeated');
  });
  beforeEach(async function () {
    verdicts = [];
    flaky = 0;
    api = await startServer(async (req, res) => {
      const verdict = await verifier.ask({
        method: req.method,
        url: api.url + req.url,
        headers: req.headers,
        body: req.body.toString('utf8'),
      });
      verdicts.push({ url: req.url, headers: req.headers, ...verdict });
      const nonce = /oauth_nonce="([^"]*)"/.exec(req.headers.authorization || '');
      if (nonce) nonces.push(nonce[1]);
      res.setHeader('Content-Type', 'application/json');
      if (!verdict.ok) {
        res.statusCode = 401;
        return res.end(JSON.stringify(verdict));
      }
      if (req.url.startsWith('/api/hop')) {
        res.writeHead(307, { Location: '/api/landed?x=1%202' });
        return res.end();
      }
      if (req.url.startsWith('/api/flaky') && flaky++ < 2) {
        res.statusCode = 503;
        return res.end('{}');
      }
      res.end(JSON.stringify({ ok: true }));
    });
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
  });

  async function send({ method = 'HMAC-SHA1', client, ds = {}, query = {}, msg = {}, credentials }) {
    const rsa = method.startsWith('RSA');
    const ctx = await loadQuery({
      ds: {
        baseUrl: api.url + '/api',
        authType: 'oauth1',
        oauth1SignatureMethod: method,
        // consumerhmac's realm; the others have none to check
        oauth1Realm: rsa || client ? '' : 'Photos',
        ...ds,
      },
      credentials: credentials || {
        oauth1ConsumerKey: client || (rsa ? 'consumerrsa' : 'consumerhmac'),
        ...(rsa ? { oauth1PrivateKey: privatePem } : { oauth1ConsumerSecret: consumerSecret }),
        oauth1Token: token,
        oauth1TokenSecret: tokenSecret,
      },
      query,
    });
    return ctx.run(msg);
  }

  const allVerified = () => {
    assert.ok(verdicts.length > 0);
    for (const v of verdicts) assert.ok(v.ok, `${v.url}: ${v.reason}`);
  };

  for (const method of METHODS) {
    it(`${method}: GET with reserved, space, UTF-8 and repeated query parameters`, async function () {
      const { msg, error } = await send({
        method,
        ds: { oauth1Realm: method.startsWith('RSA') ? '' : 'Photos' },
        query: { path: "photos/caf%C3%A9 1?raw=a+b&x=!'()*" },
        msg: { params: { size: 'original', 'n m': 'Grüße €', rep: ['2', '1', ''] } },
      });
      assert.ok(!error, error && JSON.stringify(error.error));
      assert.strictEqual(msg.statusCode, 200);
      allVerified();
      assert.strictEqual(verdicts[0].method, method);
      assert.ok(!JSON.stringify(msg).includes(consumerSecret) && !JSON.stringify(msg).includes(tokenSecret));
    });
  }

  it('form body parameters are signed; a JSON body is not a parameter source', async function () {
    let r = await send({
      query: {
        method: 'POST',
        path: 'status',
        bodyType: 'form',
        params: [{ name: 'q', value: 'x', valueType: 'str' }],
      },
      msg: { payload: { status: 'Hello Ladies + Gentlemen, a signed OAuth request!', tag: ['a', 'b'] } },
    });
    assert.ok(r.msg, JSON.stringify(r.error && r.error.error) + JSON.stringify(verdicts));
    assert.strictEqual(r.msg.statusCode, 200);
    await helper.unload();
    r = await send({ method: 'HMAC-SHA256', query: { method: 'PUT', path: 'doc' }, msg: { payload: { a: 'b c' } } });
    assert.strictEqual(r.msg.statusCode, 200);
    allVerified();
  });

  it('two-legged: consumer key and secret only, no oauth_token', async function () {
    const { msg } = await send({
      client: 'consumertwo',
      credentials: { oauth1ConsumerKey: 'consumertwo', oauth1ConsumerSecret: consumerSecret },
      query: { path: 'items' },
      msg: { params: { page: '2' } },
    });
    assert.strictEqual(msg.statusCode, 200);
    allVerified();
    assert.ok(!/oauth_token/.test(verdicts[0].headers.authorization));
  });

  it('the realm is checked: the configured one passes, another is refused', async function () {
    let r = await send({ ds: { oauth1Realm: 'Photos' }, query: { path: 'r' } });
    assert.strictEqual(r.msg.statusCode, 200);
    assert.strictEqual(verdicts[0].realm, 'Photos');
    await helper.unload();
    r = await send({ ds: { oauth1Realm: 'Other' }, query: { path: 'r' } });
    assert.strictEqual(r.error.error.code, 'HTTP_ERROR');
    assert.strictEqual(verdicts[1].ok, false);
  });

  it('each retry and redirect hop carries a fresh nonce and signature', async function () {
    let r = await send({ ds: { retries: 3, retryDelay: 1 }, query: { path: 'flaky' } });
    assert.strictEqual(r.msg.statusCode, 200);
    assert.strictEqual(verdicts.length, 3);
    await helper.unload();
    r = await send({ query: { path: 'hop' } });
    assert.strictEqual(r.msg.statusCode, 200);
    assert.deepStrictEqual(
      verdicts.slice(3).map((v) => v.url),
      ['/api/hop', '/api/landed?x=1%202'],
    );
    allVerified();
    const mine = verdicts.map((v) => v.nonce);
    assert.strictEqual(new Set(mine).size, mine.length);
  });

  it('a wrong token secret is refused by oauthlib (the check is real)', async function () {
    const { error } = await send({
      credentials: {
        oauth1ConsumerKey: 'consumerhmac',
        oauth1ConsumerSecret: consumerSecret,
        oauth1Token: token,
        oauth1TokenSecret: secret('wrong'),
      },
      ds: { oauth1Realm: 'Photos' },
      query: { path: 'x' },
    });
    assert.strictEqual(error.error.code, 'HTTP_ERROR');
    assert.strictEqual(verdicts[0].ok, false);
  });

  it('an RSA method with a key that is not PEM: CONFIG_ERROR naming oauth1PrivateKey, nothing sent', async function () {
    const { error } = await send({
      method: 'RSA-SHA256',
      credentials: { oauth1ConsumerKey: 'consumerrsa', oauth1PrivateKey: `not a key ${secret('pem')}` },
    });
    assert.strictEqual(error.error.code, 'CONFIG_ERROR');
    assert.match(error.error.message, /oauth1PrivateKey: is not a PEM private key/);
    assert.strictEqual(api.requests.length, 0);
  });
});
