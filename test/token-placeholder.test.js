'use strict';
// {{$token}} placeholders: replaced on the wire with the current access token, only in values
// written in the datasource or the query node, and never visible in the flow or a msg.
const assert = require('assert');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');
const { Datasource } = require('../dist/lib/datasource');
const { parseSettings } = require('../dist/lib/settings');
const { buildPlan } = require('../dist/lib/http/plan');

const TOKEN = 'tok_9f8e7d6c5b4a-bearer-secret';
const row = (name, value, valueType = 'str') => ({ name, value, valueType });

describe('{{$token}} placeholders', function () {
  let api;
  useRuntime();
  beforeEach(async function () {
    // Not an echo server: what the API answers must not be what proves the point.
    api = await startServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end('{"ok":true}');
    });
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
  });

  it('fills the token into datasource and query headers, params, cookies and body fields', async function () {
    const ctx = await loadQuery({
      ds: {
        baseUrl: api.url,
        authType: 'bearer',
        headers: [{ name: 'X-Access-Token', value: '{{$token}}' }],
        params: [{ name: 'access_token', value: '{{$token}}' }],
        cookies: [{ name: 'at', value: '{{$token}}' }],
        body: [{ name: 'auth', value: 'Token {{$token}}' }],
      },
      credentials: { token: TOKEN },
      query: {
        method: 'POST',
        path: 'things',
        bodyType: 'form',
        headers: [row('X-Query-Token', 'v1:{{$token}}')],
        params: [row('t2', '{{$token}}')],
      },
    });
    const { msg } = await ctx.run({ payload: { name: 'x' } });
    const seen = api.requests[0];
    assert.strictEqual(seen.headers['x-access-token'], TOKEN);
    assert.strictEqual(seen.headers['x-query-token'], 'v1:' + TOKEN);
    assert.strictEqual(seen.headers.cookie, 'at=' + TOKEN);
    const q = new URL(seen.url, api.url).searchParams;
    assert.strictEqual(q.get('access_token'), TOKEN);
    assert.strictEqual(q.get('t2'), TOKEN);
    assert.deepStrictEqual(Object.fromEntries(new URLSearchParams(seen.body.toString())), {
      auth: 'Token ' + TOKEN,
      name: 'x',
    });
    // The output msg shows where the token went, never the token.
    assert.strictEqual(msg.statusCode, 200);
    assert.ok(!JSON.stringify(msg).includes(TOKEN), JSON.stringify(msg));
    assert.ok(msg.responseUrl.includes(encodeURIComponent('{{$token}}')), msg.responseUrl);
  });

  it('keeps the token out of the deployed flow', async function () {
    await loadQuery({
      ds: { baseUrl: api.url, authType: 'bearer', headers: [{ name: 'X-Access-Token', value: '{{$token}}' }] },
      credentials: { token: TOKEN },
    });
    // What the runtime holds as the deployed flow (what an export or GET /flows shows).
    const text = JSON.stringify(helper._redNodes.getFlows());
    assert.ok(text.includes('{{$token}}'));
    assert.ok(!text.includes(TOKEN));
  });

  it('sends a {{$token}} that comes from the msg or from a msg-typed row as plain text', async function () {
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, authType: 'bearer' },
      credentials: { token: TOKEN },
      query: { method: 'POST', path: 'search', bodyType: 'json', params: [row('q', 'term', 'msg')] },
    });
    await ctx.run({
      term: '{{$token}}',
      headers: { 'X-Echo': '{{$token}}' },
      params: { comment: '{{$token}}' },
      payload: { note: '{{$token}}' },
    });
    const seen = api.requests[0];
    assert.strictEqual(seen.headers['x-echo'], '{{$token}}');
    const q = new URL(seen.url, api.url).searchParams;
    assert.strictEqual(q.get('q'), '{{$token}}');
    assert.strictEqual(q.get('comment'), '{{$token}}');
    assert.deepStrictEqual(JSON.parse(seen.body), { note: '{{$token}}' });
    // The Authorization header itself is the only place the token went.
    assert.strictEqual(seen.headers.authorization, 'Bearer ' + TOKEN);
  });

  it('is a configuration error on a datasource whose authentication has no token', async function () {
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, authType: 'none', headers: [{ name: 'X-Access-Token', value: '{{$token}}' }] },
    });
    const { error } = await ctx.run({});
    assert.strictEqual(error.error.code, 'CONFIG_ERROR');
    assert.match(error.error.message, /\{\{\$token\}\}.*OAuth 2\.0 or Bearer/);
    assert.strictEqual(api.requests.length, 0);
  });

  it('does not carry a token header to another origin a redirect points to', async function () {
    const redirecting = await startServer((req, res) => {
      res.writeHead(302, { Location: api.url + '/landing' });
      res.end();
    });
    try {
      const ctx = await loadQuery({
        ds: {
          baseUrl: redirecting.url,
          authType: 'bearer',
          headers: [{ name: 'X-Access-Token', value: '{{$token}}' }],
        },
        credentials: { token: TOKEN },
      });
      const { msg } = await ctx.run({});
      assert.strictEqual(msg.statusCode, 200);
      assert.strictEqual(redirecting.requests[0].headers['x-access-token'], TOKEN);
      assert.strictEqual(api.requests[0].headers['x-access-token'], undefined);
      assert.ok(!JSON.stringify(api.requests[0].headers).includes('token:'));
    } finally {
      await redirecting.close();
    }
  });

  it('uses the refreshed token when the API rejects the old one and the scheme renews it', async function () {
    // The OAuth 2.0 scheme plugs in through this hook; a small scheme whose token changes
    // after a 401 stands in for it here.
    let current = 'first-token-value';
    const scheme = {
      sensitiveHeaders: [],
      sensitiveParams: [],
      apply() {},
      currentToken: () => Promise.resolve(current),
      shouldRetry(req, res) {
        if (res.statusCode !== 401) return false;
        current = 'second-token-value';
        return true;
      },
    };
    const server = await startServer((req, res) => {
      res.statusCode = req.headers['x-access-token'] === 'second-token-value' ? 200 : 401;
      res.end();
    });
    const settings = parseSettings({
      baseUrl: server.url,
      authType: 'oauth2',
      headers: [{ name: 'X-Access-Token', value: '{{$token}}' }],
    });
    const ds = new Datasource(settings, { oauth2: () => scheme });
    try {
      const plan = buildPlan(
        ds.defaults,
        { method: 'GET', path: 'x', headers: {}, params: {}, cookies: {}, bodyType: 'none', responseType: 'auto' },
        {},
        () => undefined,
      );
      const result = await ds.send(plan);
      assert.strictEqual(result.statusCode, 200);
      assert.deepStrictEqual(
        server.requests.map((r) => r.headers['x-access-token']),
        ['first-token-value', 'second-token-value'],
      );
    } finally {
      ds.close();
      await server.close();
    }
  });
});
