'use strict';
/* global RED, document -- used inside functions that run in the browser page */
// The editor in a real browser: a user adds a datasource and a query from the palette, fills the
// dialogs (a secret header, Basic auth), deploys, and the query reaches a local API. Checks what
// lands on disk (no secret in the flow file, secrets encrypted in the credential file) and what
// the API receives.
const assert = require('assert');
const E = require('./lib/editor');
const { startServer } = require('../lib/server');
const { startOAuthServer } = require('../lib/oauth-server');

const SECRET_HEADER = 'header-secret-4711';
const PASSWORD = 'pa55-word-0815';

describe('editor in a browser', function () {
  this.timeout(60000);
  let api;
  let nr;
  let browser;
  let page;

  before(async function () {
    if (!E.hasChromium()) {
      console.log('      (skipped: /usr/bin/chromium is missing; install Debian package "chromium")');
      this.skip();
    }
    api = await startServer();
    nr = await E.startNodeRed();
    browser = await E.launchBrowser();
    ({ page } = await E.openEditor(browser, nr.url));
  });

  after(async function () {
    if (browser) await browser.close();
    if (nr) await nr.stop();
    if (api) await api.close();
  });

  const nodeIds = (type) => page.evaluate((t) => RED.nodes.filterNodes({ type: t }).map((n) => n.id), type);
  const nodeSel = (id) => `#red-ui-workspace-chart g.red-ui-flow-node-group[id="${id}"]`;
  // Type as a user does: Node-RED re-validates on keyup and change, not on the input event.
  const type = async (sel, text) => {
    await page.fill(sel, text);
    await page.press(sel, 'End');
  };
  /** Drag a node from the palette; its id. */
  const addNode = async (type, x, y) => {
    await page.waitForSelector('.red-ui-tray', { state: 'detached' }); // an edit tray still closing
    const before = await nodeIds(type);
    await E.dragFromPalette(page, type, x, y);
    const added = (await nodeIds(type)).filter((id) => !before.includes(id));
    assert.strictEqual(added.length, 1, `one ${type} added`);
    return added[0];
  };
  /** Drag a wire from one node's output port to another's input port. */
  const wire = async (fromId, toId) => {
    const out = await page.locator(`${nodeSel(fromId)} .red-ui-flow-port-output .red-ui-flow-port`).boundingBox();
    const inp = await page.locator(`${nodeSel(toId)} .red-ui-flow-port-input .red-ui-flow-port`).boundingBox();
    await page.mouse.move(out.x + out.width / 2, out.y + out.height / 2);
    await page.mouse.down();
    await page.mouse.move(inp.x + inp.width / 2, inp.y + inp.height / 2, { steps: 8 });
    await page.mouse.up();
    assert.deepStrictEqual(
      await page.evaluate((id) => RED.nodes.filterLinks({ source: { id } }).map((l) => l.target.id), fromId),
      [toId],
    );
  };
  /** Press an inject node's button (its admin route) and wait for `count()` to grow. */
  const injectAndWait = async (injectId, count) => {
    const before = count();
    const res = await fetch(`${nr.url}/inject/${injectId}`, { method: 'POST' });
    assert.strictEqual(res.status, 200);
    for (let i = 0; i < 100 && count() === before; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(count() > before, 'the query reached the API');
  };
  // RED.tabs reads two clicks within 400 ms (on any tab) as a double click: pause like a user.
  const showTab = async (name) => {
    for (let i = 0; i < 3 && !(await page.isVisible(`#rds-tab-${name}`)); i++) {
      await page.waitForTimeout(450);
      await page.click(`#rds-tabs a[href="#rds-tab-${name}"]`);
    }
    assert.ok(await page.isVisible(`#rds-tab-${name}`), `tab ${name}`);
  };
  const visibleErrors = () =>
    page.$$eval('.red-ui-editor .input-error', (els) => els.filter((e) => e.offsetParent).map((e) => e.id));

  it('configures a datasource and a query, deploys them and sends the request', async function () {
    // Palette: an inject node wired to a rest query.
    const injectId = await addNode('inject', 160, 160);
    const queryId = await addNode('rest-query', 420, 160);
    await wire(injectId, queryId);

    // Query dialog.
    await page.dblclick(nodeSel(queryId));
    await page.waitForSelector('#node-input-datasource');
    await page.selectOption('#node-input-method', 'POST');
    await type('#node-input-path', 'things/{{topic}}');
    await page.click('.red-ui-editableList:has(#node-input-headers-list) .red-ui-editableList-addButton');
    await type('#node-input-headers-list li:nth-child(1) .rq-row-name', 'X-From-Query');
    await type('#node-input-headers-list li:nth-child(1) input.red-ui-typedInput-input', 'query-value');

    // New datasource from the config picker.
    await page.click('#node-input-btn-datasource-add');
    await page.waitForSelector('#node-config-input-baseUrl');
    assert.ok((await visibleErrors()).includes('node-config-input-baseUrl'), 'an empty base URL is marked invalid');
    await type('#node-config-input-name', 'Local API');
    await type('#node-config-input-baseUrl', `${api.url}/v1`);
    assert.deepStrictEqual(await visibleErrors(), []);
    const headerAdd = '.red-ui-editableList:has(#node-config-input-headers-list) .red-ui-editableList-addButton';
    await page.click(headerAdd);
    await page.click(headerAdd);
    const row = (n) => `#node-config-input-headers-list li:nth-child(${n})`;
    await type(`${row(1)} .rds-row-name`, 'X-Api-Secret');
    await type(`${row(1)} .rds-row-value`, SECRET_HEADER);
    await page.check(`${row(1)} .rds-row-secret`);
    assert.strictEqual(await page.getAttribute(`${row(1)} .rds-row-value`, 'type'), 'password');
    await type(`${row(2)} .rds-row-name`, 'X-Plain');
    await type(`${row(2)} .rds-row-value`, 'plain-value');
    await page.screenshot({ path: E.screenshotPath('datasource-connection.png') });

    await showTab('auth');
    await page.selectOption('#node-config-input-authType', 'basic');
    assert.ok(await page.isVisible('#node-config-input-username'));
    assert.ok(!(await page.isVisible('#node-config-input-token')), 'bearer fields stay hidden');
    assert.deepStrictEqual(await visibleErrors(), ['node-config-input-username'], 'Basic needs a user name');
    await type('#node-config-input-username', 'alice');
    await type('#node-config-input-password', PASSWORD);
    assert.deepStrictEqual(await visibleErrors(), []);
    await page.screenshot({ path: E.screenshotPath('datasource-auth.png') });

    // Test connection runs with the unsaved dialog values.
    await showTab('connection');
    await type('#rds-test-path', 'health');
    await page.click('#rds-test-button');
    await page.waitForSelector('#rds-test-result.rds-ok');
    assert.match(await page.textContent('#rds-test-result'), /HTTP 200/);
    const probe = api.requests.find((r) => r.url === '/v1/health');
    assert.ok(probe, 'the test request reached the API');
    assert.strictEqual(probe.headers['x-api-secret'], SECRET_HEADER);
    // The echo API answers with the request headers: the dialog must not show them in clear.
    const shown = await page.textContent('#rds-test-result');
    assert.doesNotMatch(shown, new RegExp(SECRET_HEADER));
    assert.ok(!shown.includes(Buffer.from(`alice:${PASSWORD}`).toString('base64').slice(0, 12)), shown);
    assert.match(shown, /\*\*\*/);

    await page.click('#node-config-dialog-ok');
    await page.waitForSelector('#node-config-input-baseUrl', { state: 'detached' });
    assert.match(await page.inputValue('#node-input-datasource'), /^[0-9a-f]+$/);
    // The preview follows the picked datasource (updated on the picker's change event).
    await page.waitForFunction(
      (url) => document.querySelector('#rq-url-preview').textContent === url,
      `${api.url}/v1/things/{{topic}}`,
    );
    await page.screenshot({ path: E.screenshotPath('query.png') });
    await page.click('#node-dialog-ok');
    // An unnamed query is labelled with its method and path (drawn on the next redraw).
    await page.waitForFunction(
      (sel) => document.querySelector(sel).textContent === 'POST things/{{topic}}',
      `${nodeSel(queryId)} .red-ui-flow-node-label`,
    );

    // The inject node sends msg.topic "42" (set as its dialog would): an empty placeholder value
    // is refused, since it would turn things/{{topic}} into the collection things/.
    await page.evaluate((id) => {
      const n = RED.nodes.node(id);
      n.topic = '42';
      n.changed = true;
      RED.nodes.dirty(true);
    }, injectId);
    await E.deploy(page);

    // On disk: the flow holds no secret; the credential file holds them, encrypted.
    const flowText = nr.read('flows.json');
    const flow = JSON.parse(flowText);
    const ds = flow.find((n) => n.type === 'rest-datasource');
    assert.ok(ds, 'the datasource is in the flow');
    assert.doesNotMatch(flowText, new RegExp(`${SECRET_HEADER}|${PASSWORD}|alice`));
    assert.deepStrictEqual(ds.headers, [
      { name: 'X-Api-Secret', value: '', secret: true },
      { name: 'X-Plain', value: 'plain-value' },
    ]);
    assert.strictEqual(ds.authType, 'basic');
    const credText = nr.read('flows_cred.json');
    assert.doesNotMatch(credText, new RegExp(`${SECRET_HEADER}|${PASSWORD}|alice`));
    const creds = E.decryptCredentials(credText)[ds.id];
    assert.strictEqual(creds.username, 'alice');
    assert.strictEqual(creds.password, PASSWORD);
    assert.deepStrictEqual(JSON.parse(creds.secrets), { 'headers:x-api-secret': SECRET_HEADER });

    // Trigger the inject node as its button does; the API sees every configured header.
    const before = api.requests.length;
    await injectAndWait(injectId, () => api.requests.length);
    const req = api.requests[before];
    assert.strictEqual(req.method, 'POST');
    assert.strictEqual(req.url, '/v1/things/42');
    assert.strictEqual(req.headers.authorization, 'Basic ' + Buffer.from(`alice:${PASSWORD}`).toString('base64'));
    assert.strictEqual(req.headers['x-api-secret'], SECRET_HEADER);
    assert.strictEqual(req.headers['x-plain'], 'plain-value');
    assert.strictEqual(req.headers['x-from-query'], 'query-value');

    // Reopened, the dialog shows the secret row again, masked.
    await page.dblclick(nodeSel(queryId));
    await page.waitForSelector('#node-input-datasource');
    await page.click('#node-input-btn-datasource-edit');
    await page.waitForSelector('#node-config-input-baseUrl');
    assert.strictEqual(await page.getAttribute(`${row(1)} .rds-row-value`, 'type'), 'password');
    assert.strictEqual(await page.inputValue(`${row(1)} .rds-row-value`), SECRET_HEADER);
    assert.ok(await page.isChecked(`${row(1)} .rds-row-secret`));
    await page.click('#node-config-dialog-cancel');
    await page.click('#node-dialog-cancel');
  });

  it('marks the fields each auth type needs, and warns when TLS verification is off', async function () {
    await page.dblclick(nodeSel(await addNode('rest-query', 420, 320)));
    await page.waitForSelector('#node-input-datasource');
    await page.selectOption('#node-input-datasource', '_ADD_');
    await page.click('#node-input-btn-datasource-add');
    await page.waitForSelector('#node-config-input-baseUrl');
    await type('#node-config-input-baseUrl', `${api.url}`);
    await showTab('auth');
    const expect = {
      bearer: ['node-config-input-token'],
      apiKey: ['node-config-input-apiKey'],
      digest: ['node-config-input-username'],
      none: [],
    };
    for (const [type, invalid] of Object.entries(expect)) {
      await page.selectOption('#node-config-input-authType', type);
      assert.deepStrictEqual(await visibleErrors(), invalid, type);
    }
    await page.selectOption('#node-config-input-authType', 'oauth2');
    const grants = {
      client_credentials: ['node-config-input-oauth2TokenUrl', 'node-config-input-clientId'],
      authorization_code: [
        'node-config-input-oauth2AuthUrl',
        'node-config-input-oauth2TokenUrl',
        'node-config-input-clientId',
      ],
      password: ['node-config-input-username', 'node-config-input-oauth2TokenUrl', 'node-config-input-clientId'],
      manual: ['node-config-input-accessToken'],
    };
    for (const [grant, invalid] of Object.entries(grants)) {
      await page.selectOption('#node-config-input-oauth2GrantType', grant);
      assert.deepStrictEqual((await visibleErrors()).sort(), invalid.sort(), grant);
    }
    await page.selectOption('#node-config-input-oauth2GrantType', 'authorization_code');
    assert.strictEqual(
      await page.inputValue('#rds-callback-url'),
      `${nr.url}/rest-datasource/oauth/callback`,
      'the callback URL to register is shown',
    );
    await type('#node-config-input-oauth2TokenUrl', 'not a url');
    assert.ok((await visibleErrors()).includes('node-config-input-oauth2TokenUrl'));

    await showTab('tls');
    assert.ok(!(await page.isVisible('#rds-tls-warning')));
    await page.uncheck('#node-config-input-tlsVerify');
    assert.ok(await page.isVisible('#rds-tls-warning'));
    await page.screenshot({ path: E.screenshotPath('datasource-tls.png') });
    await page.click('#node-config-dialog-cancel');
    // Remove the unconfigured query again: it would make the next Deploy ask for confirmation.
    await page.click('#node-dialog-delete');
  });

  it('authorizes the code grant in a popup; after Deploy the query sends the token', async function () {
    const callback = `${nr.url}/rest-datasource/oauth/callback`;
    const provider = await startOAuthServer({
      clients: [
        { id: 'editor-app', secret: 'client-secret-xyz', auth: 'header', redirectUris: [callback], pkce: true },
      ],
    });
    try {
      const injectId = await addNode('inject', 160, 560);
      const queryId = await addNode('rest-query', 420, 560);
      await wire(injectId, queryId);
      await page.dblclick(nodeSel(queryId));
      await page.waitForSelector('#node-input-datasource');
      await type('#node-input-path', 'api/items');
      await page.selectOption('#node-input-datasource', '_ADD_');
      await page.click('#node-input-btn-datasource-add');
      await page.waitForSelector('#node-config-input-baseUrl');
      await type('#node-config-input-name', 'OAuth API');
      await type('#node-config-input-baseUrl', provider.url);
      await showTab('auth');
      await page.selectOption('#node-config-input-authType', 'oauth2');
      await page.selectOption('#node-config-input-oauth2GrantType', 'authorization_code');
      await type('#node-config-input-oauth2AuthUrl', provider.authUrl);
      await type('#node-config-input-oauth2TokenUrl', provider.tokenUrl);
      await type('#node-config-input-clientId', 'editor-app');
      await type('#node-config-input-clientSecret', 'client-secret-xyz');
      assert.deepStrictEqual(await visibleErrors(), []);
      assert.strictEqual(await page.inputValue('#rds-callback-url'), callback);

      // The provider's page opens in a popup, consents at once and lands on the callback page,
      // which tells the dialog and closes itself.
      const popup = page.waitForEvent('popup');
      await page.click('#rds-authorize-button');
      await (await popup).waitForEvent('close', { timeout: 15000 });
      await page.waitForSelector('#rds-authorize-result.rds-ok');
      assert.match(await page.textContent('#rds-authorize-result'), /Authorized, expires at .*\d/);
      assert.deepStrictEqual(provider.state.errors, []);
      await page.screenshot({ path: E.screenshotPath('datasource-authorized.png') });

      await page.click('#node-config-dialog-ok');
      await page.waitForSelector('#node-config-input-baseUrl', { state: 'detached' });
      await page.click('#node-dialog-ok');
      await E.deploy(page);

      const tokensBefore = provider.tokenRequests();
      await injectAndWait(injectId, provider.apiRequests);
      const seen = provider.state.apiAuth[provider.state.apiAuth.length - 1];
      const token = seen.header.replace(/^Bearer /, '');
      assert.ok(provider.state.access.has(token), `the API got the authorized token: ${seen.header}`);
      assert.strictEqual(provider.tokenRequests(), tokensBefore, 'no new token request: the Authorize tokens are used');
      // Reopened after Deploy, the dialog asks the status route and says it is authorized.
      await page.dblclick(nodeSel(queryId));
      await page.waitForSelector('#node-input-datasource');
      await page.click('#node-input-btn-datasource-edit');
      await showTab('auth');
      await page.waitForSelector('#rds-authorize-result.rds-ok');
      assert.match(await page.textContent('#rds-authorize-result'), /Authorized/);
      await page.click('#node-config-dialog-cancel');
      await page.click('#node-dialog-cancel');
      for (const t of provider.issued()) {
        assert.ok(!nr.read('flows.json').includes(t), 'no token in the flow file');
        assert.ok(!nr.read('flows_cred.json').includes(t), 'no token in clear in the credential file');
      }
    } finally {
      await provider.close();
    }
  });

  for (const [locale, tab, help] of [
    ['de-DE', 'Verbindung', 'Eingaben'],
    ['ja-JP', '接続', '入力'],
  ]) {
    it(`speaks the browser's language: ${locale}`, async function () {
      const { context, page: p } = await E.openEditor(browser, nr.url, { locale });
      try {
        await E.dragFromPalette(p, 'rest-query', 300, 420);
        const ids = await p.evaluate(() => RED.nodes.filterNodes({ type: 'rest-query' }).map((n) => n.id));
        await p.dblclick(`#red-ui-workspace-chart g.red-ui-flow-node-group[id="${ids[ids.length - 1]}"]`);
        await p.waitForSelector('#node-input-datasource');
        // The help of the node, as the sidebar shows it.
        await p.click('.red-ui-tray-footer button:has(.fa-book)');
        await p.waitForSelector(`.red-ui-text-bidi-aware > h3:has-text("${help}")`);
        await p.click('#node-input-btn-datasource-add');
        await p.waitForSelector('#node-config-input-baseUrl');
        assert.match(await p.textContent('#rds-tabs'), new RegExp(tab));
        assert.doesNotMatch(await p.textContent('#rds-tab-connection'), /rest-datasource\./, 'no raw catalog key');
        await p.screenshot({ path: E.screenshotPath(`datasource-${locale}.png`) });
      } finally {
        await context.close();
      }
    });
  }
});
