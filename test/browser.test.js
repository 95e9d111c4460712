'use strict';
// The examples the way a user meets them in the editor, in a real (headless) Chromium: the
// Import dialog lists them, each is imported as the dialog's Examples tab does (GET it from
// the library, RED.view.importNodes without new ids), the Deploy button deploys them, and each
// inject button then shows the expected output. This proves that an example's demo credentials
// survive the editor's import and deploy. Screenshots of every example tab, with the Debug
// sidebar, go to test/output/screenshots/ for the README.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const runner = require('../scripts/lib/node-red-runner');
const { DebugSidebar } = require('./lib/debug-sidebar');
const { Browser, findChromium } = require('./lib/browser');
const { runExample } = require('./lib/example-runs');
const { startRedis } = require('./lib/redis');

const RUNTIME = process.env.NODE_RED_RUNTIME || 'node-red';
const SHOTS = path.join(__dirname, 'output', 'screenshots');
const MODULE = runner.PACKAGE_NAME;

const exampleFiles = fs
  .readdirSync(runner.EXAMPLES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe(`examples in the editor, in a browser (${RUNTIME})`, function () {
  this.timeout(90000);
  let userDir;
  let nr;
  let sidebar;
  let browser;
  let examples;
  let redis;

  before(async function () {
    if (!findChromium()) {
      // On CI a missing browser is a broken set-up, not a reason to pass in silence.
      if (process.env.CI === 'true' || process.env.CI === '1') {
        throw new Error('CI=true but no Chromium was found: install Debian package "chromium" or set CHROMIUM_PATH');
      }
      // An environment limit, not a result: say so in the report.
      this.test.parent.title += ' - PENDING: no Chromium on this machine (set CHROMIUM_PATH)';
      this.skip();
    }
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-datasource-browser-'));
    const port = await runner.freePort();
    fs.writeFileSync(
      path.join(userDir, 'settings.js'),
      runner.settingsFile({ port, credentialSecret: 'browser-test-secret', logLevel: 'warn', tours: false }),
    );
    runner.linkPackage(userDir);
    nr = await runner.startNodeRed({ runtime: RUNTIME, userDir, port });
    sidebar = await DebugSidebar.connect(nr.url);
    // The examples as the library serves them, with the port this runtime uses.
    redis = await startRedis();
    examples = runner.loadExamples({ port, httpsPort: await runner.freePort(), redisPort: redis.port });
    browser = await Browser.launch({ width: 1600, height: 900 });
    await browser.goto(nr.url);
    await browser.waitFor(
      "window.RED && RED.nodes && RED.nodes.getType && !!RED.nodes.getType('rest-query') && " +
        "$('#red-ui-header-button-deploy').length > 0 && RED.workspaces.count() > 0",
      'the editor to load',
    );
  });

  after(async function () {
    if (browser) await browser.close();
    if (sidebar) sidebar.close();
    if (nr) await nr.stop();
    if (redis) await redis.close();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('lists every example in the Import dialog', async function () {
    const tree = '#red-ui-clipboard-dialog-import-tab-examples .red-ui-treeList-label';
    const label = (text) =>
      `$(${JSON.stringify(tree)}).filter((i, e) => $(e).text().trim() === ${JSON.stringify(text)})`;
    await browser.evaluate("RED.actions.invoke('core:show-import-dialog'); true");
    await browser.waitFor("$('#red-ui-clipboard-dialog').is(':visible')", 'the Import dialog');
    // Click the Examples tab until its tree shows (a click during the dialog's opening is lost).
    const tabShown = `${label(MODULE)}.is(':visible')`;
    for (let attempt = 0; attempt < 10 && !(await browser.evaluate(tabShown)); attempt++) {
      await browser.click(`$('a[href="#red-ui-clipboard-dialog-import-tab-examples"]')`, 'the Examples tab');
      await browser.waitFor(tabShown, 'the examples tree', 1500).catch(() => {});
    }
    // Open this module's folder (the tree loads it lazily, so click until its examples show).
    const allShown = exampleFiles.map((f) => `${label(f.replace(/\.json$/, ''))}.is(':visible')`).join(' && ');
    for (let attempt = 0; attempt < 10 && !(await browser.evaluate(allShown)); attempt++) {
      await browser.click(label(MODULE), 'this module in the examples tree');
      await browser.waitFor(allShown, 'the examples to show', 1500).catch(() => {});
    }
    assert.ok(await browser.evaluate(allShown), 'every example is listed under this module');
    await new Promise((r) => setTimeout(r, 600)); // let the tree's expand animation end
    await browser.screenshot(path.join(SHOTS, 'import-examples.png'));
    await closeImportDialog();
  });

  /** Cancel the Import dialog (also after a failure, so the next tests are not blocked). */
  async function closeImportDialog() {
    if (!(await browser.evaluate("$('#red-ui-clipboard-dialog').is(':visible')"))) return;
    await browser.click(
      `$('#red-ui-clipboard-dialog').parent().find('button').filter((i, e) => $(e).text().trim() === 'Cancel')`,
      'Cancel',
    );
  }

  it('imports every example like Import > Examples, all valid, and deploys them with the Deploy button', async function () {
    await closeImportDialog();
    for (const file of exampleFiles) {
      const name = file.replace(/\.json$/, '');
      await browser.evaluate(`new Promise((resolve, reject) => {
        $.get('library/examples/flows/${MODULE}/' + encodeURIComponent(${JSON.stringify(name)}))
          .done((data) => {
            let nodes = typeof data === 'string' ? JSON.parse(data) : data;
            // the test runtime's ports instead of 1880 / 1881
            nodes = JSON.parse(JSON.stringify(nodes)
              .split(${JSON.stringify(runner.DEMO_HTTP)}).join(${JSON.stringify(new URL(nr.url).host)})
              .split(${JSON.stringify(runner.DEMO_HTTPS)}).join(${JSON.stringify(
                examples[0] && exampleHttpsHost(examples),
              )})
              .split(${JSON.stringify(runner.DEMO_REDIS)}).join(${JSON.stringify(`127.0.0.1:${redis.port}`)}));
            RED.view.importNodes(nodes, { generateIds: false, addFlow: false });
            resolve(true);
          })
          .fail((xhr) => reject(new Error('GET example ' + xhr.status)));
      })`);
    }
    const invalid = await browser.evaluate(`(() => {
      const bad = [];
      RED.nodes.eachNode((n) => { if (!n.valid) bad.push(n.type + ' ' + (n.name || n.id)); });
      RED.nodes.eachConfig((n) => { if (n.valid === false) bad.push(n.type + ' ' + (n.name || n.id)); });
      return bad;
    })()`);
    assert.deepStrictEqual(invalid, [], 'the editor marks these imported nodes invalid');
    const deploysBefore = sidebar.deployed.size;
    await browser.click("$('#red-ui-header-button-deploy')", 'the Deploy button');
    await browser.waitFor('!RED.nodes.dirty()', 'the deploy to finish');
    await sidebar.waitFor(() => sidebar.deployed.size > deploysBefore, 'the deployed flows to start');
    // What the runtime got is what the example files hold, ids included.
    const flows = (await runner.request(nr.url, 'GET', 'flows')).body;
    for (const { nodes } of examples) {
      for (const n of nodes)
        assert.ok(
          flows.some((f) => f.id === n.id),
          `${n.type} ${n.id} was deployed`,
        );
    }
  });

  for (const file of exampleFiles) {
    const name = file.replace(/\.json$/, '');
    it(`${name}: works after the editor's import and deploy`, async function () {
      const example = examples.find((e) => e.file === file);
      const tab = example.nodes.find((n) => n.type === 'tab').id;
      await browser.evaluate(
        `RED.workspaces.show(${JSON.stringify(tab)}); RED.sidebar.show('debug'); ` +
          "RED.actions.invoke('core:clear-debug-messages'); true",
      );
      await runExample({ url: nr.url, sidebar, example });
      await browser.waitFor("$('.red-ui-debug-msg').length > 0", 'the Debug sidebar to show the output');
      await browser.evaluate("$('.red-ui-notification').css('visibility', 'hidden'); true");
      await browser.screenshot(path.join(SHOTS, `${name}.png`));
    });
  }

  it('ran without errors in the page', function () {
    assert.deepStrictEqual(browser.pageErrors, []);
  });
});

/** host:port the examples' demo HTTPS server got in loadExamples (any datasource on https). */
function exampleHttpsHost(examples) {
  const ds = examples.flatMap((e) => e.nodes).find((n) => n.type === 'rest-datasource' && /^https:/.test(n.baseUrl));
  return ds ? new URL(ds.baseUrl).host : runner.DEMO_HTTPS;
}
