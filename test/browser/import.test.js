'use strict';
/* global RED, document, window -- used inside functions that run in the browser page */
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
    // The token waits for a datasource: the message says so before it says Done.
    const filled = await page.textContent('#rq-curl-result');
    assert.match(filled, /not kept yet: create or choose a datasource below first, then Done/);
    assert.doesNotMatch(filled, /Check the fields below, then Done/);

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
    // Said where the user looks, and the picker that shows the new datasource scrolled into view.
    assert.match(
      await page.textContent('#rq-curl-created'),
      /Created the datasource "127\.0\.0\.1:\d+" and selected it/,
    );
    assert.match(await page.textContent('#rq-curl-result'), /Check the fields below, then Done/);
    await page.waitForFunction(() => {
      const picker = document.querySelector('#node-input-datasource').getBoundingClientRect();
      const tray = document.querySelector('.red-ui-tray-body').getBoundingClientRect();
      return picker.top >= tray.top && picker.bottom <= tray.bottom;
    });
    await E.screenshot(page, 'import-curl-created.png', { docs: false });
    await page.click('#rq-curl-inject');
    assert.match(await page.textContent('#rq-curl-injected'), /Added and wired/);
    await page.click('#node-dialog-ok');

    const inject = await page.evaluate((q) => {
      const node = RED.nodes.filterLinks({ target: { id: q } }).map((l) => l.source)[0];
      const chart = document.querySelector('#red-ui-workspace-chart').getBoundingClientRect();
      const palette = document.querySelector('#red-ui-palette').getBoundingClientRect();
      const button = document.querySelector(`g.red-ui-flow-node-group[id="${node.id}"] .red-ui-flow-node-button`);
      const box = button.getBoundingClientRect();
      return {
        id: node.id,
        selected: RED.view.selection().nodes.map((n) => n.id),
        buttonLeft: box.left,
        chartLeft: chart.left,
        paletteRight: palette.right,
      };
    }, queryId);
    const injectId = inject.id;
    assert.ok(injectId, 'an Inject node is wired to the query');
    assert.deepStrictEqual(inject.selected, [injectId], 'and selected');
    assert.ok(inject.buttonLeft > inject.chartLeft && inject.buttonLeft > inject.paletteRight, JSON.stringify(inject));
    await E.screenshot(page, 'import-curl-inject.png', { docs: false });
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
    // Each way in has its own button, all in one column.
    const buttons = await page.$$eval(
      ['#rds-openapi-fetch', '#rds-openapi-paste', '#rds-openapi-read'].join(','),
      (els) =>
        els.map((e) => {
          const r = e.getBoundingClientRect();
          return [Math.round(r.left), Math.round(r.width)];
        }),
    );
    assert.deepStrictEqual(buttons, [buttons[0], buttons[0], buttons[0]], JSON.stringify(buttons));
    await page.click('#rds-openapi-paste');
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
    await page.waitForFunction(() => document.querySelector('#rq-op-count').textContent.startsWith('20 of 20'));
    await w.type('#rq-op-search', 'pet by id');
    await page.waitForFunction(() => document.querySelectorAll('#rq-op-select option').length === 2);
    assert.deepStrictEqual(await page.$$eval('#rq-op-select option', (els) => els.map((e) => e.value)), [
      '',
      'getPetById',
    ]);
    // From the search into the list with the arrow key; Enter picks.
    await page.press('#rq-op-search', 'ArrowDown');
    assert.strictEqual(await page.evaluate(() => document.activeElement.id), 'rq-op-select');
    assert.strictEqual(await page.inputValue('#node-input-path'), '', 'moving does not pick yet');
    await page.keyboard.press('Enter');
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
    // The flow holds a reference; the index itself is in the user directory.
    assert.deepStrictEqual(Object.keys(ds.openapi).sort(), ['count', 'hash', 'source', 'title', 'version']);
    assert.strictEqual(ds.openapi.count, 20);
    assert.strictEqual(ds.openapi.source, `${docs.url}/petstore.json`);
    const kept = JSON.parse(nr.read(`rest-datasource/openapi/${ds.openapi.hash}.json`));
    assert.strictEqual(kept.operations.length, 20);
    assert.strictEqual(flow.find((n) => n.id === queryId).operationId, 'getPetById');
    // Reopened, the datasource dialog names its index and offers its source again.
    await page.dblclick(w.nodeSel(queryId));
    await E.editDatasource(page);
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
    // A long name: its buttons stay one line, cut with an ellipsis, the whole name in their title.
    const longName = `Petstore ${'with a rather long name '.repeat(6)}end`;
    await page.evaluate(({ id, name }) => (RED.nodes.node(id).name = name), { id: dsId, name: longName });
    const queryId = await w.addNode('rest-query', 460, 480);
    await page.dblclick(w.nodeSel(queryId));
    await page.waitForSelector('#node-input-datasource');
    await page.click('#rq-curl-button');
    await page.fill('#rq-curl-text', `curl -H 'X-API-Key: ${API_KEY}' '${api.url}/api/v3/store/inventory'`);
    await page.click('#rq-curl-apply');
    await page.waitForSelector('#rq-curl-result.rds-ok');
    // No datasource picked yet: the one that covers the URL is offered before a new one.
    const useButton = await page.$eval(`#rq-curl-use-${dsId}`, (b) => ({
      title: b.title,
      cut: b.scrollWidth > b.clientWidth,
      oneLine: b.getBoundingClientRect().height < 40,
      inside: b.getBoundingClientRect().right <= document.querySelector('#rq-curl-panel').getBoundingClientRect().right,
    }));
    assert.deepStrictEqual(useButton, {
      title: `Use the datasource "${longName}"`,
      cut: true,
      oneLine: true,
      inside: true,
    });
    await E.screenshot(page, 'import-curl-long-name.png', { docs: false });
    await page.click(`#rq-curl-use-${dsId}`);
    await page.waitForSelector('#rq-curl-store-credentials');
    assert.strictEqual(await page.inputValue('#node-input-datasource'), dsId);
    assert.match(await page.getAttribute('#node-input-datasource', 'title'), /rather long name .*end$/);
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

    // Test connection towards another host: the stored key stays home, and the dialog says so.
    await page.dblclick(w.nodeSel(queryId));
    await E.editDatasource(page);
    await w.type('#node-config-input-baseUrl', 'http://127.0.0.1:1/api/v3');
    await page.$eval('#rds-test-button', (b) => b.scrollIntoView({ block: 'center' }));
    await page.click('#rds-test-button');
    await page.waitForSelector('#rds-test-result.rds-fail');
    const tested = await page.textContent('#rds-test-result');
    assert.match(
      tested,
      /^ ?Stored secrets were withheld because the destination .* differs from the deployed datasource: enter Token, the values of the secret rows, API key again/,
      'the stored cookie row is withheld too',
    );
    assert.ok(!tested.includes(API_KEY));
    await E.screenshot(page, 'test-connection-withheld.png', { docs: false });
    await page.click('#node-config-dialog-cancel');
    await page.click('#node-dialog-cancel');
  });

  it('Cancel takes back what Import cURL created; Done without a datasource says the credentials were not kept', async function () {
    const count = () =>
      page.evaluate(() => {
        let datasources = 0;
        RED.nodes.eachConfig((c) => {
          if (c.type === 'rest-datasource') datasources++;
        });
        return { datasources, injects: RED.nodes.filterNodes({ type: 'inject' }).length };
      });
    const before = await count();
    const queryId = await w.addNode('rest-query', 700, 140);
    const afterAdd = await count();
    await page.dblclick(w.nodeSel(queryId));
    await page.waitForSelector('#node-input-datasource');
    await page.click('#rq-curl-button');
    const command = `curl -H 'Authorization: Bearer ${TOKEN}' https://cancel.example.com/v1/items -d 'a=1'`;
    await page.fill('#rq-curl-text', command);
    await page.click('#rq-curl-apply');
    await page.waitForSelector('#rq-curl-new-ds');
    await page.click('#rq-curl-new-ds');
    await page.click('#rq-curl-inject');
    const during = await count();
    assert.strictEqual(during.datasources, afterAdd.datasources + 1);
    assert.strictEqual(during.injects, afterAdd.injects + 1);
    await page.click('#node-dialog-cancel');
    await page.waitForSelector('.red-ui-tray', { state: 'detached' });
    const after = await count();
    assert.deepStrictEqual(
      [after.datasources, after.injects],
      [afterAdd.datasources, afterAdd.injects],
      'the datasource and the Inject node are gone',
    );
    assert.strictEqual(before.datasources, after.datasources);

    // Done while the token still waits for a datasource: a warning, not silence.
    await page.dblclick(w.nodeSel(queryId));
    await page.waitForSelector('#node-input-datasource');
    await page.click('#rq-curl-button');
    await page.fill('#rq-curl-text', command);
    await page.click('#rq-curl-apply');
    await page.waitForSelector('#rq-curl-new-ds');
    await page.click('#node-dialog-ok');
    const warning = page.locator('.red-ui-notification', { hasText: 'were not kept' });
    await warning.waitFor();
    assert.match(await warning.textContent(), /https:\/\/cancel\.example\.com\/v1.* were not kept/);
    await page.evaluate((id) => {
      RED.nodes.remove(id);
      RED.view.redraw(true);
    }, queryId);
  });

  it('operations read as text, grouped by path without tags; a missing index offers the datasource', async function () {
    const queryId = await newQueryWithNewDatasource(560);
    const description = {
      openapi: '3.0.3',
      info: { title: 'Plain text', version: '1' },
      servers: [{ url: `${api.url}/v1` }],
      paths: {
        '/customers/{id}': {
          get: {
            operationId: 'GetCustomersId',
            summary: '<p>Retrieves a <a href="/docs">Customer</a> object.</p>',
            parameters: [
              { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
              {
                name: 'X-GitHub-Api-Version',
                in: 'header',
                required: true,
                schema: { type: 'string', default: '2022-11-28' },
              },
            ],
          },
        },
        '/customers': {
          get: { operationId: 'GetCustomers', description: 'Lists **all** [customers](https://x.test).' },
        },
        '/charges': { post: { operationId: 'PostCharges', summary: '<p>Creates a charge &amp; more.</p>' } },
      },
    };
    await page.click('#rds-openapi-button');
    await page.fill('#rds-openapi-text', JSON.stringify(description));
    await page.click('#rds-openapi-paste');
    await page.waitForSelector('#rds-openapi-result.rds-ok');
    await E.screenshot(page, 'import-openapi-panel.png', { docs: false });
    await page.click('#rds-openapi-apply');
    await page.click('#node-config-dialog-ok');
    await page.waitForSelector('#node-config-input-baseUrl', { state: 'detached' });
    await page.waitForSelector('#rq-op-row', { state: 'visible' });
    await page.waitForFunction(() => document.querySelectorAll('#rq-op-select optgroup').length > 0);
    assert.deepStrictEqual(await page.$$eval('#rq-op-select optgroup', (els) => els.map((e) => e.label)), [
      '/customers',
      '/charges',
    ]);
    assert.deepStrictEqual(await page.$$eval('#rq-op-select optgroup option', (els) => els.map((e) => e.textContent)), [
      'GET /customers/{id} — Retrieves a Customer object.',
      'GET /customers — Lists all customers.',
      'POST /charges — Creates a charge & more.',
    ]);
    await page.selectOption('#rq-op-select', 'GetCustomersId');
    // The header name fits its column.
    const fits = await page.$$eval('#node-input-headers-list .rq-row-name', (els) =>
      els.map((e) => [e.value, e.scrollWidth <= e.clientWidth]),
    );
    assert.deepStrictEqual(fits, [['X-GitHub-Api-Version', true]]);
    // A long URL wraps inside the dialog.
    const tray = await page.$eval('.red-ui-tray', (e) => e.getBoundingClientRect().width);
    await w.type('#node-input-path', `/customers/${'segment-'.repeat(40)}end`);
    await page.waitForFunction(() => document.querySelector('#rq-url-preview').textContent.endsWith('end'));
    const preview = await page.$eval('#rq-url-preview', (e) => {
      const form = document.querySelector('#dialog-form');
      return {
        right: e.getBoundingClientRect().right,
        formRight: form.getBoundingClientRect().right,
        wide: form.scrollWidth > form.clientWidth,
      };
    });
    assert.ok(preview.right <= preview.formRight && !preview.wide, JSON.stringify(preview));
    assert.strictEqual(await page.$eval('.red-ui-tray', (e) => e.getBoundingClientRect().width), tray);
    await E.screenshot(page, 'import-operation-text.png', { docs: false });
    await page.click('#node-dialog-cancel');

    // A flow from elsewhere: the datasource refers to an index this Node-RED does not keep.
    const ids = await page.evaluate(() => {
      const z = RED.workspaces.active();
      const ds = RED.nodes.id();
      const q = RED.nodes.id();
      const openapi = { title: 'Elsewhere', version: '1', source: '', hash: 'ab'.repeat(32), count: 12 };
      RED.nodes.import(
        [
          {
            id: ds,
            type: 'rest-datasource',
            name: 'from another Node-RED',
            baseUrl: 'https://elsewhere.example.com',
            openapi,
          },
          { id: q, type: 'rest-query', z, x: 460, y: 900, datasource: ds, operationId: 'x', wires: [[]] },
        ],
        { generateIds: false, applyNodeDefaults: true },
      );
      RED.view.redraw(true);
      return { ds, q };
    });
    await page.evaluate((id) => RED.view.reveal(id), ids.q);
    await page.dblclick(w.nodeSel(ids.q));
    await page.waitForSelector('#rq-op-missing', { state: 'visible' });
    assert.match(await page.textContent('#rq-op-missing'), /Import the description again in the datasource/);
    await E.screenshot(page, 'import-operation-missing.png', { docs: false });
    await page.click('#rq-op-reimport');
    await page.waitForSelector('#node-config-input-baseUrl');
    assert.strictEqual(await page.inputValue('#node-config-input-name'), 'from another Node-RED');
    assert.strictEqual(await page.textContent('#rds-openapi-current'), 'Elsewhere: 12 operations');
    await page.click('#node-config-dialog-cancel');
    await page.click('#node-dialog-cancel');
    await page.evaluate(({ ds, q }) => {
      RED.nodes.remove(q);
      RED.nodes.remove(ds);
      RED.view.redraw(true);
    }, ids);
    assert.ok(queryId);
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

  it('a 0.1.x flow with its index inline: moved out by the runtime, the next deploy saves the reference', async function () {
    const operations = [
      {
        id: 'listThings',
        method: 'GET',
        path: '/things',
        summary: 'List things',
        tag: 'things',
        params: [],
        bodyType: 'none',
      },
    ];
    const dsId = 'legacy0ds0000001';
    const headers = { 'Content-Type': 'application/json', 'Node-RED-API-Version': 'v2' };
    const current = await (await fetch(`${nr.url}/flows`, { headers })).json();
    const legacy = {
      id: dsId,
      type: 'rest-datasource',
      name: 'legacy index',
      baseUrl: `${api.url}/v1`,
      openapi: { title: 'Legacy', version: '0.1', source: '', operations },
    };
    const res = await fetch(`${nr.url}/flows`, {
      method: 'POST',
      headers: { ...headers, 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify({ flows: [...current.flows, legacy], rev: current.rev }),
    });
    assert.strictEqual(res.status, 200);
    assert.ok(nr.read('flows.json').includes('"listThings"'), 'deployed inline, as 0.1.x saved it');
    await page.reload();
    await page.waitForSelector('.red-ui-palette-node[data-palette-type="rest-query"]');
    await page.addStyleTag({ content: '#red-ui-notifications { pointer-events: none; }' });
    await page.waitForFunction((id) => RED.nodes.node(id) && RED.nodes.node(id).openapi.hash, dsId);
    const held = await page.evaluate((id) => ({ openapi: RED.nodes.node(id).openapi, dirty: RED.nodes.dirty() }), dsId);
    assert.deepStrictEqual(
      { ...held.openapi, hash: held.openapi.hash.length },
      { title: 'Legacy', version: '0.1', source: '', hash: 64, count: 1 },
    );
    assert.strictEqual(held.dirty, false, 'not marked changed');
    await page.evaluate(() => RED.nodes.dirty(true));
    await E.deploy(page);
    const saved = JSON.parse(nr.read('flows.json')).find((n) => n.id === dsId);
    assert.deepStrictEqual(saved.openapi, held.openapi);
    assert.deepStrictEqual(
      JSON.parse(nr.read(`rest-datasource/openapi/${saved.openapi.hash}.json`)).operations,
      operations,
    );
  });

  it("loads GitHub's 13 MB description from a file; the picker finds an operation among 1,000+", async function () {
    this.timeout(180000);
    const queryId = await newQueryWithNewDatasource(800);
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
    await page.waitForFunction(
      (n) => document.querySelector('#rq-op-count').textContent.startsWith(`${n} of ${n}`),
      count,
    );
    await page.click('#node-dialog-ok');
    const flowBefore = fs.existsSync(`${nr.userDir}/flows.json`) ? nr.read('flows.json').length : 0;
    await E.deploy(page);
    const flowText = nr.read('flows.json');
    const ds = JSON.parse(flowText).find((n) => n.baseUrl === 'https://api.github.com');
    assert.strictEqual(ds.openapi.count, count);
    assert.strictEqual(ds.openapi.source, '');
    const refBytes = JSON.stringify(ds.openapi).length;
    assert.ok(refBytes < 2048, `the description adds ${refBytes} bytes to the flow`);
    console.log(
      `      flows.json: the datasource's openapi property ${refBytes} B; the whole datasource node ` +
        `${JSON.stringify(ds).length} B; flows.json ${flowBefore} B → ${flowText.length} B with the new query and datasource`,
    );

    // A fresh editor (nothing cached): open the query dialog and time it until the picker lists all.
    const { context, page: fresh } = await E.openEditor(browser, nr.url);
    try {
      const wf = workspace(fresh, nr.url);
      await fresh.evaluate(() => {
        window.longTasks = [];
        window.eventTimes = [];
        new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration))).observe({
          type: 'longtask',
        });
        new PerformanceObserver((list) =>
          window.eventTimes.push(...list.getEntries().map((e) => [e.name, e.duration])),
        ).observe({ type: 'event', durationThreshold: 16 });
      });
      await fresh.waitForSelector(wf.nodeSel(queryId));
      // How long the dialog's own preparation takes, apart from Node-RED's tray.
      await fresh.evaluate(() => {
        const def = RED.nodes.getType('rest-query');
        const prepare = def.oneditprepare;
        window.prepareMs = [];
        def.oneditprepare = function () {
          const t0 = performance.now();
          prepare.call(this);
          window.prepareMs.push(performance.now() - t0);
        };
      });
      await fresh.waitForTimeout(1500);
      await fresh.evaluate(() => (window.longTasks.length = 0));
      const opened = await fresh.evaluate(() => performance.now());
      await fresh.dblclick(wf.nodeSel(queryId));
      await fresh.waitForSelector('#node-input-datasource', { state: 'attached' });
      const trayMs = (await fresh.evaluate(() => performance.now())) - opened;
      await fresh.waitForFunction(
        (n) => (document.querySelector('#rq-op-count') || {}).textContent === `${n} of ${n} operations`,
        count,
      );
      const openMs = (await fresh.evaluate(() => performance.now())) - opened;
      const fetchMs = await fresh.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .filter((e) => e.name.includes('openapi-index'))
          .map((e) => Math.round(e.duration)),
      );
      await fresh.waitForTimeout(500);
      const openTasks = await fresh.evaluate(() => window.longTasks.splice(0));
      const prepareMs = await fresh.evaluate(() => window.prepareMs.map(Math.round));
      // The list holds a readable number of options; the search narrows it.
      await fresh.waitForFunction(() =>
        /more: type to narrow/.test(document.querySelector('#rq-op-select').lastChild.textContent),
      );
      const listed = await fresh.$$eval('#rq-op-select option', (els) => els.length);
      assert.ok(listed <= 452, String(listed));
      assert.match(
        await fresh.$eval('#rq-op-select', (e) => e.lastChild.textContent),
        new RegExp(`… ${count - 450} more: type to narrow the list`),
      );
      await E.screenshot(fresh, 'import-operation-github.png', { docs: false });

      // Typed key by key; the list follows once typing pauses; no keystroke blocks the page long.
      await fresh.evaluate(() => (window.eventTimes.length = 0));
      await fresh.type('#rq-op-search', 'create an issue', { delay: 40 });
      await fresh.waitForFunction(() => !document.querySelector('#rq-op-count').textContent.startsWith('1'));
      await fresh.waitForTimeout(400);
      const typingTasks = await fresh.evaluate(() => window.longTasks.splice(0));
      const events = await fresh.evaluate(() => window.eventTimes.filter(([name]) => /key|input/.test(name)));
      const longest = Math.max(0, ...typingTasks);
      console.log(
        `      query dialog opened with ${count} operations in ${Math.round(openMs)} ms (tray and fields ` +
          `${Math.round(trayMs)} ms of which oneditprepare ${prepareMs.join(', ')} ms, index fetched in ` +
          `${fetchMs.join(', ')} ms) ` +
          `(long tasks meanwhile: ${openTasks.map(Math.round).join(', ') || 'none'}); typing "create an issue": ` +
          `long tasks ${typingTasks.map(Math.round).join(', ') || 'none (all < 50 ms)'}, ` +
          `slowest key/input event ${Math.round(Math.max(0, ...events.map((e) => e[1])))} ms`,
      );
      // Measured, not asserted as time: what the user gets is the list.
      assert.ok(longest >= 0);
      const options = await fresh.$$eval('#rq-op-select option', (els) => els.map((e) => e.value));
      assert.ok(options.includes('issues/create'), options.join());
      await fresh.press('#rq-op-search', 'ArrowDown');
      for (let i = 0; i < options.length && (await fresh.inputValue('#rq-op-select')) !== 'issues/create'; i++) {
        await fresh.keyboard.press('ArrowDown');
      }
      await fresh.keyboard.press('Enter');
      assert.strictEqual(await fresh.inputValue('#node-input-method'), 'POST');
      assert.strictEqual(await fresh.inputValue('#node-input-path'), '/repos/{{owner}}/{{repo}}/issues');
      assert.strictEqual(await fresh.inputValue('#node-input-bodyType'), 'json');
      await E.screenshot(fresh, 'import-operation-keyboard.png', { docs: false });
      await fresh.click('#node-dialog-cancel');
      await fresh.waitForSelector('.red-ui-tray', { state: 'detached' });
      await fresh.waitForTimeout(500);
      const again = await fresh.evaluate(() => performance.now());
      await fresh.dblclick(wf.nodeSel(queryId));
      await fresh.waitForFunction(
        (n) => (document.querySelector('#rq-op-count') || {}).textContent === `${n} of ${n} operations`,
        count,
      );
      const againMs = (await fresh.evaluate(() => performance.now())) - again;
      const againPrepare = await fresh.evaluate(() => Math.round(window.prepareMs[window.prepareMs.length - 1]));
      console.log(`      opened again (index cached): ${Math.round(againMs)} ms, oneditprepare ${againPrepare} ms`);
      await fresh.click('#node-dialog-cancel');
    } finally {
      await context.close();
    }
  });
});
