'use strict';
// AWS Signature Version 4 through a real rest-query: a test server hands every request it
// receives (method, URL, headers, body bytes) to botocore (Debian's python3-botocore, one
// long-lived process), which recomputes the signature as an AWS service would and answers
// 200 or 403. Covered: reserved, unreserved, space, UTF-8 and repeated query keys; JSON and form
// bodies; a session token; s3 and non-s3 paths with spaces and UTF-8; a retry, a redirect hop
// and pages, each signed anew.
const assert = require('assert');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');
const { secret } = require('./lib/secrets');
const { skipWithoutPython, startPython } = require('./lib/python');

const ACCESS_KEY = 'AKIDEXAMPLE0NODERED';

describe('AWS SigV4 verified by botocore', function () {
  if (skipWithoutPython(this, 'botocore')) return;
  const secretKey = secret('aws-secret');
  const sessionToken = secret('aws-session');
  const verifiers = {};
  let api;
  let verdicts;
  let service;
  let flaky;

  useRuntime();
  before(function () {
    const base = { accessKeyId: ACCESS_KEY, secretAccessKey: secretKey, region: 'eu-west-1' };
    verifiers['execute-api'] = startPython('sigv4_verify.py', { ...base, service: 'execute-api' });
    verifiers.s3 = startPython('sigv4_verify.py', { ...base, service: 's3' });
    verifiers.session = startPython('sigv4_verify.py', { ...base, service: 'execute-api', sessionToken });
  });
  after(async function () {
    await Promise.all(Object.values(verifiers).map((v) => v.close()));
  });
  beforeEach(async function () {
    verdicts = [];
    flaky = 0;
    api = await startServer(async (req, res) => {
      const verdict = await verifiers[service].ask({
        method: req.method,
        url: api.url + req.url,
        headers: req.headers,
        body: req.body.toString('base64'),
      });
      verdicts.push({ url: req.url, headers: req.headers, ...verdict });
      res.setHeader('Content-Type', 'application/json');
      if (!verdict.ok) {
        res.statusCode = 403;
        return res.end(JSON.stringify({ message: 'The request signature we calculated does not match', ...verdict }));
      }
      if (req.url.startsWith('/stage/hop')) {
        res.writeHead(302, { Location: '/stage/landed?after=hop%201' });
        return res.end();
      }
      if (req.url.startsWith('/stage/flaky') && flaky++ === 0) {
        res.statusCode = 503;
        return res.end('{}');
      }
      if (req.url.startsWith('/stage/login')) res.setHeader('Set-Cookie', 'sid=s1; Path=/');
      const page = /[?&]page=(\d)/.exec(req.url);
      if (req.url.startsWith('/stage/pages') && (!page || page[1] !== '3')) {
        const next = page ? Number(page[1]) + 1 : 2;
        res.setHeader('Link', `</stage/pages?page=${next}&q=a%20b>; rel="next"`);
      }
      res.end(JSON.stringify({ items: [req.url], canonical: verdict.canonical }));
    });
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
  });

  async function send({ svc = 'execute-api', ds = {}, query = {}, msg = {}, credentials = {} }) {
    service = svc;
    const ctx = await loadQuery({
      ds: {
        baseUrl: api.url + '/stage',
        authType: 'awsSigV4',
        awsRegion: 'eu-west-1',
        awsService: svc === 'session' ? 'execute-api' : svc,
        ...ds,
      },
      credentials: { awsAccessKeyId: ACCESS_KEY, awsSecretAccessKey: secretKey, ...credentials },
      query,
    });
    return ctx.run(msg);
  }

  const allVerified = () => {
    assert.ok(verdicts.length > 0);
    for (const v of verdicts) assert.ok(v.ok, `${v.url}: ${v.reason}\n${v.canonical || ''}`);
  };

  it('GET with unreserved, reserved, space, UTF-8, repeated and empty query values', async function () {
    const { msg, error } = await send({
      query: {
        path: 'items?raw=a+b&tilde=%7E',
        params: [
          { name: 'unreserved', value: '-._~AZaz09', valueType: 'str' },
          { name: 'reserved', value: "!*'();:@&=+$,/?#[]", valueType: 'str' },
        ],
      },
      msg: { params: { 'sp ace': 'a b', utf8: 'Grüße €😀', rep: ['z', 'a', ''], empty: '' } },
    });
    assert.ok(!error, error && JSON.stringify(error.error));
    assert.strictEqual(msg.statusCode, 200);
    allVerified();
    const seen = verdicts[0];
    assert.match(seen.headers.authorization, /SignedHeaders=host;x-amz-content-sha256;x-amz-date,/);
    // The canonical query: names sorted, repeated keys by value, empty values kept.
    const cq = seen.canonical.split('\n')[2];
    assert.strictEqual(
      cq,
      'empty=&raw=a%20b&rep=&rep=a&rep=z&reserved=%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D&' +
        'sp%20ace=a%20b&tilde=~&unreserved=-._~AZaz09&utf8=Gr%C3%BC%C3%9Fe%20%E2%82%AC%F0%9F%98%80',
    );
    assert.ok(!JSON.stringify(msg).includes(secretKey));
  });

  it('POST JSON and form bodies: the payload hash covers the exact bytes, content-type signed', async function () {
    let r = await send({ query: { method: 'POST', path: 'orders' }, msg: { payload: { qty: 1, name: 'Grüße' } } });
    assert.strictEqual(r.msg.statusCode, 200);
    assert.match(verdicts[0].headers.authorization, /SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date,/);
    await helper.unload();
    r = await send({
      query: { method: 'POST', path: 'form', bodyType: 'form' },
      msg: { payload: { a: 'x y', b: ['1', '2'], c: 'ü&=' } },
    });
    assert.strictEqual(r.msg.statusCode, 200);
    allVerified();
  });

  it('a session token is sent as X-Amz-Security-Token and signed', async function () {
    const { msg } = await send({
      svc: 'session',
      query: { path: 'me' },
      credentials: { awsSessionToken: sessionToken },
    });
    assert.strictEqual(msg.statusCode, 200);
    allVerified();
    assert.strictEqual(verdicts[0].headers['x-amz-security-token'], sessionToken);
    assert.match(verdicts[0].signedHeaders, /;x-amz-security-token$/);
  });

  it('non-s3 path with spaces and UTF-8 is double-encoded; s3 keys are encoded once', async function () {
    let r = await send({ query: { path: 'files/{{name}}/caf%C3%A9 menu' }, msg: { name: 'my file ü (1).txt' } });
    assert.strictEqual(r.msg.statusCode, 200, JSON.stringify(verdicts));
    assert.match(verdicts[0].canonical.split('\n')[1], /%2520/);
    await helper.unload();
    r = await send({ svc: 's3', query: { path: 'bucket/{{key}}' }, msg: { key: 'photos/ü 2024 (1)!.jpg' } });
    assert.strictEqual(r.msg.statusCode, 200, JSON.stringify(verdicts));
    allVerified();
    // S3: the key's slash stays encoded inside its segment, "(", ")" and "!" are encoded on the wire too.
    assert.strictEqual(verdicts[1].url, '/stage/bucket/photos%2F%C3%BC%202024%20%281%29%21.jpg');
  });

  it('signs each retry, redirect hop and page anew', async function () {
    let r = await send({ ds: { retries: 2, retryDelay: 1 }, query: { path: 'flaky' } });
    assert.strictEqual(r.msg.statusCode, 200);
    assert.strictEqual(verdicts.length, 2);
    await helper.unload();
    r = await send({ query: { path: 'hop' } });
    assert.strictEqual(r.msg.statusCode, 200);
    assert.deepStrictEqual(
      verdicts.slice(2).map((v) => v.url),
      ['/stage/hop', '/stage/landed?after=hop%201'],
    );
    await helper.unload();
    r = await send({ query: { path: 'pages', paginate: 'link', pageOutput: 'all' } });
    assert.strictEqual(r.msg.statusCode, 200);
    assert.strictEqual(r.msg.payload.length, 3);
    allVerified();
  });

  it('signs the jar cookie and the HS256 signature header too (they are final before signing)', async function () {
    service = 'execute-api';
    const ctx = await loadQuery({
      ds: {
        baseUrl: api.url + '/stage',
        authType: 'awsSigV4',
        awsRegion: 'eu-west-1',
        awsService: 'execute-api',
        cookieJar: true,
        signatureEnabled: true,
      },
      credentials: {
        awsAccessKeyId: ACCESS_KEY,
        awsSecretAccessKey: secretKey,
        signatureKey: 'a-shared-secret-of-more-than-32-characters!',
      },
      query: { path: 'login' },
    });
    assert.strictEqual((await ctx.run({})).msg.statusCode, 200);
    assert.strictEqual((await ctx.run({})).msg.statusCode, 200);
    allVerified();
    assert.strictEqual(verdicts[1].headers.cookie, 'sid=s1');
    assert.match(verdicts[1].signedHeaders, /^cookie;host;x-amz-content-sha256;x-amz-date;x-signature$/);
  });

  it('an Authorization header set by the msg is sent as it is, unsigned', async function () {
    const { error } = await send({ query: { path: 'mine' }, msg: { headers: { Authorization: 'Bearer mine' } } });
    assert.strictEqual(error.error.code, 'HTTP_ERROR');
    assert.strictEqual(verdicts[0].headers.authorization, 'Bearer mine');
    assert.strictEqual(verdicts[0].headers['x-amz-date'], undefined);
  });

  it('a wrong secret is refused by the verifier (the check is real)', async function () {
    const { error } = await send({ query: { path: 'x' }, credentials: { awsSecretAccessKey: secret('wrong') } });
    assert.strictEqual(error.error.code, 'HTTP_ERROR');
    assert.strictEqual(verdicts[0].ok, false);
    assert.match(verdicts[0].reason, /signature mismatch/);
  });

  it('missing region or key: CONFIG_ERROR naming the field', async function () {
    service = 'execute-api';
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, authType: 'awsSigV4', awsService: 'execute-api' },
      credentials: { awsAccessKeyId: ACCESS_KEY, awsSecretAccessKey: secretKey },
    });
    const { error } = await ctx.run({});
    assert.strictEqual(error.error.code, 'CONFIG_ERROR');
    assert.match(error.error.message, /awsRegion: is required/);
    assert.strictEqual(api.requests.length, 0);
  });
});
