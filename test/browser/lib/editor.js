'use strict';
/* global document -- used inside functions that run in the browser page */
// A real Node-RED (the runtime the suite runs on) with this package installed into a fresh
// user directory, and a headless Debian Chromium driven by playwright-core. Nothing is stubbed:
// the tests click through the same editor a user sees.
const fs = require('fs');
const os = require('os');
const path = require('path');
const runner = require('../../../scripts/lib/node-red-runner');

const ROOT = path.join(__dirname, '..', '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = path.join(ROOT, 'test', 'output', 'browser');
const CREDENTIAL_SECRET = 'browser-test-credential-secret';

const hasChromium = () => fs.existsSync(CHROMIUM);

/** In a mocha before hook: skip the suite, saying why, on a machine without Chromium. */
function skipWithoutChromium(ctx) {
  if (hasChromium()) return;
  // On CI a missing browser is a broken set-up, not a reason to pass in silence.
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error('CI=true but /usr/bin/chromium is missing: install Debian package "chromium" (.ci/run does)');
  }
  console.log('      (skipped: /usr/bin/chromium is missing; install Debian package "chromium")');
  ctx.skip();
}

/**
 * Start Node-RED (the runtime the suite runs on) on 127.0.0.1 with a settings file written
 * here (credentialSecret set, so the credential file is encrypted with a key the test knows)
 * and this repository linked into userDir/node_modules, exactly where `npm install` in
 * ~/.node-red would put it. scripts/lib/node-red-runner.js launches it as a user would.
 */
async function startNodeRed() {
  const runtime = process.env.NODE_RED_RUNTIME || 'node-red';
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rds-browser-'));
  runner.linkPackage(userDir, ROOT);
  fs.writeFileSync(
    path.join(userDir, 'package.json'),
    JSON.stringify({ name: 'node-red-project', private: true, dependencies: {} }),
  );
  const port = await runner.freePort();
  fs.writeFileSync(
    path.join(userDir, 'settings.js'),
    `module.exports = ${JSON.stringify(
      {
        uiHost: '127.0.0.1',
        uiPort: port,
        flowFile: 'flows.json',
        credentialSecret: CREDENTIAL_SECRET,
        logging: { console: { level: 'warn' } },
        editorTheme: { tours: false, projects: { enabled: false } },
        telemetry: { enabled: false },
        diagnostics: { enabled: false },
        externalModules: { autoInstall: false, palette: { allowInstall: false } },
      },
      null,
      2,
    )};\n`,
  );
  const nr = await runner.startNodeRed({ runtime, userDir, port, env: { NODE_RED_ENABLE_TOURS: 'false' } });
  return {
    url: nr.url.replace(/\/$/, ''),
    userDir,
    log: nr.output,
    read: (file) => fs.readFileSync(path.join(userDir, file), 'utf8'),
    stop: async () => {
      await nr.stop();
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}

async function launchBrowser() {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Open the editor and wait until the palette shows this package's nodes. */
async function openEditor(browser, url, { locale = 'en-US' } = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
  const page = await context.newPage();
  await page.goto(`${url}/`);
  await page.waitForSelector('.red-ui-palette-node[data-palette-type="rest-query"]', { timeout: 20000 });
  // Notifications (such as Node-RED 5's "unsupported Node.js" warning) must not swallow clicks.
  await page.addStyleTag({ content: '#red-ui-notifications { pointer-events: none; }' });
  return { context, page };
}

/** Add a node from the palette by dragging it onto the workspace at (x, y). */
async function dragFromPalette(page, type, x, y) {
  const item = page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
  await item.scrollIntoViewIfNeeded();
  const box = await item.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  const ws = await page.locator('#red-ui-workspace-chart').boundingBox();
  await page.mouse.move(ws.x + x, ws.y + y, { steps: 8 });
  await page.mouse.up();
}

async function deploy(page) {
  await page.waitForSelector('.red-ui-tray', { state: 'detached' });
  await page.click('#red-ui-header-button-deploy');
  await page.waitForSelector('.red-ui-notification:has-text("Successfully deployed")', { timeout: 10000 });
  // An earlier deploy's notification may still show: wait for this deploy's answer as well.
  await page.waitForFunction('!RED.nodes.dirty()', null, { timeout: 10000 });
}

function screenshotPath(name) {
  fs.mkdirSync(OUTPUT, { recursive: true });
  return path.join(OUTPUT, name);
}

/** Where the docs' screenshots live; UPDATE_SCREENSHOTS=1 makes the browser test rewrite them. */
const DOCS_SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');

/** Wait until no edit tray moves (Node-RED slides trays in and out) for a few frames. */
async function traysSettled(page) {
  let last = '';
  for (let stable = 0, i = 0; stable < 3 && i < 60; i++) {
    const now = await page.evaluate(() =>
      JSON.stringify([...document.querySelectorAll('.red-ui-tray')].map((t) => t.getBoundingClientRect())),
    );
    stable = now === last ? stable + 1 : 0;
    last = now;
    await page.waitForTimeout(50);
  }
}

/**
 * A screenshot of what the user sees: trays at rest, notifications (such as Node-RED 5's
 * Node.js warning) out of the way. test/output/browser/<name>, and docs/screenshots/<name>
 * when UPDATE_SCREENSHOTS=1 (unless `docs` is false).
 */
async function screenshot(page, name, { docs = true } = {}) {
  await traysSettled(page);
  await page.evaluate(() =>
    document.querySelectorAll('.red-ui-notification').forEach((n) => (n.style.visibility = 'hidden')),
  );
  const shot = await page.screenshot({ path: screenshotPath(name) });
  if (docs && process.env.UPDATE_SCREENSHOTS === '1') {
    fs.mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
    fs.writeFileSync(path.join(DOCS_SCREENSHOTS, name), shot);
  }
}

/**
 * Open the datasource of the query dialog that is open, with the pencil beside its select, as a
 * user does once the dialog has settled: Node-RED ignores a click on that button while it is
 * still disabled (before the select has its value) or while the tray slides in, which under a
 * loaded machine once left a test waiting for a dialog that never opened. Clicked again if no
 * datasource dialog shows within 5 s.
 */
async function editDatasource(page) {
  const button = '#node-input-btn-datasource-edit:not(.disabled)';
  // Attached, not visible: the dialog may open on another of its tabs.
  const opened = (timeout) => page.waitForSelector('#node-config-input-baseUrl', { state: 'attached', timeout });
  await page.waitForSelector(button);
  await traysSettled(page);
  await page.click(button);
  try {
    await opened(5000);
  } catch {
    await traysSettled(page);
    await page.click(button);
    await opened(30000);
  }
  await traysSettled(page);
}

/** Type as a user does: Node-RED re-validates on keyup and change, not on the input event. */
async function typeText(page, selector, text) {
  await page.fill(selector, text);
  await page.press(selector, 'End');
}

/** Node-RED's credential file format: hex IV (16 bytes) + base64 AES-256-CTR of the JSON. */
function decryptCredentials(text) {
  const crypto = require('crypto');
  const { $ } = JSON.parse(text);
  const key = crypto.createHash('sha256').update(CREDENTIAL_SECRET).digest();
  const iv = Buffer.from($.substring(0, 32), 'hex');
  const decipher = crypto.createDecipheriv('aes-256-ctr', key, iv);
  return JSON.parse(decipher.update($.substring(32), 'base64', 'utf8') + decipher.final('utf8'));
}

module.exports = {
  ROOT,
  editDatasource,
  OUTPUT,
  hasChromium,
  skipWithoutChromium,
  startNodeRed,
  launchBrowser,
  openEditor,
  dragFromPalette,
  deploy,
  screenshotPath,
  screenshot,
  traysSettled,
  typeText,
  decryptCredentials,
};
