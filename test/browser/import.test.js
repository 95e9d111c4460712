'use strict';
/* global RED, document -- used inside functions that run in the browser page */
// The imports in a real editor: a curl command pasted into the query dialog fills it, proposes a
// datasource for its origin (credentials to the credential store) and an Inject node with its
// body; deployed, the query sends what the command described. Then an OpenAPI description
// fetched in the datasource dialog sets base URL and auth, and an operation picked in the query
// dialog runs. Screenshots for docs/import.md land in test/output/browser/.
const assert = require('assert');
const fs = require('fs');
const E = require('./lib/editor');
const { workspace } = require('./lib/workspace');
const { startServer } = require('../lib/server');

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.browser-import-token';
const SESSION = 'sess-4711-browser';
const API_KEY = 'petstore-key-0815';

describe('imports in the editor (browser)', function () {
  this.timeout(90000);
  let api;
  let docs;
  let nr;
  let browser;
  let page;
  let w;

  before(async function () {
    E.skipWithoutChromium(this);
    api = await startServer();
    const petstore = JSON.parse(
      fs.readFileSync(require.resolve('@readme/oas-examples/2.0/json/petstore.json'), 'utf8'),
    );
    petstore.host = api.url.replace('http://', '');
    petstore.schemes = ['http'];
    docs = await startServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(petstore));
    });
    nr = await E.startNodeRed();
    browser = await E.launchBrowser();
    ({ page } = await E.openEditor(browser, nr.url));
    w = workspace(page, nr.url);
  });

  /** A new query node at height y, its dialog open, and in it the dialog of a new datasource; its id. */
  async function newQueryWithNewDatasource(y) {
    const queryId = await w.addNode('rest-query', 460, y);
    await page.dblclick(w.nodeSel(queryId));
    await page.waitForSelector('#node-input-datasource');
    await page.selectOption('#node-input-datasource', '_ADD_');
    await page.click('#node-input-btn-datasource-add');
    await page.waitForSelector('#node-config-input-baseUrl');
    return queryId;
  }

  after(async function () {
    if (browser) await browser.close();
    if (nr) await nr.stop();
    if (api) await api.close();
    if (docs) await docs.close();
  });

  it('Import cURL fills the query, creates the datasource and an Inject node; deployed, it sends that request', async function () {
    const queryId = await w.addNode('rest-query', 460, 140);
    await page.dblclick(w.nodeSel(queryId));
    await page.waitForSelector('#node-input-datasource');
    await page.click('#rq-curl-button');
    // As Chromium's "Copy as cURL (bash)" writes a fetch() POST.
    const command = [
      `curl '${api.url}/api/v3/pet?lang=de' \\`,
      `  -H 'accept: application/json' \\`,
      `  -H 'authorization: Bearer ${TOKEN}' \\`,
      `  -H 'content-type: application/json' \\`,
      `  -b 'session=${SESSION}' \\`,
      `  -H 'x-request-source: docs' \\`,
      `  --data-raw $'{"name":"doggie","tags":["it\\'s new"]}' \\`,
      `  --compressed`,
    ].join('\n');
    await page.fill('#rq-curl-text', command);
    await page.click('#rq-curl-apply');
    await page.waitForSelector('#rq-curl-result.rds-ok');

    assert.strictEqual(await page.inputValue('#node-input-method'), 'POST');
    assert.strictEqual(await page.inputValue('#node-input-path'), '/pet');
    assert.strictEqual(await page.inputValue('#node-input-bodyType'), 'json');
    const rows = await page.$$eval('#node-input-headers-list .rq-row-name', (els) => els.map((e) => e.value));
    assert.deepStrictEqual(rows, ['accept', 'x-request-source']);
    assert.deepStrictEqual(
      await page.$$eval('#node-input-params-list .rq-row-name', (els) => els.map((e) => e.value)),
      ['lang'],
    );
    const details = await page.textContent('#rq-curl-details');
    assert.match(details, /authorization: Bearer token/i);
    assert.match(details, /cookie session/);
    assert.match(details, /--compressed/);
    assert.ok(!details.includes(TOKEN) && !details.includes(SESSION), 'credential values are not shown');
    await page.locator('#rq-curl-panel').evaluate((el) => el.scrollIntoView());
    await E.screenshot(page, 'import-curl.png');

    await page.click('#rq-curl-new-ds');
    await page.waitForFunction(() => document.querySelector('#rq-url-preview').textContent.endsWith('/api/v3/pet'));
    assert.strictEqual(await page.textContent('#rq-url-preview'), `${api.url}/api/v3/pet`);
    await page.click('#rq-curl-inject');
    await page.click('#node-dialog-ok');

    const injectId = await page.evaluate(
      (q) => RED.nodes.filterLinks({ target: { id: q } }).map((l) => l.source.id)[0],
      queryId,
    );
    assert.ok(injectId, 'an Inject node is wired to the query');
    await E.deploy(page);

    const flowText = nr.read('flows.json');
    assert.ok(!flowText.includes(TOKEN) && !flowText.includes(SESSION), 'no credential in the flow file');
    const ds = JSON.parse(flowText).find((n) => n.type === 'rest-datasource');
    assert.strictEqual(ds.baseUrl, `${api.url}/api/v3`);
    assert.strictEqual(ds.authType, 'bearer');
    assert.deepStrictEqual(ds.cookies, [{ name: 'session', value: '', secret: true }]);
    const creds = E.decryptCredentials(nr.read('flows_cred.json'))[ds.id];
    assert.strictEqual(creds.token, TOKEN);
    assert.deepStrictEqual(JSON.parse(creds.secrets), { 'cookies:session': SESSION });

    const before = api.requests.length;
    await w.inject(injectId, () => api.requests.length);
    const req = api.requests[before];
    assert.strictEqual(req.method, 'POST');
    assert.strictEqual(req.url, '/api/v3/pet?lang=de');
    assert.strictEqual(req.headers.authorization, `Bearer ${TOKEN}`);
    assert.strictEqual(req.headers.cookie, `session=${SESSION}`);
    assert.strictEqual(req.headers['x-request-source'], 'docs');
    assert.strictEqual(req.headers['content-type'], 'application/json');
    assert.deepStrictEqual(JSON.parse(req.body), { name: 'doggie', tags: ["it's new"] });
  });

  it('Import OpenAPI sets base URL and auth; a picked operation fills the query and runs', async function () {
    const queryId = await newQueryWithNewDatasource(320);

    await page.click('#rds-openapi-button');
    // Pasted: a description whose server URL has variables, each a field with its default.
    const variables = fs.readFileSync(require.resolve('@readme/oas-examples/3.0/json/server-variables.json'), 'utf8');
    await page.fill('#rds-openapi-text', variables);
    await page.click('#rds-openapi-read');
    await page.waitForSelector('#rds-openapi-result.rds-ok');
    assert.strictEqual(await page.inputValue('#rds-openapi-var-name'), 'demo');
    await page.selectOption('#rds-openapi-server', '2');
    assert.deepStrictEqual(
      await page.$$eval('#rds-openapi-var-port option', (els) => els.map((e) => e.value)),
      ['3000', '5000'],
      'an enum variable is a list',
    );
    await page.selectOption('#rds-openapi-server', '0');
    await w.type('#rds-openapi-var-name', 'eu');
    await page.click('#rds-openapi-apply');
    assert.strictEqual(await page.inputValue('#node-config-input-baseUrl'), 'https://eu.example.com:443/v2');
    assert.strictEqual(await page.inputValue('#node-config-input-name'), 'Server variables', 'named after it');
    await page.fill('#rds-openapi-text', '');
    await page.fill('#node-config-input-name', '');

    // By URL: the Petstore, pointed at the stand-in API.
    await w.type('#rds-openapi-url', `${docs.url}/petstore.json`);
    await page.click('#rds-openapi-fetch');
    await page.waitForSelector('#rds-openapi-result.rds-ok');
    assert.match(await page.textContent('#rds-openapi-result'), /Swagger Petstore .*20 operations/);
    assert.strictEqual(await page.inputValue('#rds-openapi-server'), '0');
    assert.match(await page.textContent('#rds-openapi-security option:checked'), /api_key \(apiKey\)/);
    await page.click('#rds-openapi-apply');
    assert.strictEqual(await page.inputValue('#node-config-input-baseUrl'), `${api.url}/v2`);
    assert.strictEqual(await page.inputValue('#node-config-input-authType'), 'apiKey');
    assert.strictEqual(await page.inputValue('#node-config-input-apiKeyName'), 'api_key');
    assert.strictEqual(await page.inputValue('#node-config-input-name'), 'Swagger Petstore');
    await E.screenshot(page, 'import-openapi.png');
    // the key itself is the user's to paste (Authentication tab)
    await w.showTab('auth');
    await w.type('#node-config-input-apiKey', API_KEY);
    await page.click('#node-config-dialog-ok');
    await page.waitForSelector('#node-config-input-baseUrl', { state: 'detached' });

    // The query dialog now offers the operations, grouped by tag and searchable.
    await page.waitForSelector('#rq-op-row', { state: 'visible' });
    assert.match(await page.textContent('#rq-op-count'), /20 of 20/);
    await w.type('#rq-op-search', 'pet by id');
    assert.deepStrictEqual(await page.$$eval('#rq-op-select option', (els) => els.map((e) => e.value)), [
      '',
      'getPetById',
    ]);
    await page.selectOption('#rq-op-select', 'getPetById');
    assert.strictEqual(await page.inputValue('#node-input-method'), 'GET');
    assert.strictEqual(await page.inputValue('#node-input-path'), '/pet/{{petId}}');
    assert.match(await page.textContent('#rq-op-details'), /petId \(path, integer, required\)/);
    await E.screenshot(page, 'import-operation.png');
    await page.click('#node-dialog-ok');

    // An Inject node sending msg.petId 7 (as its dialog would set it), wired to the query.
    const injectId = await page.evaluate((query) => {
      const q = RED.nodes.node(query);
      const id = RED.nodes.id();
      const props = [{ p: 'payload' }, { p: 'petId', v: '7', vt: 'num' }];
      const json = { id, type: 'inject', z: q.z, x: q.x - 220, y: q.y, props, payload: '', payloadType: 'date' };
      const added = RED.nodes.import([{ ...json, repeat: '', once: false, topic: '', wires: [[]] }], {
        markChanged: true,
      });
      RED.nodes.addLink({ source: added.nodes[0], sourcePort: 0, target: q });
      RED.nodes.dirty(true);
      RED.view.redraw(true);
      return id;
    }, queryId);
    await E.deploy(page);
    const flow = JSON.parse(nr.read('flows.json'));
    const ds = flow.find((n) => n.type === 'rest-datasource' && n.openapi);
    assert.strictEqual(ds.openapi.operations.length, 20);
    assert.strictEqual(ds.openapi.source, `${docs.url}/petstore.json`);
    assert.strictEqual(flow.find((n) => n.id === queryId).operationId, 'getPetById');
    // Reopened, the datasource dialog names its index and offers its source again.
    await page.dblclick(w.nodeSel(queryId));
    await page.click('#node-input-btn-datasource-edit');
    await page.waitForSelector('#node-config-input-baseUrl');
    assert.strictEqual(await page.textContent('#rds-openapi-current'), 'Swagger Petstore: 20 operations');
    assert.strictEqual(await page.inputValue('#rds-openapi-url'), `${docs.url}/petstore.json`);
    await page.click('#node-config-dialog-cancel');
    await page.click('#node-dialog-cancel');
    assert.ok(!JSON.stringify(flow).includes(API_KEY));

    const before = api.requests.length;
    await w.inject(injectId, () => api.requests.length);
    const req = api.requests[before];
    assert.strictEqual(req.method, 'GET');
    assert.strictEqual(req.url, '/v2/pet/7');
    assert.strictEqual(req.headers.api_key, API_KEY);
  });

  it('a command under an existing datasource offers it, the path relative to it, and its key can replace the auth there', async function () {
    const dsId = await page.evaluate((base) => {
      let id;
      RED.nodes.eachConfig((n) => {
        if (n.type === 'rest-datasource' && n.baseUrl === base) id = n.id;
      });
      return id;
    }, `${api.url}/api/v3`);
    const queryId = await w.addNode('rest-query', 460, 480);
    await page.dblclick(w.nodeSel(queryId));
    await page.waitForSelector('#node-input-datasource');
    await page.click('#rq-curl-button');
    await page.fill('#rq-curl-text', `curl -H 'X-API-Key: ${API_KEY}' '${api.url}/api/v3/store/inventory'`);
    await page.click('#rq-curl-apply');
    await page.waitForSelector('#rq-curl-result.rds-ok');
    // No datasource picked yet: the one that covers the URL is offered before a new one.
    await page.click(`#rq-curl-use-${dsId}`);
    await page.waitForSelector('#rq-curl-store-credentials');
    assert.strictEqual(await page.inputValue('#node-input-datasource'), dsId);
    assert.strictEqual(await page.inputValue('#node-input-path'), '/store/inventory');
    assert.strictEqual(await page.isVisible('#rq-curl-new-ds'), false, 'no new datasource offered');
    assert.match(
      await page.textContent('#rq-curl-store-credentials'),
      /Store them in the datasource .* \(replaces its bearer authentication\)/,
    );
    await page.click('#rq-curl-store-credentials');
    await page.waitForSelector('#rq-curl-stored.rds-ok');
    const ds = await page.evaluate((id) => {
      const n = RED.nodes.node(id);
      return { authType: n.authType, apiKeyName: n.apiKeyName, apiKeyIn: n.apiKeyIn, changed: n.changed };
    }, dsId);
    assert.deepStrictEqual(ds, { authType: 'apiKey', apiKeyName: 'X-API-Key', apiKeyIn: 'header', changed: true });
    await page.click('#node-dialog-ok');
    await E.deploy(page);
    const flowText = nr.read('flows.json');
    assert.ok(!flowText.includes(API_KEY));
    assert.strictEqual(JSON.parse(flowText).find((n) => n.id === dsId).authType, 'apiKey');
    const creds = E.decryptCredentials(nr.read('flows_cred.json'))[dsId];
    assert.strictEqual(creds.apiKey, API_KEY);
    // the cookie stored by the first import is still there
    assert.deepStrictEqual(JSON.parse(creds.secrets), { 'cookies:session': SESSION });
  });

  it('explains the import in the language of the editor (German)', async function () {
    const { context, page: de } = await E.openEditor(browser, nr.url, { locale: 'de-DE' });
    try {
      const wde = workspace(de, nr.url);
      const queryId = await wde.addNode('rest-query', 460, 640);
      await de.dblclick(wde.nodeSel(queryId));
      await de.waitForSelector('#node-input-datasource');
      await de.click('#rq-curl-button');
      await de.fill('#rq-curl-text', `curl -s --compressed -u alice '${api.url}/api/v3/user' -d "x=$(id)"`);
      await de.click('#rq-curl-apply');
      await de.waitForSelector('#rq-curl-result.rds-ok');
      const details = await de.textContent('#rq-curl-details');
      assert.match(details, /Gefundene Zugangsdaten/);
      assert.match(details, /-u: Basic-Authentifizierung/);
      assert.match(details, /-u ohne Passwort/);
      assert.match(details, /"x=\$\(id\)" enthält Shell-Syntax/);
      assert.match(details, /--compressed: die Datenquelle fordert komprimierte Antworten immer an/);
      assert.match(details, /-s: ändert nur, was curl ausgibt/);
      await de.click('#node-dialog-cancel');
    } finally {
      await context.close();
    }
  });

  it("loads GitHub's 13 MB description from a file; the picker finds an operation among 1,000+", async function () {
    await newQueryWithNewDatasource(800);
    await page.click('#rds-openapi-button');
    await page.setInputFiles('#rds-openapi-file', require.resolve('@octokit/openapi/generated/api.github.com.json'));
    await page.click('#rds-openapi-read');
    await page.waitForSelector('#rds-openapi-result.rds-ok', { timeout: 30000 });
    const count = Number(/(\d+) operations/.exec(await page.textContent('#rds-openapi-result'))[1]);
    assert.ok(count > 1000, String(count));
    await page.click('#rds-openapi-apply');
    assert.strictEqual(await page.inputValue('#node-config-input-baseUrl'), 'https://api.github.com');
    await page.click('#node-config-dialog-ok');
    await page.waitForSelector('#node-config-input-baseUrl', { state: 'detached' });

    await page.waitForSelector('#rq-op-row', { state: 'visible' });
    assert.match(await page.textContent('#rq-op-count'), new RegExp(`^${count} of ${count}`));
    await w.type('#rq-op-search', 'create an issue');
    const options = await page.$$eval('#rq-op-select option', (els) => els.map((e) => e.value));
    assert.ok(options.includes('issues/create'), options.join());
    await page.selectOption('#rq-op-select', 'issues/create');
    assert.strictEqual(await page.inputValue('#node-input-method'), 'POST');
    assert.strictEqual(await page.inputValue('#node-input-path'), '/repos/{{owner}}/{{repo}}/issues');
    assert.strictEqual(await page.inputValue('#node-input-bodyType'), 'json');
    await page.click('#node-dialog-ok');
    await E.deploy(page);
    const ds = JSON.parse(nr.read('flows.json')).find((n) => n.baseUrl === 'https://api.github.com');
    assert.strictEqual(ds.openapi.operations.length, count);
    assert.strictEqual(ds.openapi.source, '');
  });
});
