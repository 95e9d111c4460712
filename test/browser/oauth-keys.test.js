'use strict';
/* global RED, document -- used inside functions that run in the browser page */
// The OAuth 2.0 key fields of the Authentication tab in a real browser: each shown only where
// it applies and validated; a pasted Google service-account key shows its account (never the
// key), and after Deploy the datasource gets a token with it from a token endpoint that verifies
// the assertion with jose, and the key stays out of the flow file.
const assert = require('assert');
const crypto = require('crypto');
const E = require('./lib/editor');
const { startServer } = require('../lib/server');

describe('editor in a browser: OAuth 2.0 keys', function () {
  this.timeout(60000);
  let api;
  let nr;
  let browser;
  let page;
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' });
  const grants = [];

  before(async function () {
    E.skipWithoutChromium(this);
    const jose = await import('jose');
    api = await startServer(async (req, res) => {
      res.setHeader('Content-Type', 'application/json');
      if (req.url === '/token') {
        const form = new URLSearchParams(req.body.toString());
        try {
          const { payload } = await jose.jwtVerify(form.get('assertion'), rsa.publicKey, {
            audience: api.url + '/token',
            issuer: 'robot@demo.iam.gserviceaccount.com',
          });
          grants.push(payload);
          return res.end(JSON.stringify({ access_token: 'sa-token-1', token_type: 'Bearer', expires_in: 3600 }));
        } catch (e) {
          res.statusCode = 400;
          return res.end(JSON.stringify({ error: 'invalid_grant', error_description: e.message }));
        }
      }
      res.statusCode = req.headers.authorization === 'Bearer sa-token-1' ? 200 : 401;
      return res.end(JSON.stringify({ ok: res.statusCode === 200 }));
    });
    nr = await E.startNodeRed();
    browser = await E.launchBrowser();
    ({ page } = await E.openEditor(browser, nr.url));
  });

  after(async function () {
    if (browser) await browser.close();
    if (nr) await nr.stop();
    if (api) await api.close();
  });

  const visible = (sel) => page.isVisible(sel);
  const visibleErrors = () =>
    page.$$eval('.red-ui-editor .input-error', (els) => els.filter((e) => e.offsetParent).map((e) => e.id));
  const showTab = async (name) => {
    for (let i = 0; i < 3 && !(await page.isVisible(`#rds-tab-${name}`)); i++) {
      await page.waitForTimeout(450);
      await page.click(`#rds-tabs a[href="#rds-tab-${name}"]`);
    }
  };

  it('shows the key fields that apply, checks them, and deploys a service-account datasource that gets a token', async function () {
    await page.waitForSelector('.red-ui-tray', { state: 'detached' });
    await E.dragFromPalette(page, 'rest-query', 420, 200);
    const queryId = await page.evaluate(() => RED.nodes.filterNodes({ type: 'rest-query' })[0].id);
    await page.dblclick(`#red-ui-workspace-chart g.red-ui-flow-node-group[id="${queryId}"]`);
    await page.waitForSelector('#node-input-datasource');
    await page.click('#node-input-btn-datasource-add');
    await page.waitForSelector('#node-config-input-baseUrl');
    await E.typeText(page, '#node-config-input-baseUrl', `${api.url}/api`);
    await showTab('auth');
    await page.selectOption('#node-config-input-authType', 'oauth2');

    // Client credentials with private_key_jwt: the key and its algorithm, no secret
    await page.selectOption('#node-config-input-oauth2ClientAuth', 'private_key_jwt');
    assert.ok(await visible('#node-config-input-clientPrivateKey'));
    assert.ok(await visible('#node-config-input-oauth2ClientAssertionAlg'));
    assert.ok(!(await visible('#node-config-input-clientSecret')), 'no client secret with a private key');
    assert.ok(!(await visible('#node-config-input-serviceAccountKey')));
    assert.ok((await visibleErrors()).includes('node-config-input-clientPrivateKey'), 'the key is required');
    await E.typeText(page, '#node-config-input-clientPrivateKey', 'not a pem');
    assert.ok((await visibleErrors()).includes('node-config-input-clientPrivateKey'), 'not PEM is marked');
    await page.fill('#node-config-input-clientPrivateKey', pem);
    await page.press('#node-config-input-clientPrivateKey', 'End');
    assert.ok(!(await visibleErrors()).includes('node-config-input-clientPrivateKey'));
    // client_secret_jwt: HS256 and the secret again, no key
    await page.selectOption('#node-config-input-oauth2ClientAuth', 'client_secret_jwt');
    assert.strictEqual(await page.inputValue('#node-config-input-oauth2ClientAssertionAlg'), 'HS256');
    assert.ok(await visible('#node-config-input-clientSecret'));
    assert.ok(!(await visible('#node-config-input-clientPrivateKey')));
    // DPoP: its key field appears with the checkbox
    assert.ok(!(await visible('#node-config-input-dpopKey')));
    await page.check('#node-config-input-oauth2Dpop');
    assert.ok(await visible('#node-config-input-dpopKey'));
    await page.uncheck('#node-config-input-oauth2Dpop');
    await page.selectOption('#node-config-input-oauth2ClientAuth', 'header');
    await page.$eval('#node-config-input-clientPrivateKey', (el) => (el.value = ''));

    // JWT bearer with a pasted service-account key
    await page.selectOption('#node-config-input-oauth2GrantType', 'jwt_bearer');
    assert.ok(await visible('#node-config-input-serviceAccountKey'));
    assert.ok(await visible('#node-config-input-oauth2AssertionIssuer'));
    assert.ok(!(await visible('#node-config-input-oauth2Pkce')));
    await E.typeText(page, '#node-config-input-serviceAccountKey', '{"type": "service_account"}');
    assert.ok((await visibleErrors()).includes('node-config-input-serviceAccountKey'), 'an incomplete key is marked');
    const saKey = JSON.stringify({
      type: 'service_account',
      private_key_id: 'k1',
      private_key: pem,
      client_email: 'robot@demo.iam.gserviceaccount.com',
      token_uri: `${api.url}/token`,
    });
    await page.fill('#node-config-input-serviceAccountKey', saKey);
    await page.press('#node-config-input-serviceAccountKey', 'End');
    assert.deepStrictEqual(await visibleErrors(), []);
    assert.match(await page.textContent('#rds-sa-account'), /robot@demo\.iam\.gserviceaccount\.com/);
    assert.ok(!(await visible('#node-config-input-clientPrivateKey')), 'the service-account key is the key');
    await page.$$eval('.red-ui-tray *', (els) => els.forEach((e) => e.scrollTop > 0 && (e.scrollTop = 0)));
    await E.screenshot(page, 'datasource-oauth-keys.png');

    await page.click('#node-config-dialog-ok');
    await page.waitForSelector('#node-config-input-baseUrl', { state: 'detached' });
    await page.click('#node-dialog-ok');
    await E.deploy(page);
    const flows = nr.read('flows.json');
    assert.ok(!flows.includes('PRIVATE KEY') && !flows.includes('robot@'), 'the key stays out of the flow');
    const creds = E.decryptCredentials(nr.read('flows_cred.json'));
    const stored = Object.values(creds).find((c) => c.serviceAccountKey);
    assert.ok(stored && JSON.parse(stored.serviceAccountKey).private_key === pem);

    // The deployed datasource signs with it: Test connection gets a token and the API answers.
    const dsId = await page.evaluate(() => {
      let id;
      RED.nodes.eachConfig((n) => {
        if (n.type === 'rest-datasource') id = n.id;
      });
      return id;
    });
    const res = await fetch(`${nr.url}/rest-datasource/${dsId}/test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ serviceAccountKey: '__PWRD__' }),
    });
    const body = await res.json();
    assert.strictEqual(body.ok, true, body.message);
    assert.strictEqual(grants.length, 1);
    // Reopened, the dialog shows the deployed key's account (from the status route), not the key.
    await page.dblclick(`#red-ui-workspace-chart g.red-ui-flow-node-group[id="${queryId}"]`);
    await page.waitForSelector('#node-input-datasource');
    await E.editDatasource(page);
    await showTab('auth');
    await page.waitForFunction(() => /robot@/.test(document.querySelector('#rds-sa-account').textContent));
    assert.strictEqual(await page.inputValue('#node-config-input-serviceAccountKey'), '__PWRD__');
    await page.click('#node-config-dialog-cancel');
    await page.click('#node-dialog-cancel');
  });
});
