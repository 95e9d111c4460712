'use strict';
const assert = require('assert');
const { helper, NODES, collect, deploy: deployFlow, useRuntime } = require('./lib/nr');
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
    await new Promise((r) => setTimeout(r, 300));

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
});
