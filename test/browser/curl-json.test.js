'use strict';
/* global RED -- used inside functions that run in the browser page */
// Import cURL with a JSON-looking -d and no JSON Content-Type: curl sends a form, and so does
// the imported query; the dialog says so and "Send as JSON" makes the body JSON and the Inject
// node's payload the object. Its own file so the import dialogs' suite stays as it is.
const assert = require('assert');
const E = require('./lib/editor');
const { workspace } = require('./lib/workspace');
const { startServer } = require('../lib/server');

describe('Import cURL: send a JSON-looking form body as JSON (browser)', function () {
  this.timeout(90000);
  let api;
  let nr;
  let browser;
  let page;
  let w;

  before(async function () {
    E.skipWithoutChromium(this);
    api = await startServer();
    nr = await E.startNodeRed();
    browser = await E.launchBrowser();
    ({ page } = await E.openEditor(browser, nr.url));
    w = workspace(page, nr.url);
  });
  after(async function () {
    if (browser) await browser.close();
    if (nr) await nr.stop();
    if (api) await api.close();
  });

  it('says the body goes as a form, and one click sends it as JSON', async function () {
    const queryId = await w.addNode('rest-query', 460, 140);
    await page.dblclick(w.nodeSel(queryId));
    await page.waitForSelector('#node-input-datasource');
    await page.click('#rq-curl-button');
    await page.fill('#rq-curl-text', `curl -d '{"name":"widget","qty":2}' '${api.url}/v1/items'`);
    await page.click('#rq-curl-apply');
    await page.waitForSelector('#rq-curl-result.rds-ok');
    assert.strictEqual(await page.inputValue('#node-input-bodyType'), 'form');
    assert.match(await page.textContent('#rq-curl-details'), /looks like JSON but curl sends it as a form/);
    assert.match(await page.textContent('.rq-import-payload pre'), /^\{"name":"widget","qty":2\}$/);

    await page.click('#rq-curl-as-json');
    await page.waitForSelector('#rq-curl-as-json-result.rds-ok');
    assert.strictEqual(await page.inputValue('#node-input-bodyType'), 'json');
    assert.strictEqual(await page.isDisabled('#rq-curl-as-json'), true);
    assert.deepStrictEqual(JSON.parse(await page.textContent('.rq-import-payload pre')), { name: 'widget', qty: 2 });
    await page.locator('#rq-curl-panel').evaluate((el) => el.scrollIntoView());
    await E.screenshot(page, 'import-curl-as-json.png');

    await page.click('#rq-curl-new-ds');
    await page.click('#rq-curl-inject');
    await page.click('#node-dialog-ok');
    const inject = await page.evaluate((q) => {
      const id = RED.nodes.filterLinks({ target: { id: q } }).map((l) => l.source.id)[0];
      const n = RED.nodes.node(id);
      return { id, payload: n.payload, payloadType: n.payloadType };
    }, queryId);
    assert.deepStrictEqual([inject.payloadType, JSON.parse(inject.payload)], ['json', { name: 'widget', qty: 2 }]);
    await E.deploy(page);
    const before = api.requests.length;
    await w.inject(inject.id, () => api.requests.length);
    const req = api.requests[before];
    assert.strictEqual(req.headers['content-type'], 'application/json');
    assert.deepStrictEqual(JSON.parse(req.body), { name: 'widget', qty: 2 });
  });
});
