'use strict';
// What each example promises, and how a test checks it: press its inject buttons (through the
// admin API, as the editor's button does) and read the Debug sidebar. Shared by the example
// test (flows deployed through the admin API) and the browser test (flows imported in the
// editor from Import > Examples and deployed with the Deploy button).
const assert = require('assert');
const runner = require('../../scripts/lib/node-red-runner');

/**
 * Steps per example file: press `inject`, then the debug node `debug` shows `value` (or a value
 * that passes `check`; with `count`, that many values, checked as a list).
 */
const EXPECTED = {
  'basic-auth-crud': {
    unauthenticated: ['GET', 'demo/basic/items'],
    steps: [
      {
        inject: 'list items',
        debug: 'API response',
        value: [
          { id: 1, name: 'bolt', quantity: 100 },
          { id: 2, name: 'nut', quantity: 80 },
        ],
      },
      { inject: 'create {"name":"cable"}', debug: 'API response', value: { id: 3, name: 'cable', quantity: 3 } },
      { inject: 'update item 1', debug: 'API response', value: { id: 1, name: 'bolt', quantity: 250 } },
      { inject: 'delete item 2', debug: 'API response', value: { deleted: 2 } },
      {
        inject: 'list items',
        debug: 'API response',
        value: [
          { id: 1, name: 'bolt', quantity: 250 },
          { id: 3, name: 'cable', quantity: 3 },
        ],
      },
    ],
  },
  'bearer-token': {
    unauthenticated: ['GET', 'demo/bearer/me'],
    steps: [
      { inject: 'get profile', debug: 'API response', value: { login: 'demo', name: 'Demo User', plan: 'free' } },
    ],
  },
  'api-key-in-query': {
    unauthenticated: ['GET', 'demo/apikey/weather?city=Berlin'],
    steps: [
      {
        inject: 'weather in Berlin',
        debug: 'API response',
        value: { city: 'Berlin', temperature: 21.5, units: 'metric', conditions: 'sunny' },
      },
    ],
  },
  'oauth2-client-credentials': {
    unauthenticated: ['GET', 'demo/oauth-cc/api/orders'],
    steps: [
      {
        inject: 'list orders',
        debug: 'API response',
        value: [
          { id: 'A-1001', total: 42.5, status: 'shipped' },
          { id: 'A-1002', total: 17, status: 'open' },
        ],
      },
    ],
  },
  'oauth2-authorization-code': {
    unauthenticated: ['GET', 'demo/oauth-code/api/account'],
    // The comment's step 2: Authorize in the datasource dialog (the demo login approves at once).
    before: authorizeLikeTheEditor,
    steps: [
      {
        inject: 'get account',
        debug: 'API response',
        value: { name: 'Demo User', email: 'demo.user@example.com', plan: 'pro' },
      },
    ],
  },
  'client-certificate-tls': {
    before: (ctx) =>
      ctx.sidebar.waitFor(
        () => [...ctx.sidebar.status.entries()].some(([id, s]) => ctx.ids.has(id) && /^https:/.test(s.text || '')),
        'the demo HTTPS server to listen',
      ),
    steps: [
      {
        inject: 'who am I?',
        debug: 'API response',
        check: (v) => {
          assert.strictEqual(v.client, 'demo-client');
          assert.strictEqual(v.issuer, 'Demo CA (do not trust)');
        },
      },
    ],
  },
  'shared-store-cluster': {
    steps: [
      {
        inject: 'ten quotes at once',
        debug: 'API response',
        count: 10,
        check: (values) =>
          assert.deepStrictEqual(
            values.map((v) => v.symbol),
            ['NR1', 'NR2', 'NR3', 'NR4', 'NR5', 'NR6', 'NR7', 'NR8', 'NR9', 'NR10'],
          ),
      },
    ],
  },
  'http-cache': {
    steps: [
      { inject: 'get rates', debug: 'msg.cache', value: 'miss' },
      { inject: 'get rates', debug: 'msg.cache', value: 'hit' },
      { inject: 'update rates', debug: 'update status', value: 204 },
      { inject: 'get rates', debug: 'msg.cache', value: 'miss' },
    ],
  },
  'error-handling-catch': {
    steps: [
      {
        inject: 'item 99 (404)',
        debug: 'caught error (msg.error)',
        check: (v) => {
          assert.strictEqual(v.code, 'HTTP_ERROR');
          assert.match(v.message, /HTTP 404/);
          assert.strictEqual(v.source.name, 'Get item 99');
        },
      },
      {
        inject: 'slow endpoint',
        debug: 'caught error (msg.error)',
        check: (v) => {
          assert.strictEqual(v.code, 'ETIMEDOUT');
          assert.strictEqual(v.source.name, 'Slow endpoint, 1 s timeout');
        },
      },
      {
        inject: 'item 99, handled in the flow',
        debug: 'not found, handled in the flow',
        value: { error: 'no item 99' },
      },
    ],
  },
};

// The extras branch's examples (pagination, signed requests): checked here too, so every
// example's promise is tested, not only that it shows something.
EXPECTED.pagination = {
  steps: [
    {
      inject: 'orders, one message per page',
      debug: 'one page of orders',
      count: 3,
      check: (pages) => {
        assert.deepStrictEqual(
          pages.map((p) => p.map((o) => o.id)),
          [range(1001, 1010), range(1011, 1020), range(1021, 1023)],
        );
      },
    },
    {
      inject: 'all orders (cursor)',
      debug: 'all orders',
      check: (orders) =>
        assert.deepStrictEqual(
          orders.map((o) => o.id),
          range(1001, 1023),
        ),
    },
  ],
};
const everyCheckPassed = (v) => {
  assert.strictEqual(v.accepted, true, JSON.stringify(v.checks));
  assert.ok(Object.values(v.checks).length >= 6 && Object.values(v.checks).every(Boolean), JSON.stringify(v.checks));
};
EXPECTED['oauth2-jwt-bearer'] = {
  unauthenticated: ['GET', 'demo/jwt/api/report'],
  steps: [
    {
      inject: 'read report (service account)',
      debug: 'API response',
      value: {
        signedInAs: 'reporting@demo-project.iam.gserviceaccount.com',
        scope: 'reports.readonly',
        rows: [
          ['region', 'sales'],
          ['north', 120],
          ['south', 95],
        ],
      },
    },
    {
      inject: 'read report (client assertion)',
      debug: 'API response (client assertion)',
      value: {
        signedInAs: 'reporting-client',
        scope: 'reports.readonly',
        rows: [
          ['region', 'sales'],
          ['north', 120],
          ['south', 95],
        ],
      },
    },
  ],
};

EXPECTED['signed-requests'] = {
  steps: [
    { inject: 'POST a signed order', debug: 'API response', check: everyCheckPassed },
    { inject: 'GET with a query', debug: 'API response (GET)', check: everyCheckPassed },
  ],
};

// AWS Signature V4 and OAuth 1.0a: the demo API recomputes each signature (see its function node).
EXPECTED['aws-sigv4'] = {
  unauthenticated: ['GET', 'demo/aws/orders'],
  steps: [
    { inject: 'GET paid orders', debug: 'API response (GET)', check: everyCheckPassed },
    { inject: 'POST an order', debug: 'API response (POST)', check: everyCheckPassed },
  ],
};
EXPECTED.oauth1 = {
  unauthenticated: ['GET', 'demo/oauth1/photos?file=vacation.jpg'],
  steps: [
    { inject: 'GET a photo', debug: 'API response (GET)', check: everyCheckPassed },
    { inject: 'POST a comment (form)', debug: 'API response (POST)', check: everyCheckPassed },
  ],
};

function range(from, to) {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** What the editor does when the user clicks Authorize: start, follow the provider, callback. */
async function authorizeLikeTheEditor(ctx) {
  const ds = ctx.example.nodes.find((n) => n.type === 'rest-datasource');
  const redirectUri = `${ctx.url}rest-datasource/oauth/callback`;
  const start = await runner.request(ctx.url, 'POST', `rest-datasource/${ds.id}/oauth/start`, { redirectUri });
  assert.strictEqual(start.status, 200, `oauth/start answered ${start.status}: ${JSON.stringify(start.body)}`);
  const authorize = await runner.request(ctx.url, 'GET', start.body.authorizeUrl);
  assert.strictEqual(authorize.status, 302, 'the demo authorization endpoint redirects at once');
  const callback = await runner.request(ctx.url, 'GET', authorize.headers.location);
  assert.strictEqual(callback.status, 200, `the callback answered ${callback.status}: ${callback.body}`);
  const status = await runner.request(ctx.url, 'GET', `rest-datasource/${ds.id}/oauth/status`);
  assert.strictEqual(status.body.authorized, true, 'the datasource reports itself authorized');
}

/** Run one example (`example` = {file, name, nodes}) against the runtime at `url`. */
async function runExample({ url, sidebar, example }) {
  const { file, name } = example;
  const ids = new Set(example.nodes.map((n) => n.id));
  const tab = example.nodes.find((n) => n.type === 'tab').id;
  const ctx = { url, sidebar, example, ids };
  const spec = EXPECTED[name];
  if (spec && spec.unauthenticated) {
    // The demo API really checks the credential, so the output below proves it was sent.
    const [method, route] = spec.unauthenticated;
    const res = await runner.request(url, method, route);
    assert.strictEqual(res.status, 401, `${method} /${route} without credentials`);
  }
  if (spec && spec.before) await spec.before(ctx);
  const injects = example.nodes.filter((n) => n.type === 'inject');
  const byName = (type, label) => {
    const node = example.nodes.find((n) => n.type === type && n.name === label);
    assert.ok(node, `${file} has a ${type} named "${label}"`);
    return node;
  };
  const steps = spec
    ? spec.steps
    : injects
        .slice()
        .sort((a, b) => a.y - b.y || a.x - b.x)
        .map((n) => ({ injectNode: n }));
  for (const step of steps) {
    const inject = step.injectNode || byName('inject', step.inject);
    const from = sidebar.messages.length;
    const pressed = await runner.request(url, 'POST', `inject/${inject.id}`);
    assert.strictEqual(pressed.status, 200, `inject ${inject.name || inject.id}`);
    if (!step.debug) {
      await sidebar.waitFor(
        () => sidebar.outputs(tab, from).length > 0,
        `debug output after "${inject.name || inject.id}" in ${file}`,
      );
      continue;
    }
    const debugNode = byName('debug', step.debug);
    const count = step.count || 1;
    const shown = await sidebar.waitFor(() => {
      const values = sidebar.outputs(tab, from).filter((m) => m.id === debugNode.id);
      return values.length >= count && values.map((m) => m.value);
    }, `${count} x "${step.debug}" after "${step.inject}" in ${file}`);
    const value = step.count ? shown : shown[0];
    if (step.check) step.check(value);
    else assert.deepStrictEqual(value, step.value);
  }
  if (!example.nodes.some((n) => n.type === 'catch')) {
    const errors = sidebar.logged().filter((m) => ids.has(m.id) && m.level <= 30);
    assert.deepStrictEqual(
      errors.map((m) => m.value),
      [],
      `${file} logged errors or warnings`,
    );
  }
}

module.exports = { EXPECTED, runExample };
