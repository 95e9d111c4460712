'use strict';
// Every state-changing admin route of the package takes JSON only. A page on another site can
// make the browser POST a form (urlencoded or multipart) or a text/plain body, or a body with no
// Content-Type, without asking the admin API first (no CORS preflight): with adminAuth off such a
// request would run Test connection with the deployed credentials, fetch a description with
// them, or start an authorization. Each route answers 415 to each of those, and did nothing.
const assert = require('assert');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');
const { secret } = require('./lib/secrets');

// The store route (POST /rest-shared-store/:id/test) applies the same middleware in its own
// change (issue 23, defect 1).
const ROUTES = [
  ['POST /rest-datasource/ds/test', '/rest-datasource/ds/test', (api) => ({ baseUrl: api.url, path: 'probe' })],
  [
    'POST /rest-datasource/ds2/oauth/start',
    '/rest-datasource/ds2/oauth/start',
    () => ({ redirectUri: helper.url() + '/rest-datasource/oauth/callback' }),
  ],
  ['POST /rest-datasource/import/curl', '/rest-datasource/import/curl', (api) => ({ command: `curl ${api.url}/x` })],
  [
    'POST /rest-datasource/import/openapi',
    '/rest-datasource/import/openapi',
    (api) => ({ url: `${api.url}/openapi.json`, datasource: 'ds' }),
  ],
];

/** The simple requests a cross-site page can send without a preflight. */
function simpleBodies(fields) {
  const form = new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString();
  const boundary = 'x-boundary';
  const multipart =
    Object.entries(fields)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('') + `--${boundary}--\r\n`;
  return [
    ['text/plain', 'text/plain;charset=UTF-8', JSON.stringify(fields)],
    ['a urlencoded form', 'application/x-www-form-urlencoded', form],
    ['a multipart form', `multipart/form-data; boundary=${boundary}`, multipart],
    ['no Content-Type', undefined, JSON.stringify(fields)],
  ];
}

describe('admin routes take JSON only (cross-site simple requests are refused)', function () {
  const password = secret('json-only-password');
  let api;
  useRuntime();
  beforeEach(async function () {
    api = await startServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      if (req.url === '/openapi.json') {
        res.end(JSON.stringify({ openapi: '3.0.0', info: { title: 't', version: '1' }, paths: {} }));
        return;
      }
      res.end('{}');
    });
    await loadQuery({
      ds: { baseUrl: api.url, authType: 'basic' },
      credentials: { username: 'owner', password },
      extra: [
        {
          id: 'ds2',
          type: 'rest-datasource',
          baseUrl: api.url,
          authType: 'oauth2',
          oauth2GrantType: 'authorization_code',
          oauth2AuthUrl: `${api.url}/authorize`,
          oauth2TokenUrl: `${api.url}/token`,
        },
      ],
      extraCredentials: { ds2: { clientId: 'app', clientSecret: password } },
    });
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
  });

  for (const [name, route, fields] of ROUTES) {
    it(`${name}: 415 for every simple request, nothing done; JSON works`, async function () {
      for (const [what, type, body] of simpleBodies(fields(api))) {
        let req = helper.request().post(route);
        if (type) req = req.set('Content-Type', type);
        const res = await req.send(body);
        assert.strictEqual(res.status, 415, `${what}: ${res.status} ${res.text}`);
        assert.match(res.body.error, /application\/json/);
      }
      assert.deepStrictEqual(
        api.requests.map((r) => r.url),
        [],
        'no request reached the API',
      );
      // The same fields as JSON do what the route does (the check above is not vacuous).
      const ok = await helper.request().post(route).send(fields(api));
      assert.strictEqual(ok.status, 200, ok.text);
    });
  }

  it('the OpenAPI route takes a raw description under its own media type, never text/plain', async function () {
    const text = JSON.stringify({ openapi: '3.0.0', info: { title: 'raw', version: '1' }, paths: {} });
    for (const type of ['application/vnd.oai.openapi', 'application/yaml']) {
      const res = await helper.request().post('/rest-datasource/import/openapi').set('Content-Type', type).send(text);
      assert.strictEqual(res.status, 200, `${type}: ${res.text}`);
      assert.strictEqual(res.body.title, 'raw');
    }
    const res = await helper
      .request()
      .post('/rest-datasource/import/openapi')
      .set('Content-Type', 'text/plain')
      .send(text);
    assert.strictEqual(res.status, 415);
  });
});
