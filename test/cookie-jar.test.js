'use strict';
// The per-datasource cookie jar: login-then-call APIs, precedence of configured cookies,
// cleared on redeploy, never crossing to another origin.
const assert = require('assert');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');

function cookiesOf(request) {
  const header = request.headers.cookie;
  if (!header) return {};
  const out = {};
  for (const pair of header.split('; ')) {
    const [name, value] = pair.split('=');
    assert.ok(!(name in out), `cookie ${name} sent twice: ${header}`);
    out[name] = value;
  }
  return out;
}

describe('cookie jar', function () {
  let api;
  let other;
  useRuntime();
  beforeEach(async function () {
    other = await startServer((req, res) => {
      res.setHeader('Set-Cookie', 'foreign=1; Path=/');
      res.setHeader('Content-Type', 'text/plain');
      res.end('other');
    });
    api = await startServer((req, res) => {
      switch (req.url) {
        case '/login':
          res.setHeader('Set-Cookie', ['sid=s3ss10n; Path=/; HttpOnly', 'theme=dark; Path=/prefs']);
          return res.end('welcome');
        case '/login-redirect':
          res.writeHead(302, { Location: '/home', 'Set-Cookie': 'sid=from-redirect; Path=/' });
          return res.end();
        case '/logout':
          res.setHeader('Set-Cookie', 'sid=; Path=/; Max-Age=0');
          return res.end('bye');
        case '/away':
          res.writeHead(302, { Location: other.url + '/landing' });
          return res.end();
        default:
          return res.end('ok');
      }
    });
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
    await other.close();
  });

  const load = (ds = {}) =>
    loadQuery({ ds: { baseUrl: api.url, cookieJar: true, ...ds }, query: { method: 'msg', path: '' } });

  it('sends back the cookies a login set, by path, and forgets deleted ones', async function () {
    const ctx = await load();
    await ctx.run({ method: 'POST', path: 'login' });
    await ctx.run({ path: 'me' });
    await ctx.run({ path: 'prefs/colors' });
    await ctx.run({ path: 'logout' });
    await ctx.run({ path: 'me' });
    assert.deepStrictEqual(cookiesOf(api.requests[0]), {});
    assert.deepStrictEqual(cookiesOf(api.requests[1]), { sid: 's3ss10n' });
    assert.deepStrictEqual(cookiesOf(api.requests[2]), { sid: 's3ss10n', theme: 'dark' });
    assert.deepStrictEqual(cookiesOf(api.requests[4]), {});
  });

  it('keeps no cookies when the jar is off (the default)', async function () {
    const ctx = await load({ cookieJar: false });
    await ctx.run({ path: 'login' });
    await ctx.run({ path: 'me' });
    assert.strictEqual(api.requests[1].headers.cookie, undefined);
  });

  it('learns from redirect hops too', async function () {
    const ctx = await load();
    const { msg } = await ctx.run({ path: 'login-redirect' });
    assert.strictEqual(msg.responseUrl, api.url + '/home');
    assert.deepStrictEqual(cookiesOf(api.requests[1]), { sid: 'from-redirect' });
  });

  it('lets configured, query and msg cookies win over a jar cookie of the same name', async function () {
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, cookieJar: true, cookies: [{ name: 'lang', value: 'en' }] },
      query: { method: 'GET', path: '', cookies: [{ name: 'theme', value: 'light', valueType: 'str' }] },
    });
    await ctx.run({ path: 'login' });
    await ctx.run({ url: api.url + '/prefs/a' });
    await ctx.run({ url: api.url + '/prefs/b', cookies: { sid: 'from-msg' } });
    assert.deepStrictEqual(cookiesOf(api.requests[1]), { lang: 'en', theme: 'light', sid: 's3ss10n' });
    assert.deepStrictEqual(cookiesOf(api.requests[2]), { lang: 'en', theme: 'light', sid: 'from-msg' });
  });

  it('starts empty after a redeploy', async function () {
    let ctx = await load();
    await ctx.run({ path: 'login' });
    await ctx.run({ path: 'me' });
    assert.deepStrictEqual(cookiesOf(api.requests[1]), { sid: 's3ss10n' });
    await helper.unload();
    ctx = await load();
    await ctx.run({ path: 'me' });
    assert.deepStrictEqual(cookiesOf(api.requests[2]), {});
  });

  it('never sends jar cookies to another origin, nor keeps what another origin sets', async function () {
    // Same host, another port: cookies alone would not tell these apart, origins do.
    const ctx = await load();
    await ctx.run({ path: 'login' });
    const { msg } = await ctx.run({ path: 'away' });
    assert.strictEqual(msg.payload, 'other');
    assert.deepStrictEqual(msg.responseCookies.foreign.value, '1');
    await ctx.run({ path: 'me' });
    assert.strictEqual(other.requests.length, 1);
    assert.strictEqual(other.requests[0].headers.cookie, undefined);
    assert.deepStrictEqual(cookiesOf(api.requests[2]), { sid: 's3ss10n' });
  });
});
