'use strict';
/* global RED, $ -- used inside functions that run in the browser page */
// The rest-shared-store dialog in a real browser: a user adds a store from the datasource's
// Advanced tab, the URL check refuses a password in the URL, the TLS picker shows only for
// rediss://, Test talks to a real redis-server with the unsaved values, and after Deploy the
// flow names the store while its password sits encrypted in the credential file.
const assert = require('assert');
const E = require('./lib/editor');
const { startRedis } = require('../lib/redis');

const PASSWORD = 'redis-pa55-4242';

describe('shared store dialog in a browser', function () {
  this.timeout(60000);
  let redis;
  let nr;
  let browser;
  let page;

  before(async function () {
    E.skipWithoutChromium(this);
    redis = await startRedis({ password: PASSWORD });
    nr = await E.startNodeRed();
    browser = await E.launchBrowser();
    ({ page } = await E.openEditor(browser, nr.url));
  });

  after(async function () {
    if (browser) await browser.close();
    if (nr) await nr.stop();
    if (redis) await redis.close();
  });

  const type = (sel, text) => E.typeText(page, sel, text);
  const invalid = (sel) => page.evaluate((s) => $(s).hasClass('input-error'), sel);

  it('adds a store from the datasource dialog, tests it against redis and deploys it with the password encrypted', async function () {
    await E.dragFromPalette(page, 'rest-query', 200, 120);
    const [queryId] = await page.evaluate(() => RED.nodes.filterNodes({ type: 'rest-query' }).map((n) => n.id));
    await page.dblclick(`#red-ui-workspace-chart g.red-ui-flow-node-group[id="${queryId}"]`);
    await page.click('#node-input-btn-datasource-add');
    await page.waitForSelector('#node-config-input-baseUrl');
    await type('#node-config-input-baseUrl', 'http://127.0.0.1:9/v1');
    await page.click('#rds-tabs a[href="#rds-tab-advanced"]');
    await page.waitForSelector('#node-config-input-sharedStore', { state: 'visible' });

    await page.click('#node-config-input-btn-sharedStore-add');
    await page.waitForSelector('#node-config-input-keyPrefix');
    assert.strictEqual(await page.inputValue('#node-config-input-url'), 'redis://127.0.0.1:6379');
    // Modes: only the fields that apply are shown.
    assert.strictEqual(await page.inputValue('#node-config-input-mode'), 'standalone');
    const shown = async () => ({
      url: await page.isVisible('#node-config-input-url'),
      nodes: await page.isVisible('#node-config-input-nodes'),
      masterName: await page.isVisible('#node-config-input-masterName'),
      sentinelPassword: await page.isVisible('#node-config-input-sentinelPassword'),
    });
    assert.deepStrictEqual(await shown(), { url: true, nodes: false, masterName: false, sentinelPassword: false });
    await page.selectOption('#node-config-input-mode', 'sentinel');
    assert.deepStrictEqual(await shown(), { url: false, nodes: true, masterName: true, sentinelPassword: true });
    assert.strictEqual(
      await page.getAttribute('#node-config-input-nodes', 'placeholder'),
      'host:26379, host:26379, host:26379',
    );
    await type('#node-config-input-nodes', 'user:pw@127.0.0.1:26379');
    assert.ok(await invalid('#node-config-input-nodes'), 'a user or password in the nodes is refused');
    await type('#node-config-input-nodes', '127.0.0.1:26379, 127.0.0.1:26380');
    await type('#node-config-input-masterName', 'mymaster');
    assert.ok(!(await invalid('#node-config-input-nodes')));
    await E.screenshot(page, 'shared-store-sentinel.png');
    await page.selectOption('#node-config-input-mode', 'cluster');
    assert.deepStrictEqual(await shown(), { url: false, nodes: true, masterName: false, sentinelPassword: false });
    await page.selectOption('#node-config-input-mode', 'standalone');
    assert.deepStrictEqual(await shown(), { url: true, nodes: false, masterName: false, sentinelPassword: false });
    assert.ok(!(await page.isVisible('#rss-tls-row')), 'no TLS picker for redis://');
    await type('#node-config-input-url', `redis://user:${PASSWORD}@127.0.0.1:${redis.port}`);
    assert.ok(await invalid('#node-config-input-url'), 'a password in the URL is refused');
    await type('#node-config-input-url', `rediss://127.0.0.1:${redis.port}`);
    assert.ok(await page.isVisible('#rss-tls-row'), 'the TLS picker shows for rediss://');
    await type('#node-config-input-url', `redis://127.0.0.1:${redis.port}`);
    assert.ok(!(await invalid('#node-config-input-url')));
    await type('#node-config-input-name', 'cluster redis');
    await type('#node-config-input-password', PASSWORD);
    await page.click('#rss-test-button');
    await page.waitForSelector('#rss-test-result.rds-ok');
    assert.match(await page.textContent('#rss-test-result'), /PING, write and read of rest-datasource:test:/);
    assert.match(
      await page.textContent('#rss-test-result'),
      /standalone primary redis:\/\/127\.0\.0\.1:\d+, 0 replica\(s\)/,
    );
    await E.screenshot(page, 'shared-store.png');
    await page.locator('#node-config-dialog-ok').last().click();
    await page.waitForSelector('#node-config-input-keyPrefix', { state: 'detached' });

    const storeId = await page.inputValue('#node-config-input-sharedStore');
    assert.match(storeId, /^[0-9a-f]+$/, 'the picker holds the new store');
    await E.screenshot(page, 'datasource-shared-store.png');
    await page.locator('#node-config-dialog-ok').last().click();
    await page.waitForSelector('#node-config-input-baseUrl', { state: 'detached' });
    await page.click('#node-dialog-ok');
    await E.deploy(page);

    const flow = JSON.parse(nr.read('flows.json'));
    const ds = flow.find((n) => n.type === 'rest-datasource');
    const store = flow.find((n) => n.type === 'rest-shared-store');
    assert.strictEqual(ds.sharedStore, store.id);
    assert.strictEqual(store.url, `redis://127.0.0.1:${redis.port}`);
    assert.strictEqual(store.mode, 'standalone');
    assert.strictEqual(store.keyPrefix, 'rest-datasource:');
    assert.strictEqual(store.tls, '');
    assert.strictEqual(store.version, 1, 'the store carries its configuration version');
    assert.ok(!nr.read('flows.json').includes(PASSWORD), 'no password in the flow');
    assert.ok(!nr.read('flows_cred.json').includes(PASSWORD), 'the credential file is encrypted');
    assert.strictEqual(E.decryptCredentials(nr.read('flows_cred.json'))[store.id].password, PASSWORD);
  });
});
