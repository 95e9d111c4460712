'use strict';
// POST /rest-datasource/import/openapi: descriptions fetched by URL (through the datasource's
// TLS settings, with its credentials only on its own origin), pasted as {text} or uploaded raw;
// hostile ones refused; and an operation picked from the index, run against a stand-in API.
const assert = require('assert');
const fs = require('fs');
const { helper, loadQuery, coreNode, useRuntime } = require('./lib/nr');
const { startProxy } = require('./lib/proxy');
const { startServer } = require('./lib/server');
const { certs, startHttpsServer } = require('./lib/certs');
const { secret } = require('./lib/secrets');
const { fieldsForOperation } = require('../dist/lib/import/operation-query');

const read = (name) => fs.readFileSync(require.resolve(name), 'utf8');

describe('POST /rest-datasource/import/openapi', function () {
  this.timeout(60000);
  let docs;
  let api;
  let other;
  const files = {};
  useRuntime();

  before(async function () {
    api = await startServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ id: 7, name: 'doggie', seen: req.url }));
    });
    other = await startServer();
    docs = await startServer((req, res) => {
      const body = files[req.url.split('?')[0]];
      res.statusCode = body === undefined ? 404 : 200;
      res.setHeader('Content-Type', req.url.endsWith('.json') ? 'application/json' : 'application/yaml');
      // as file servers do, also for HEAD
      res.setHeader('Content-Length', Buffer.byteLength(body === undefined ? 'not here' : body));
      res.end(body === undefined ? 'not here' : body);
    });
    // The Petstore (Swagger 2.0) as published, pointed at the stand-in API.
    const petstore = JSON.parse(read('@readme/oas-examples/2.0/json/petstore.json'));
    petstore.host = api.url.replace('http://', '');
    petstore.schemes = ['http'];
    files['/petstore.json'] = JSON.stringify(petstore);
    files['/github.json'] = read('@octokit/openapi/generated/api.github.com.json');
    files['/big.json'] = JSON.stringify({ openapi: '3.0.0', info: { title: 'big' }, x: 'x'.repeat(20 * 1024 * 1024) });
    const withRef = (ref) =>
      `openapi: 3.0.0\ninfo: {title: refs, version: "1"}\npaths:\n  /a:\n    get:\n      parameters:\n        - $ref: "${ref}"\n`;
    files['/refs/other-origin.yaml'] = withRef(`${other.url}/param.yaml`);
    files['/refs/local-file.yaml'] = withRef('file:///etc/hostname');
    files['/refs/same-origin.yaml'] = withRef('common/param.yaml#/limit');
    files['/refs/common/param.yaml'] =
      'limit:\n  name: limit\n  in: query\n  required: true\n  schema: {type: integer, default: 20}\n';
  });
  after(async function () {
    await Promise.all([api.close(), other.close(), docs.close()]);
  });
  beforeEach(async function () {
    await loadQuery({ ds: { baseUrl: 'http://127.0.0.1:1' } });
  });
  afterEach(async function () {
    await helper.unload();
  });

  const post = (body) => helper.request().post('/rest-datasource/import/openapi').send(body);

  it('imports a description by URL, and the picked operation runs against the API', async function () {
    const res = await post({ url: `${docs.url}/petstore.json` });
    assert.strictEqual(res.status, 200, JSON.stringify(res.body));
    const r = res.body;
    assert.strictEqual(r.title, 'Swagger Petstore');
    assert.strictEqual(r.source, `${docs.url}/petstore.json`);
    assert.strictEqual(r.datasource.baseUrl, `${api.url}/v2`);
    assert.deepStrictEqual(
      [r.datasource.authType, r.datasource.apiKeyName, r.datasource.apiKeyIn],
      ['apiKey', 'api_key', 'header'],
    );
    const getPet = r.operations.find((o) => o.id === 'getPetById');
    const addPet = r.operations.find((o) => o.id === 'addPet');

    // The datasource as proposed (plus the key the user pastes) and the picker's query fields.
    await helper.unload();
    const key = secret('petstore-key');
    const ds = { ...r.datasource };
    delete ds.credentials;
    const flowFor = (fields) => ({
      ds: { ...ds, openapi: { title: r.title, source: r.source, operations: r.operations } },
      credentials: { apiKey: key },
      query: { ...fields, responseType: 'json' },
    });
    let { run } = await loadQuery(flowFor(fieldsForOperation(getPet)));
    api.requests.length = 0;
    let result = await run({ petId: 7 });
    assert.ok(result.msg, JSON.stringify(result.error));
    assert.deepStrictEqual(result.msg.payload, { id: 7, name: 'doggie', seen: '/v2/pet/7' });
    assert.strictEqual(api.requests[0].method, 'GET');
    assert.strictEqual(api.requests[0].headers.api_key, key);

    await helper.unload();
    ({ run } = await loadQuery(flowFor(fieldsForOperation(addPet, { headers: [], params: [] }, getPet))));
    api.requests.length = 0;
    result = await run({ payload: { name: 'doggie', photoUrls: [] } });
    assert.ok(result.msg, JSON.stringify(result.error));
    assert.strictEqual(api.requests[0].method, 'POST');
    assert.strictEqual(api.requests[0].url, '/v2/pet');
    assert.strictEqual(api.requests[0].headers['content-type'], 'application/json');
    assert.deepStrictEqual(JSON.parse(api.requests[0].body), { name: 'doggie', photoUrls: [] });
  });

  it("fetches GitHub's 13 MB description by URL, and takes it uploaded as a raw body too", async function () {
    let res = await post({ url: `${docs.url}/github.json` });
    assert.strictEqual(res.status, 200, JSON.stringify(res.body));
    assert.ok(res.body.operations.length > 1000);
    // larger than Node-RED's 5 MB JSON body limit: the editor sends a file under the
    // description's media type (text/plain, a simple type, is refused: admin-json-only.test.js)
    res = await helper
      .request()
      .post('/rest-datasource/import/openapi')
      .set('Content-Type', 'application/vnd.oai.openapi')
      .send(files['/github.json']);
    assert.strictEqual(res.status, 200, JSON.stringify(res.body));
    assert.strictEqual(res.body.datasource.baseUrl, 'https://api.github.com');
    assert.strictEqual(res.body.source, '');
  });

  it('refuses a 20 MB description, fetched or uploaded, with a clear message giving its real size', async function () {
    let res = await post({ url: `${docs.url}/big.json` });
    assert.strictEqual(res.status, 400);
    assert.match(res.body.error, /the description is 20\.0 MB, more than the 16\.0 MB the importer reads/);
    res = await helper
      .request()
      .post('/rest-datasource/import/openapi')
      .set('Content-Type', 'application/yaml')
      .send(files['/big.json']);
    assert.strictEqual(res.status, 400);
    assert.match(res.body.error, /the description is 20\.0 MB, more than the 16\.0 MB/);
  });

  it('says what happened when the URL is refused or is an HTML page, without speaking of a Base URL', async function () {
    const { closedPort } = require('./lib/server');
    const port = await closedPort();
    let res = await post({ url: `http://127.0.0.1:${port}/openapi.json` });
    assert.strictEqual(res.status, 400);
    assert.match(res.body.error, /ECONNREFUSED: nothing accepts connections there; check the description URL/);
    assert.doesNotMatch(res.body.error, /base url/i);
    files['/docs.html'] = '<!DOCTYPE html><html><head><title>API reference</title></head><body></body></html>';
    res = await post({ url: `${docs.url}/docs.html` });
    assert.strictEqual(res.status, 400);
    assert.match(res.body.error, /this is an HTML page, not an OpenAPI description/);
    assert.doesNotMatch(res.body.error, /JSON Schema/);
  });

  it('follows $refs on the description origin only: another origin or a local file is refused unread', async function () {
    other.requests.length = 0;
    let res = await post({ url: `${docs.url}/refs/other-origin.yaml` });
    assert.strictEqual(res.status, 400);
    assert.match(res.body.error, /another origin than the description's; it was not read/);
    assert.strictEqual(other.requests.length, 0);
    res = await post({ url: `${docs.url}/refs/local-file.yaml` });
    assert.strictEqual(res.status, 400);
    assert.match(res.body.error, /\$ref "file:\/\/\/etc\/hostname" points to a local file; it was not read/);
    res = await post({ text: files['/refs/local-file.yaml'] });
    assert.strictEqual(res.status, 400);
    assert.match(res.body.error, /local file/);
    docs.requests.length = 0;
    res = await post({ url: `${docs.url}/refs/same-origin.yaml` });
    assert.strictEqual(res.status, 200, JSON.stringify(res.body));
    assert.deepStrictEqual(
      docs.requests.map((r) => r.url),
      ['/refs/same-origin.yaml', '/refs/common/param.yaml'],
    );
    assert.deepStrictEqual(res.body.operations[0].params, [
      { name: 'limit', in: 'query', required: true, type: 'integer', default: '20' },
    ]);
  });

  it("fetches through the datasource's TLS settings, and sends its credentials only to its own origin", async function () {
    const c = certs();
    const token = secret('spec-token');
    const https = await startHttpsServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(files['/petstore.json']);
    }, c.server);
    try {
      await helper.unload();
      await loadQuery({ ds: { baseUrl: https.url + '/v2', authType: 'bearer' }, credentials: { token, ca: c.ca.pem } });
      let res = await post({ url: `${https.url}/openapi.json`, datasource: 'ds' });
      assert.strictEqual(res.status, 200, JSON.stringify(res.body));
      assert.strictEqual(https.requests[0].headers.authorization, `Bearer ${token}`);
      // without the datasource's CA the certificate is refused
      res = await post({ url: `${https.url}/openapi.json` });
      assert.strictEqual(res.status, 400);
      assert.match(res.body.error, /TLS_ERROR/);
      // a description on another origin gets the CA but not the token
      docs.requests.length = 0;
      res = await post({ url: `${docs.url}/petstore.json`, datasource: 'ds' });
      assert.strictEqual(res.status, 200);
      assert.strictEqual(docs.requests[0].headers.authorization, undefined);
      // the dialog's unsaved values are used as well; a dialog that changes the TLS trust gets no
      // stored secret (src/admin/editor-settings.ts), so it has to give the token again
      const unsaved = { id: 'ds', tlsVerify: false, ca: '' };
      res = await post({ url: `${https.url}/openapi.json`, datasource: unsaved });
      assert.strictEqual(res.status, 400);
      assert.match(res.body.error, /token: is required/);
      https.requests.length = 0;
      res = await post({ url: `${https.url}/openapi.json`, datasource: { ...unsaved, token: 'typed-again' } });
      assert.strictEqual(res.status, 200, JSON.stringify(res.body));
      assert.strictEqual(https.requests[0].headers.authorization, 'Bearer typed-again');
    } finally {
      await https.close();
    }
  });

  it("fetches through the datasource's http proxy node, for a description on another origin too", async function () {
    const proxy = await startProxy();
    try {
      await helper.unload();
      await loadQuery({
        ds: { baseUrl: 'https://api.example.com/v1', proxy: 'px' },
        nodes: [coreNode('network/06-httpproxy.js')],
        extra: [{ id: 'px', type: 'http proxy', name: 'corp', url: proxy.url, noproxy: [] }],
      });
      docs.requests.length = 0;
      const res = await post({ url: `${docs.url}/petstore.json`, datasource: 'ds' });
      assert.strictEqual(res.status, 200, JSON.stringify(res.body));
      assert.deepStrictEqual(
        proxy.relayed.map((r) => r.url),
        [`${docs.url}/petstore.json`],
      );
      assert.strictEqual(docs.requests.length, 1);
    } finally {
      await proxy.close();
    }
  });

  it('answers 400 with a clear message on bad input', async function () {
    const cases = [
      [{}, /give \{text\} \(the description\) or \{url\}/],
      [{ url: 'ftp://x/spec.yaml' }, /url: must be an http/],
      [{ url: 'http://user:pw@127.0.0.1/x' }, /must not contain a user name/],
      [{ url: `${docs.url}/missing.yaml` }, /answered HTTP 404/],
      [{ text: 'hello: world' }, /not an OpenAPI or Swagger description/],
      [{ text: '{"openapi": "3.0.0", ' }, /could not be read/],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      assert.strictEqual(res.status, 400, JSON.stringify(body));
      assert.match(res.body.error, message);
    }
  });
});
