'use strict';
const assert = require('assert');
const net = require('net');
const { helper, NODES, collect, deploy: deployFlow, loadQuery, useRuntime } = require('./lib/nr');
const { until } = require('./lib/wait');
const http = require('http');
const { setProxyEnv } = require('./lib/proxy');
const { startOAuthServer } = require('./lib/oauth-server');
const { startServer } = require('./lib/server');

const { secret } = require('./lib/secrets');

const SECRETS = {
  header: secret('header'),
  param: secret('param'),
  cookie: secret('cookie'),
  body: secret('body'),
  password: secret('password'),
};

describe('secrets stay secret', function () {
  let api;
  let other;
  useRuntime();
  beforeEach(async function () {
    api = await startServer((req, res) => {
      res.statusCode = req.url.startsWith('/fail') ? 500 : 200;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ ok: res.statusCode === 200 }));
    });
    other = await startServer();
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
    await other.close();
  });

  /** Deploy the way the editor does: credentials travel inline and the runtime extracts them. */
  async function deploy() {
    // The first load registers our nodes and the core Catch node; the deploy replaces the flow.
    await helper.load(NODES, [
      { id: 'f1', type: 'tab' },
      { id: 'c0', type: 'catch', z: 'f1', scope: null, wires: [] },
    ]);
    const secretsCredential = JSON.stringify({
      'headers:x-secret': SECRETS.header,
      'params:token': SECRETS.param,
      'cookies:sid': SECRETS.cookie,
      'body:apiSecret': SECRETS.body,
    });
    const flow = [
      { id: 'f1', type: 'tab', label: 'test' },
      {
        id: 'ds',
        type: 'rest-datasource',
        baseUrl: api.url,
        authType: 'basic',
        headers: [
          { name: 'X-Secret', value: '', secret: true },
          { name: 'X-Plain', value: 'visible' },
        ],
        params: [{ name: 'token', value: '', secret: true }],
        cookies: [{ name: 'sid', value: '', secret: true }],
        body: [{ name: 'apiSecret', value: '', secret: true }],
        credentials: { username: 'alice', password: SECRETS.password, secrets: secretsCredential },
      },
      {
        id: 'q',
        type: 'rest-query',
        z: 'f1',
        datasource: 'ds',
        method: 'POST',
        path: '{{route}}',
        bodyType: 'json',
        wires: [['out']],
      },
      { id: 'out', type: 'helper', z: 'f1' },
      { id: 'c', type: 'catch', z: 'f1', scope: null, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1' },
    ];
    await deployFlow(flow);
  }

  function assertNoSecret(text, where) {
    for (const [kind, secret] of Object.entries(SECRETS)) {
      assert.ok(!text.includes(secret), `${kind} secret found in ${where}`);
    }
    assert.ok(
      !text.includes(Buffer.from(`alice:${SECRETS.password}`).toString('base64')),
      `basic credentials in ${where}`,
    );
  }

  it('sends every secret to the API but shows none in the flow, msgs, errors, statuses or logs', async function () {
    await deploy();
    const q = helper.getNode('q');
    const seen = collect({ out: helper.getNode('out'), caught: helper.getNode('caught') });
    q.receive({ route: 'ok', payload: { a: 1 } });
    q.receive({ route: 'fail', payload: { a: 2 } });
    q.receive({ url: other.url + '/steal' });
    await until(() => seen.outputs.length + seen.errors.length >= 3, 'the three msgs to end');

    // The API received them (so the assertions below are not vacuous).
    const first = api.requests[0];
    assert.strictEqual(first.headers['x-secret'], SECRETS.header);
    assert.ok(first.url.includes(SECRETS.param));
    assert.ok(first.headers.cookie.includes(SECRETS.cookie));
    assert.strictEqual(JSON.parse(first.body).apiSecret, SECRETS.body);
    assert.ok(first.headers.authorization.startsWith('Basic '));
    assert.strictEqual(other.requests.length, 0);

    // The flow file as the runtime would write it, and the running flow config.
    const flows = helper._redNodes.getFlows();
    assertNoSecret(JSON.stringify(flows.flows), 'flow export');
    assert.ok(JSON.stringify(flows.flows).includes('"secret":true'));

    assert.strictEqual(seen.outputs.length, 1);
    assert.strictEqual(seen.errors.length, 2);
    assertNoSecret(JSON.stringify(seen.outputs), 'output msg');
    assertNoSecret(JSON.stringify(seen.errors), 'error msg');
    assertNoSecret(JSON.stringify(q.status.args), 'node status');
    assertNoSecret(JSON.stringify(helper.log().args), 'log');
  });

  it('never echoes a secret from a bad configuration in the deploy error', async function () {
    const shortKey = SECRETS.header.slice(0, 24);
    await helper.load(
      NODES,
      [
        { id: 'f1', type: 'tab' },
        { id: 'ds', type: 'rest-datasource', baseUrl: 'http://x', authType: 'bearer', signatureEnabled: true },
      ],
      { ds: { token: SECRETS.password, signatureKey: shortKey } },
    );
    const logged = JSON.stringify(helper.log().args);
    assert.match(logged, /signatureKey: must be at least 32 characters/);
    assert.ok(!logged.includes(shortKey));
    assertNoSecret(logged, 'log');
  });

  // Servers that echo the credentials they received into the error the flow sees: every
  // secret, in every form it went out in, must come out masked in msg, error, status and log.
  const b64 = (text) => Buffer.from(text).toString('base64');
  const strict = (v) =>
    encodeURIComponent(v)
      .replace(/%20/g, '+')
      .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

  /** What the flow author sees of one failed msg: the caught msg (payload is the API's data), statuses, log lines. */
  function shown(ctx, result) {
    const msg = { ...result.error };
    delete msg.payload;
    return [
      JSON.stringify(msg),
      result.error.error.message,
      JSON.stringify(ctx.q.status.args),
      JSON.stringify(helper.log().args),
    ];
  }

  function assertMasked(texts, forbidden) {
    for (const text of texts) {
      for (const [what, value] of Object.entries(forbidden)) {
        assert.ok(!text.includes(value), `${what} (${value}) shown in ${text.slice(0, 400)}`);
      }
    }
  }

  it('masks credentials an API echoes into its redirect locations (TOO_MANY_REDIRECTS)', async function () {
    const password = SECRETS.password;
    const looping = await startServer((req, res) => {
      res.statusCode = 302;
      res.setHeader(
        'Location',
        `/loop/${encodeURIComponent(req.headers['x-secret'])}/${encodeURIComponent(req.headers.authorization)}`,
      );
      res.end();
    });
    try {
      const ctx = await loadQuery({
        ds: {
          baseUrl: looping.url,
          authType: 'basic',
          maxRedirects: 1,
          headers: [{ name: 'X-Secret', value: '', secret: true }],
        },
        credentials: { username: 'alice', password, secrets: JSON.stringify({ 'headers:x-secret': SECRETS.header }) },
      });
      const result = await ctx.run({});
      assert.strictEqual(result.error.error.code, 'TOO_MANY_REDIRECTS');
      // The location really carried them (the assertions below are not vacuous).
      assert.ok(looping.requests[1].url.includes(encodeURIComponent(b64(`alice:${password}`))));
      assert.ok(looping.requests[1].url.includes(SECRETS.header));
      assert.match(result.error.error.message, /\/loop\/\*\*\*\/Basic%20\*\*\*/);
      assertMasked(shown(ctx, result), {
        header: SECRETS.header,
        basic: b64(`alice:${password}`),
        basicUrl: encodeURIComponent(b64(`alice:${password}`)),
      });
    } finally {
      await looping.close();
    }
  });

  it("masks the OAuth client's Basic credentials a token endpoint echoes in error_description", async function () {
    const clientSecret = secret('client-secret') + " it's (a) *secret*!";
    const tokenServer = await startServer((req, res) => {
      res.statusCode = 401;
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify({
          error: 'invalid_client',
          error_description: `got ${req.headers.authorization} and ${req.body}`,
        }),
      );
    });
    try {
      const ctx = await loadQuery({
        ds: {
          baseUrl: tokenServer.url,
          authType: 'oauth2',
          oauth2GrantType: 'client_credentials',
          oauth2TokenUrl: tokenServer.url + '/token',
        },
        credentials: { clientId: 'my app', clientSecret },
      });
      const result = await ctx.run({});
      assert.strictEqual(result.error.error.code, 'TOKEN_ERROR');
      const sent = tokenServer.requests[0].headers.authorization;
      assert.strictEqual(sent, 'Basic ' + b64(`${strict('my app')}:${strict(clientSecret)}`));
      assert.match(result.error.error.message, /got Basic \*\*\*/);
      // The client id is an identifier: it stays readable where the server shows it.
      assertMasked(shown(ctx, result), {
        clientSecret,
        basic: sent.slice(6),
        plainBasic: b64(`my app:${clientSecret}`),
        formEncoded: strict(clientSecret),
      });
    } finally {
      await tokenServer.close();
    }
  });

  /** A proxy that refuses every tunnel with its Proxy-Authorization in the reason phrase. */
  async function echoingProxy() {
    const proxy = net.createServer((socket) => {
      socket.once('data', (data) => {
        const auth = /proxy-authorization: ([^\r\n]+)/i.exec(data.toString())[1];
        socket.end(`HTTP/1.1 407 Refused ${auth}\r\nContent-Length: 0\r\n\r\n`);
      });
    });
    await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${proxy.address().port}`, close: () => new Promise((r) => proxy.close(r)) };
  }

  it('masks proxy credentials a proxy echoes in its refusal (PROXY_ERROR)', async function () {
    const proxyPassword = secret('proxy-pw');
    const proxy = await echoingProxy();
    const restore = setProxyEnv({ HTTPS_PROXY: `http://bob:${proxyPassword}@${proxy.url.slice(7)}` });
    try {
      const ctx = await loadQuery({ ds: { baseUrl: 'https://127.0.0.1:1' } });
      const result = await ctx.run({});
      assert.strictEqual(result.error.error.code, 'PROXY_ERROR');
      assert.match(result.error.error.message, /407 Refused Basic \*\*\*/);
      assertMasked(shown(ctx, result), { password: proxyPassword, basic: b64(`bob:${proxyPassword}`) });
    } finally {
      restore();
      await proxy.close();
    }
  });

  it('the OAuth callback page masks proxy credentials a proxy echoes during the code exchange', async function () {
    const proxyPassword = secret('callback-proxy-pw');
    const proxy = await echoingProxy();
    const callback = helper.url() + '/rest-datasource/oauth/callback';
    const as = await startOAuthServer({
      clients: [{ id: 'web', secret: 'web-secret-42', auth: 'header', redirectUris: [callback] }],
    });
    const restore = setProxyEnv({ HTTPS_PROXY: `http://carol:${proxyPassword}@${proxy.url.slice(7)}` });
    try {
      await loadQuery({
        ds: {
          baseUrl: 'https://127.0.0.1:1',
          authType: 'oauth2',
          oauth2GrantType: 'authorization_code',
          oauth2AuthUrl: as.authUrl,
          oauth2TokenUrl: 'https://127.0.0.1:1/token',
          oauth2Pkce: false,
        },
        credentials: { clientId: 'web', clientSecret: 'web-secret-42' },
      });
      const start = await helper
        .request()
        .post('/rest-datasource/ds/oauth/start')
        .send({ redirectUri: callback })
        .expect(200);
      const location = await new Promise((resolve, reject) =>
        http.get(start.body.authorizeUrl, (res) => resolve(res.headers.location)).on('error', reject),
      );
      const back = new URL(location);
      const page = await helper.request().get(back.pathname + back.search);
      assert.match(page.text, /TOKEN_ERROR.*407 Refused Basic \*\*\*/);
      assertMasked([page.text], { password: proxyPassword, basic: b64(`carol:${proxyPassword}`) });
    } finally {
      restore();
      await proxy.close();
      await as.close();
    }
  });
});
