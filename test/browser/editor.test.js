'use strict';
/* global RED, document, window, getComputedStyle -- used inside functions that run in the browser page */
// The editor in a real browser: a user adds a datasource and a query from the palette, fills the
// dialogs (a secret header, Basic auth), deploys, and the query reaches a local API. Checks what
// lands on disk (no secret in the flow file, secrets encrypted in the credential file) and what
// the API receives.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const runner = require('../../scripts/lib/node-red-runner');
const E = require('./lib/editor');
const { workspace } = require('./lib/workspace');
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
    E.skipWithoutChromium(this);
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

  const nodeSel = (id) => `#red-ui-workspace-chart g.red-ui-flow-node-group[id="${id}"]`;
  // Type as a user does: Node-RED re-validates on keyup and change, not on the input event.
  const type = async (sel, text) => {
    await page.fill(sel, text);
    await page.press(sel, 'End');
  };
  /** Drag a node from the palette; its id (the drag is tried again when nothing was dropped). */
  const addNode = (type, x, y) => workspace(page).addNode(type, x, y);
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
    // Right after a deploy that restarts the flow the inject node may not run yet (404): wait.
    let res = await fetch(`${nr.url}/inject/${injectId}`, { method: 'POST' });
    for (let i = 0; i < 100 && res.status === 404; i++) {
      await new Promise((r) => setTimeout(r, 50));
      res = await fetch(`${nr.url}/inject/${injectId}`, { method: 'POST' });
    }
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
    await E.screenshot(page, 'datasource-connection.png');

    await showTab('auth');
    await page.selectOption('#node-config-input-authType', 'basic');
    assert.ok(await page.isVisible('#node-config-input-username'));
    assert.ok(!(await page.isVisible('#node-config-input-token')), 'bearer fields stay hidden');
    assert.deepStrictEqual(await visibleErrors(), ['node-config-input-username'], 'Basic needs a user name');
    await type('#node-config-input-username', 'alice');
    await type('#node-config-input-password', PASSWORD);
    assert.deepStrictEqual(await visibleErrors(), []);
    await E.screenshot(page, 'datasource-auth.png');

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
    // The query dialog is all in view, not under the sidebar.
    await E.traysSettled(page);
    const hidden = await page.evaluate(() => {
      const tray = document.querySelector('.red-ui-tray').getBoundingClientRect();
      const sidebar = document.querySelector('#red-ui-sidebar').getBoundingClientRect();
      return tray.left < 0 || tray.right > sidebar.left + 1 || tray.right > window.innerWidth;
    });
    assert.ok(!hidden, 'the query dialog is not hidden behind the sidebar');
    await E.screenshot(page, 'query.png');
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

    // The secret row values are a password credential: after the deploy the editor holds none
    // of them (a user with credentials.read cannot read them either), only that there are some.
    const editorCreds = await page.evaluate((id) => RED.nodes.node(id).credentials || {}, ds.id);
    assert.ok(!JSON.stringify(editorCreds).includes(SECRET_HEADER), JSON.stringify(editorCreds));
    const credsRead = await page.evaluate(
      (id) =>
        fetch(`credentials/rest-datasource/${id}`, { headers: { 'Node-RED-API-Version': 'v2' } }).then((r) => r.text()),
      ds.id,
    );
    assert.ok(!credsRead.includes(SECRET_HEADER), 'GET /credentials returns the secret row value');
    assert.match(credsRead, /"has_secrets":true/);

    // Reopened, the secret row is masked and empty, its placeholder says "unchanged".
    await page.dblclick(nodeSel(queryId));
    await page.waitForSelector('#node-input-datasource');
    await E.editDatasource(page);
    assert.strictEqual(await page.getAttribute(`${row(1)} .rds-row-value`, 'type'), 'password');
    assert.strictEqual(await page.inputValue(`${row(1)} .rds-row-value`), '');
    assert.match(await page.getAttribute(`${row(1)} .rds-row-value`, 'placeholder'), /unchanged/);
    assert.ok(await page.isChecked(`${row(1)} .rds-row-secret`));
    await E.screenshot(page, 'datasource-secret-unchanged.png');
    // Saved untouched and deployed: the stored value stays.
    await page.click('#node-config-dialog-ok');
    await page.waitForSelector('#node-config-input-baseUrl', { state: 'detached' });
    await page.click('#node-dialog-ok');
    await page.evaluate((id) => {
      const n = RED.nodes.node(id);
      n.changed = true;
      RED.nodes.dirty(true);
    }, ds.id);
    await E.deploy(page);
    let sent = api.requests.length;
    await injectAndWait(injectId, () => api.requests.length);
    assert.strictEqual(api.requests[sent].headers['x-api-secret'], SECRET_HEADER, 'unchanged kept the value');

    // Changed: the new value replaces it; the plain row and the password stay.
    const CHANGED = 'header-secret-changed-0815';
    await page.dblclick(nodeSel(queryId));
    await page.waitForSelector('#node-input-datasource');
    await E.editDatasource(page);
    await type(`${row(1)} .rds-row-value`, CHANGED);
    await page.click('#node-config-dialog-ok');
    await page.waitForSelector('#node-config-input-baseUrl', { state: 'detached' });
    await page.click('#node-dialog-ok');
    await E.deploy(page);
    sent = api.requests.length;
    await injectAndWait(injectId, () => api.requests.length);
    assert.strictEqual(api.requests[sent].headers['x-api-secret'], CHANGED);
    assert.strictEqual(
      api.requests[sent].headers.authorization,
      'Basic ' + Buffer.from(`alice:${PASSWORD}`).toString('base64'),
    );

    // Exported, the flow holds no secret value.
    const exported = await page.evaluate(() => JSON.stringify(RED.nodes.createCompleteNodeSet({ credentials: true })));
    for (const value of [SECRET_HEADER, CHANGED, PASSWORD])
      assert.ok(!exported.includes(value), 'the export holds a secret');
    assert.ok(!nr.read('flows.json').includes(CHANGED));
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
    // AWS Signature V4 and OAuth 1.0a: their own fields only, the required ones marked.
    // (the pointer off the tab strip: its tooltip would cover the Type select in the screenshots)
    await page.mouse.move(600, 900);
    await page.selectOption('#node-config-input-authType', 'awsSigV4');
    assert.deepStrictEqual(
      (await visibleErrors()).sort(),
      ['awsAccessKeyId', 'awsRegion', 'awsSecretAccessKey', 'awsService'].map((f) => `node-config-input-${f}`),
    );
    assert.ok(await page.isVisible('#node-config-input-awsSessionToken'));
    assert.ok(!(await page.isVisible('#node-config-input-oauth1ConsumerKey')));
    await E.screenshot(page, 'datasource-auth-awsSigV4.png');
    await page.selectOption('#node-config-input-authType', 'oauth1');
    assert.strictEqual(await page.inputValue('#node-config-input-oauth1SignatureMethod'), 'HMAC-SHA1');
    assert.deepStrictEqual((await visibleErrors()).sort(), [
      'node-config-input-oauth1ConsumerKey',
      'node-config-input-oauth1ConsumerSecret',
    ]);
    assert.ok(!(await page.isVisible('#node-config-input-oauth1PrivateKey')));
    await page.selectOption('#node-config-input-oauth1SignatureMethod', 'RSA-SHA256');
    assert.deepStrictEqual((await visibleErrors()).sort(), [
      'node-config-input-oauth1ConsumerKey',
      'node-config-input-oauth1PrivateKey',
    ]);
    assert.ok(!(await page.isVisible('#node-config-input-oauth1ConsumerSecret')));
    await type('#node-config-input-oauth1ConsumerKey', 'consumer-key');
    await E.screenshot(page, 'datasource-auth-oauth1.png');
    await page.selectOption('#node-config-input-oauth1SignatureMethod', 'HMAC-SHA1');
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
    // The screenshot shows the dialog from its top (a click above may have scrolled it).
    await page.$$eval('.red-ui-tray *', (els) => els.forEach((e) => e.scrollTop > 0 && (e.scrollTop = 0)));
    await E.screenshot(page, 'datasource-tls.png');
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
      await E.screenshot(page, 'datasource-authorized.png');

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
      await E.editDatasource(page);
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

  // Layout checks measure what the user sees in the page (run in the browser).
  /** Cancel the open query dialog and remove the query (an unconfigured node would stop Deploy). */
  const cancelAndRemove = async (queryId) => {
    await page.click('#node-dialog-cancel');
    await page.waitForSelector('.red-ui-tray', { state: 'detached' });
    await page.evaluate((id) => {
      RED.nodes.remove(id);
      RED.view.redraw(true);
    }, queryId);
  };
  /** Press Done in the datasource dialog and wait for it to close. */
  const saveDatasource = async () => {
    await page.click('#node-config-dialog-ok');
    await page.waitForSelector('#node-config-input-baseUrl', { state: 'detached' });
  };
  /** Labels of the datasource dialog's tabs whose last letter the user does not see. */
  const clippedTabs = (p = page) =>
    p.$$eval('#rds-tabs li.red-ui-tab', (tabs) =>
      tabs
        .filter((tab) => {
          const text = tab.querySelector('.red-ui-text-bidi-aware').getBoundingClientRect();
          const hit = document.elementFromPoint(text.right - 1, text.top + text.height / 2);
          return !hit || !tab.querySelector('a').contains(hit) || hit.classList.contains('red-ui-tabs-fade');
        })
        .map((tab) => tab.textContent.trim()),
    );
  /** Labels of visible checkboxes in `scope` that wrap or do not sit on their checkbox's line. */
  const wrappedCheckLabels = (scope) =>
    page.$$eval(`${scope} input[type=checkbox][id^=node-]`, (boxes) =>
      boxes
        .filter((box) => box.offsetParent)
        .map((box) => [box, document.querySelector(`label[for="${box.id}"]`)])
        .filter(([box, label]) => {
          const l = label.getBoundingClientRect();
          const b = box.getBoundingClientRect();
          const fontSize = parseFloat(getComputedStyle(label).fontSize);
          const oneLine = l.height < 2 * fontSize;
          const besideBox = Math.abs(l.top + l.height / 2 - (b.top + b.height / 2)) < fontSize;
          return !oneLine || !besideBox;
        })
        .map(([, label]) => label.textContent.trim()),
    );
  /** Visible empty inputs of the open dialogs whose placeholder is wider than the input. */
  const clippedPlaceholders = (p = page) =>
    p.$$eval('.red-ui-tray input[placeholder]', (inputs) => {
      const ctx = document.createElement('canvas').getContext('2d');
      return inputs
        .filter((i) => i.offsetParent && !i.value && i.placeholder)
        .filter((i) => {
          const s = getComputedStyle(i);
          ctx.font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
          const room = i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
          return ctx.measureText(i.placeholder).width > room + 0.5;
        })
        .map((i) => `${i.id}: ${i.placeholder}`);
    });
  /** Whether the user sees `sel`: the element at its visible middle is it (or inside it). */
  const inView = (sel) =>
    page.$eval(sel, (el) => {
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + Math.min(r.width / 2, 20), r.top + r.height / 2);
      return !!hit && (hit === el || el.contains(hit));
    });
  /** Width of the first visible element matching `sel`. */
  const widthOf = (sel) => page.$$eval(sel, (els) => els.find((e) => e.offsetParent).getBoundingClientRect().width);

  it('lays out the datasource dialog: tabs, Test connection on every tab, dependent fields, MB', async function () {
    const queryId = await addNode('rest-query', 420, 440);
    await page.dblclick(nodeSel(queryId));
    await page.waitForSelector('#node-input-datasource');
    await page.selectOption('#node-input-datasource', '_ADD_');
    await page.click('#node-input-btn-datasource-add');
    await page.waitForSelector('#node-config-input-baseUrl');
    await E.traysSettled(page);
    // A base URL the runtime refuses is outlined red: a user name and password in it, a query.
    for (const refused of ['https://user:secret@api.example.com/v1', 'https://api.example.com/v1?key=1']) {
      await type('#node-config-input-baseUrl', refused);
      assert.ok(
        await page.$eval('#node-config-input-baseUrl', (e) => e.classList.contains('input-error')),
        `${refused} outlined`,
      );
    }
    await type('#node-config-input-baseUrl', `${api.url}/v1`);

    // Tab labels fit at the default dialog width: the end of each label is its tab's, not
    // hidden by the tab's edge or fade.
    assert.deepStrictEqual(await clippedTabs(), []);
    // The hint box is as wide as the lists it explains.
    const listWidth = await widthOf('.red-ui-editableList:has(#node-config-input-headers-list)');
    assert.ok(Math.abs((await widthOf('#rds-tab-connection .rds-tips')) - listWidth) <= 1, 'hint box width');

    // Test connection is on every tab; its result is brought into view.
    for (const tab of ['connection', 'auth', 'tls', 'advanced']) {
      await showTab(tab);
      assert.ok(await page.isVisible('#rds-test-button'), `Test connection on the ${tab} tab`);
      assert.deepStrictEqual(await clippedPlaceholders(), [], `placeholders on the ${tab} tab fit`);
    }
    await page.$eval('#rds-test-button', (b) => b.scrollIntoView({ block: 'end' }));
    await type('#rds-test-path', 'health');
    await page.$eval('#rds-test-button', (b) => b.scrollIntoView({ block: 'end' }));
    await page.click('#rds-test-button');
    await page.waitForSelector('#rds-test-result.rds-ok');
    await page.waitForTimeout(300); // a smooth scroll
    assert.ok(await inView('#rds-test-result'), 'the Test connection result is in view');

    // Signing fields only while Sign requests is on; maximum redirects only while following them.
    const signing = ['signatureHeader', 'signatureIssuer', 'signatureBindRequest', 'signatureKey'];
    const shown = async (ids) => {
      const out = [];
      for (const id of ids) if (await page.isVisible(`#node-config-input-${id}`)) out.push(id);
      return out;
    };
    assert.ok(!(await page.isChecked('#node-config-input-signatureEnabled')));
    assert.deepStrictEqual(await shown(signing), [], 'signing off: no signing field');
    await page.check('#node-config-input-signatureEnabled');
    assert.deepStrictEqual(await shown(signing), signing, 'signing on');
    assert.ok((await visibleErrors()).includes('node-config-input-signatureKey'), 'the key is required now');
    await page.uncheck('#node-config-input-signatureEnabled');
    assert.deepStrictEqual(await shown(signing), []);
    assert.deepStrictEqual(await visibleErrors(), []);
    assert.deepStrictEqual(await shown(['maxRedirects']), ['maxRedirects']);
    await page.uncheck('#node-config-input-followRedirects');
    assert.deepStrictEqual(await shown(['maxRedirects']), [], 'not following redirects: no maximum');
    await page.check('#node-config-input-followRedirects');
    assert.deepStrictEqual(await shown(['retryDelay']), [], 'no retries: no retry delay');
    await type('#node-config-input-retries', '2');
    assert.deepStrictEqual(await shown(['retryDelay']), ['retryDelay']);

    // Labels beside checkboxes stay on one line, next to their box.
    assert.deepStrictEqual(await wrappedCheckLabels('#rds-tab-advanced'), []);
    await showTab('tls');
    assert.deepStrictEqual(await wrappedCheckLabels('#rds-tab-tls'), []);

    // The size limit in MB; the setting keeps bytes.
    await showTab('advanced');
    assert.strictEqual(await page.inputValue('#rds-maxResponseMb'), '50');
    await type('#rds-maxResponseMb', 'lots');
    assert.ok(await page.$eval('#rds-maxResponseMb', (e) => e.classList.contains('input-error')), 'not a number');
    await type('#rds-maxResponseMb', '2');
    assert.ok(!(await page.$eval('#rds-maxResponseMb', (e) => e.classList.contains('input-error'))));

    // Caching: size and stale-if-error only while the HTTP cache is on; the size in MB.
    assert.strictEqual(await page.inputValue('#node-config-input-cache'), 'off');
    assert.deepStrictEqual(await shown(['staleIfError', 'coalesce']), ['coalesce'], 'cache off: no cache fields');
    await page.selectOption('#node-config-input-cache', 'http');
    assert.deepStrictEqual(await shown(['staleIfError', 'coalesce']), ['staleIfError', 'coalesce']);
    assert.strictEqual(await page.inputValue('#rds-cacheMaxMb'), '50');
    await type('#rds-cacheMaxMb', '1.5');
    assert.strictEqual(await page.inputValue('#node-config-input-cacheMaxBytes'), String(1.5 * 1024 * 1024));
    await type('#node-config-input-staleIfError', 'soon');
    assert.ok((await visibleErrors()).includes('node-config-input-staleIfError'), 'stale if error: a number');
    await type('#node-config-input-staleIfError', '60');
    assert.deepStrictEqual(await visibleErrors(), []);
    assert.deepStrictEqual(await wrappedCheckLabels('#rds-tab-advanced'), []);
    assert.deepStrictEqual(await clippedPlaceholders(), []);
    await page.$eval('#node-config-input-coalesce', (b) => b.scrollIntoView({ block: 'center' }));
    await E.screenshot(page, 'datasource-advanced.png');

    // Authentication: every field of every type and grant stays inside the tab strip.
    await showTab('auth');
    const overflowing = () =>
      page.evaluate(() => {
        const strip = document.querySelector('#rds-tabs').closest('.red-ui-tabs').getBoundingClientRect();
        return [...document.querySelectorAll('#rds-tab-auth input, #rds-tab-auth select, #rds-tab-auth button')]
          .filter((e) => e.offsetParent && e.type !== 'hidden')
          .filter((e) => e.getBoundingClientRect().right > strip.right + 0.5)
          .map((e) => e.id || e.className);
      });
    for (const type of ['basic', 'bearer', 'apiKey', 'digest', 'awsSigV4', 'oauth1']) {
      await page.selectOption('#node-config-input-authType', type);
      assert.deepStrictEqual(await overflowing(), [], type);
    }
    await page.selectOption('#node-config-input-authType', 'oauth2');
    for (const grant of ['client_credentials', 'authorization_code', 'password', 'manual']) {
      await page.selectOption('#node-config-input-oauth2GrantType', grant);
      assert.deepStrictEqual(await overflowing(), [], grant);
      assert.deepStrictEqual(await wrappedCheckLabels('#rds-tab-auth'), [], grant);
    }
    await page.selectOption('#node-config-input-authType', 'none');

    await saveDatasource();
    const dsId = await page.inputValue('#node-input-datasource');
    assert.strictEqual(
      await page.evaluate((id) => RED.nodes.node(id).maxResponseBytes, dsId),
      String(2 * 1024 * 1024),
      'stored in bytes',
    );
    await cancelAndRemove(queryId);
  });

  it('lays out the query dialog: checkbox labels, hint box, invalid base URL in the preview', async function () {
    const queryId = await addNode('rest-query', 420, 440);
    await page.dblclick(nodeSel(queryId));
    await page.waitForSelector('#node-input-datasource');
    await E.traysSettled(page);
    assert.deepStrictEqual(await wrappedCheckLabels('.red-ui-tray'), [], 'Non-2xx is an error');
    assert.deepStrictEqual(await clippedPlaceholders(), [], 'placeholders fit');
    const listWidth = await widthOf('.red-ui-editableList:has(#node-input-headers-list)');
    assert.ok(Math.abs((await widthOf('.red-ui-tray .rds-tips')) - listWidth) <= 1, 'hint box width');
    // A datasource whose base URL is not a URL: the preview says so.
    await page.selectOption('#node-input-datasource', '_ADD_');
    await page.click('#node-input-btn-datasource-add');
    await page.waitForSelector('#node-config-input-baseUrl');
    await type('#node-config-input-baseUrl', 'api.example.com/v1');
    await saveDatasource();
    await type('#node-input-path', 'items');
    await page.waitForSelector('#rq-url-preview.rds-invalid');
    assert.match(await page.textContent('#rq-url-preview'), /not a valid http\(s\) URL/);
    const invalidColor = await page.$eval('#rq-url-preview', (e) => getComputedStyle(e).color);
    // Fixed, the preview reads like the text around it.
    await E.editDatasource(page);
    await type('#node-config-input-baseUrl', `${api.url}/v1`);
    await saveDatasource();
    await page.waitForSelector('#rq-url-preview:not(.rds-invalid)');
    assert.strictEqual(await page.textContent('#rq-url-preview'), `${api.url}/v1/items`);
    assert.notStrictEqual(await page.$eval('#rq-url-preview', (e) => getComputedStyle(e).color), invalidColor);
    // Text pasted with the mouse or dropped into Path fires only an input event (no key goes
    // up, no change until the field loses focus): the preview follows it all the same.
    await page.fill('#node-input-path', 'users/{{payload.id}}');
    assert.strictEqual(await page.textContent('#rq-url-preview'), `${api.url}/v1/users/{{payload.id}}`);

    // The field a pagination mode needs (the runtime refuses the node without it) is outlined
    // red while that mode is chosen and empty, as the datasource's auth fields are.
    const outlined = (id) => page.$eval(`#node-input-${id}`, (e) => e.classList.contains('input-error'));
    await page.selectOption('#node-input-paginate', 'param');
    assert.ok(await outlined('pageParam'), 'page parameter required');
    await type('#node-input-pageParam', 'page');
    assert.ok(!(await outlined('pageParam')), 'page parameter filled');
    await page.selectOption('#node-input-paginate', 'nextUrl');
    assert.ok(await outlined('pageNextPath'), 'next URL path required');
    await page.selectOption('#node-input-paginate', 'off');
    assert.ok(!(await outlined('pageNextPath')), 'not needed without pagination');
    await cancelAndRemove(queryId);
  });

  it('opens a datasource and a query saved by 0.1.0 with no blank select; Deploy keeps their settings', async function () {
    // The legacy fixture as Import does it (no version, the newer settings missing).
    const text = fs
      .readFileSync(path.join(__dirname, '..', 'fixtures', 'flows-0.1.0', 'legacy-datasource.json'), 'utf8')
      .split(runner.DEMO_HTTP)
      .join(new URL(nr.url).host);
    const saved = JSON.parse(text);
    const savedDs = saved.find((n) => n.type === 'rest-datasource');
    const savedQuery = saved.find((n) => n.type === 'rest-query');
    await page.evaluate((nodes) => {
      RED.view.importNodes(nodes, { generateIds: false, addFlow: false });
      RED.workspaces.show(nodes.find((n) => n.type === 'tab').id);
    }, saved);
    const blankSelects = () =>
      page.$$eval('.red-ui-tray select', (els) => els.filter((e) => e.id && e.selectedIndex < 0).map((e) => e.id));
    await page.dblclick(nodeSel(savedQuery.id));
    await page.waitForSelector('#node-input-datasource');
    assert.deepStrictEqual(await blankSelects(), [], 'query dialog');
    assert.ok(await page.isChecked('#node-input-failOnHttpError'), "today's default: non-2xx is an error");
    await E.editDatasource(page);
    assert.deepStrictEqual(await blankSelects(), [], 'datasource dialog, every tab');
    assert.strictEqual(await page.inputValue('#node-config-input-oauth2ClientAuth'), 'header');
    assert.strictEqual(await page.inputValue('#node-config-input-maxRedirects'), '5');
    assert.ok(await page.isChecked('#node-config-input-tlsVerify'), "today's default: verify certificates");
    assert.strictEqual(await page.inputValue('#node-config-input-headers-list li:nth-child(1) .rds-row-value'), 'kept');
    await saveDatasource();
    await page.click('#node-dialog-ok');
    await E.deploy(page);

    const flow = JSON.parse(nr.read('flows.json'));
    const ds = flow.find((n) => n.id === savedDs.id);
    const query = flow.find((n) => n.id === savedQuery.id);
    for (const key of ['name', 'baseUrl', 'headers', 'params', 'authType', 'timeout'])
      assert.deepStrictEqual(ds[key], savedDs[key], key);
    for (const key of ['datasource', 'method', 'path', 'name'])
      assert.deepStrictEqual(query[key], savedQuery[key], key);
    assert.strictEqual(ds.version, 1);
    assert.strictEqual(query.version, 1);
    assert.strictEqual(ds.oauth2ClientAuth, 'header');
    assert.strictEqual(query.paginate, 'off');
    const creds = E.decryptCredentials(nr.read('flows_cred.json'))[ds.id];
    assert.strictEqual(creds.username, 'old');
    assert.strictEqual(creds.password, 'legacy-pass-0815');
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
        await E.traysSettled(p);
        assert.deepStrictEqual(await clippedPlaceholders(p), [], 'query dialog: placeholders fit');
        // A label's icon stays on the line of its text, and the text ends before the field.
        const labels = await p.$$eval('#dialog-form > .form-row > label:has(> i.fa)', (els) =>
          els
            .filter((l) => l.offsetParent)
            .map((l) => {
              const icon = l.querySelector('i').getBoundingClientRect();
              const range = document.createRange();
              range.selectNodeContents(l);
              const text = range.getBoundingClientRect();
              const field = l.nextElementSibling.getBoundingClientRect();
              return {
                label: l.textContent.trim(),
                oneLine: text.height < 2 * icon.height,
                clear: text.right <= field.left,
              };
            }),
        );
        assert.ok(labels.length >= 4, 'the icon labels');
        assert.deepStrictEqual(
          labels.filter((l) => !l.oneLine || !l.clear),
          [],
          'labels on one line, clear of their fields',
        );
        // "Cache for": its unit stays beside the field, inside the row.
        await p.$eval('#node-input-cacheTtl', (e) => e.scrollIntoView({ block: 'center' }));
        const cacheRow = await p.$eval('#node-input-cacheTtl', (e) => {
          const field = e.getBoundingClientRect();
          const unit = e.nextElementSibling.getBoundingClientRect();
          const row = e.closest('.form-row').getBoundingClientRect();
          return { beside: unit.top < field.bottom && unit.bottom > field.top, inside: unit.right <= row.right + 0.5 };
        });
        assert.deepStrictEqual(cacheRow, { beside: true, inside: true }, 'Cache for: unit beside its field');
        await E.screenshot(p, `query-cache-${locale}.png`);
        // The help of the node, as the sidebar shows it.
        await p.click('.red-ui-tray-footer button:has(.fa-book)');
        await p.waitForSelector(`.red-ui-text-bidi-aware > h3:has-text("${help}")`);
        await p.click('#node-input-btn-datasource-add');
        await p.waitForSelector('#node-config-input-baseUrl');
        assert.match(await p.textContent('#rds-tabs'), new RegExp(tab));
        await E.traysSettled(p);
        assert.deepStrictEqual(await clippedTabs(p), [], 'tab labels fit');
        assert.deepStrictEqual(await clippedPlaceholders(p), [], 'datasource dialog: placeholders fit');
        assert.doesNotMatch(await p.textContent('#rds-tab-connection'), /rest-datasource\./, 'no raw catalog key');
        // The docs show German; this machine's Chromium has no Japanese font (boxes).
        await E.screenshot(p, `datasource-${locale}.png`, { docs: locale === 'de-DE' });
        // AWS Signature V4 and OAuth 1.0a: their labels with an icon stay on one line.
        await p.waitForTimeout(450);
        await p.click('#rds-tabs a[href="#rds-tab-auth"]');
        for (const [authType, method] of [
          ['awsSigV4', ''],
          ['oauth1', 'HMAC-SHA1'],
          ['oauth1', 'RSA-SHA256'],
        ]) {
          await p.selectOption('#node-config-input-authType', authType);
          if (method) await p.selectOption('#node-config-input-oauth1SignatureMethod', method);
          const wrapped = await p.$$eval('#rds-tab-auth .form-row > label:has(> i.fa)', (els) =>
            els
              .filter((l) => l.offsetParent)
              .filter((l) => {
                const range = document.createRange();
                range.selectNodeContents(l);
                return range.getBoundingClientRect().height >= 2 * l.querySelector('i').getBoundingClientRect().height;
              })
              .map((l) => l.textContent.trim()),
          );
          assert.deepStrictEqual(wrapped, [], `${authType} ${method}: icon labels on one line`);
        }
      } finally {
        await context.close();
      }
    });
  }
});
