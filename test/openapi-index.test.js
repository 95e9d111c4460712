'use strict';
// The operation index of an imported OpenAPI description lives in the user directory, not in
// the flow: the import route keeps it there under its hash, GET /rest-datasource/openapi-index
// serves it (building it again from a URL source when it is missing), and a 0.1.x datasource
// that still holds it inline moves it out when it starts.
const assert = require('assert');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');
const { sha256Hex } = require('../dist/lib/import/sha256');
const { splitInline, refOf } = require('../dist/lib/import/openapi-ref');
const { plainText } = require('../dist/lib/import/plain-text');

const read = (name) => fs.readFileSync(require.resolve(name), 'utf8');

describe('sha256Hex (the index hash the editor and the runtime both compute)', function () {
  it('equals node:crypto for ASCII, multi-byte text and every length around a block boundary', function () {
    const samples = ['', 'abc', 'ü€𝄞 日本語', JSON.stringify({ a: [1, 'zwei', { drei: 3 }] })];
    for (let n = 50; n <= 130; n++) samples.push('x'.repeat(n));
    samples.push('ä'.repeat(100000));
    for (const text of samples) {
      assert.strictEqual(sha256Hex(text), crypto.createHash('sha256').update(text, 'utf8').digest('hex'), text.length);
    }
  });
});

describe('plainText (summaries and descriptions in the operation picker)', function () {
  it('reduces HTML (Stripe) and Markdown (GitHub) to text and keeps identifiers', function () {
    assert.strictEqual(
      plainText('<p>Retrieves the details of an existing customer. See <a href="/docs/api">the docs</a>.</p>'),
      'Retrieves the details of an existing customer. See the docs.',
    );
    assert.strictEqual(plainText('<p>One</p><p>Two&nbsp;&amp; three &#39;four&#x27;</p>'), "One Two & three 'four'");
    assert.strictEqual(
      plainText('Lists **all** [repositories](https://docs.github.com/rest) for `owner`.\n\n* a list'),
      'Lists all repositories for owner. a list',
    );
    assert.strictEqual(plainText('set per_page and client_id _here_'), 'set per_page and client_id here');
    assert.strictEqual(plainText('## Heading\n> quoted'), 'Heading quoted');
    assert.strictEqual(plainText('a < b and c > d'), 'a < b and c > d');
  });
  it('takes linear time on hostile input', function () {
    const started = Date.now();
    for (const s of ['<'.repeat(50000), '['.repeat(50000) + '](', '*'.repeat(50000) + 'x', '_a'.repeat(50000)])
      plainText(s);
    assert.ok(Date.now() - started < 2000, 'milliseconds, not seconds');
  });
});

describe('GET /rest-datasource/openapi-index/:hash', function () {
  this.timeout(60000);
  let userDir;
  let docs;
  let petstore;
  useRuntime();

  before(async function () {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rds-openapi-index-'));
    helper.settings({ userDir });
    petstore = read('@readme/oas-examples/2.0/json/petstore.json');
    docs = await startServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(petstore);
    });
  });
  after(async function () {
    helper.settings({});
    await docs.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  });
  afterEach(async function () {
    await helper.unload();
  });

  const indexFile = (hash) => path.join(userDir, 'rest-datasource', 'openapi', `${hash}.json`);
  const get = (hash) => helper.request().get(`/rest-datasource/openapi-index/${hash}`);

  it('the import keeps the index in the user directory; the reference is small and finds it', async function () {
    await loadQuery({ ds: { baseUrl: 'http://127.0.0.1:1' } });
    const res = await helper
      .request()
      .post('/rest-datasource/import/openapi')
      .send({ url: `${docs.url}/petstore.json` });
    assert.strictEqual(res.status, 200, JSON.stringify(res.body));
    const { hash, count, title, version, source } = res.body;
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.strictEqual(count, 20);
    const index = await get(hash);
    assert.strictEqual(index.status, 200);
    assert.strictEqual(index.body.operations.length, 20);
    assert.ok(index.body.operations.some((o) => o.id === 'getPetById'));
    assert.ok(fs.existsSync(indexFile(hash)), 'written to <userDir>/rest-datasource/openapi/<hash>.json');
    // What the datasource keeps in the flow.
    const ref = { title, version, source, hash, count };
    assert.ok(JSON.stringify(ref).length < 300, JSON.stringify(ref));
    assert.deepStrictEqual(refOf(index.body, source), ref, 'the editor computes the same reference');
  });

  it('GitHub: the flow keeps under 2 KB, the index file holds the rest', async function () {
    await loadQuery({ ds: { baseUrl: 'http://127.0.0.1:1' } });
    const res = await helper
      .request()
      .post('/rest-datasource/import/openapi')
      .set('Content-Type', 'application/vnd.oai.openapi; charset=utf-8')
      .send(read('@octokit/openapi/generated/api.github.com.json'));
    assert.strictEqual(res.status, 200, JSON.stringify(res.body));
    const { hash, count, title, version } = res.body;
    const ref = JSON.stringify({ title, version, source: '', hash, count });
    assert.ok(ref.length < 2048, `${ref.length} bytes`);
    assert.ok(count > 1000);
    const file = (await get(hash)) && fs.statSync(indexFile(hash)).size;
    assert.ok(file > 100000, `the index file has ${file} bytes`);
  });

  it('answers 400 for what is not a hash and 404 for an index it does not keep', async function () {
    await loadQuery({ ds: { baseUrl: 'http://127.0.0.1:1' } });
    let res = await get('..%2F..%2Fsettings');
    assert.strictEqual(res.status, 400);
    assert.match(res.body.error, /hash/);
    res = await get('0'.repeat(64));
    assert.strictEqual(res.status, 404);
    assert.match(res.body.error, /import the description again/);
  });

  it('a 0.1.x datasource with its index inline moves it out when it starts, and keeps running', async function () {
    const operations = [
      { id: 'ping', method: 'GET', path: '/ping', summary: 'Ping', tag: '', params: [], bodyType: 'none' },
    ];
    const openapi = { title: 'Old', version: '1', source: '', operations };
    const api = await startServer();
    try {
      const { run } = await loadQuery({
        ds: { baseUrl: api.url, openapi },
        query: { path: '/ping', operationId: 'ping' },
      });
      const { ref } = splitInline(openapi);
      const res = await get(ref.hash);
      assert.strictEqual(res.status, 200, JSON.stringify(res.body));
      assert.deepStrictEqual(res.body.operations, operations);
      const result = await run({});
      assert.ok(result.msg, JSON.stringify(result.error));
      assert.strictEqual(api.requests[0].url, '/ping');
    } finally {
      await api.close();
    }
  });

  it('builds a missing index again from the URL a deployed datasource names as its source', async function () {
    // The hash as another Node-RED computed it; this one has no file for it.
    await loadQuery({ ds: { baseUrl: 'http://127.0.0.1:1' } });
    const imported = await helper.request().post('/rest-datasource/import/openapi').send({ text: petstore });
    const { hash, title, version, count } = imported.body;
    fs.rmSync(indexFile(hash), { force: true });
    await helper.unload();
    const source = `${docs.url}/petstore.json`;
    await loadQuery({ ds: { baseUrl: 'http://127.0.0.1:1', openapi: { title, version, source, hash, count } } });
    docs.requests.length = 0;
    const res = await get(hash);
    assert.strictEqual(res.status, 200, JSON.stringify(res.body));
    assert.strictEqual(res.body.operations.length, 20);
    assert.strictEqual(res.body.hash, hash, 'the same description gives the same hash');
    assert.strictEqual(docs.requests.length, 1, 'fetched once from the source');
    assert.ok(fs.existsSync(indexFile(hash)), 'and kept again');
  });
});
