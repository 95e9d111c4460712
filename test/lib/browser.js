'use strict';
// A headless Chromium driven over the DevTools protocol, just enough to use the Node-RED editor
// in a test: open a page, evaluate script in it, take screenshots. It uses the Chromium that
// is installed on the machine (CHROMIUM_PATH or the usual places); it never downloads one.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');

const runtimeDir = path.dirname(require.resolve(`${process.env.NODE_RED_RUNTIME || 'node-red'}/package.json`));
const WebSocket = require(require.resolve('ws', { paths: [runtimeDir] }));

const CANDIDATES = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

function findChromium() {
  return CANDIDATES.find((p) => p && fs.existsSync(p));
}

class Browser {
  static async launch({ width = 1500, height = 900 } = {}) {
    const executable = findChromium();
    if (!executable) throw new Error('no Chromium found (set CHROMIUM_PATH)');
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-datasource-chromium-'));
    const child = spawn(
      executable,
      [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        '--no-default-browser-check',
        '--hide-scrollbars',
        `--window-size=${width},${height}`,
        `--user-data-dir=${profile}`,
        '--remote-debugging-address=127.0.0.1',
        '--remote-debugging-port=0',
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const wsUrl = await new Promise((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`Chromium did not start:\n${err}`)), 20000);
      child.stderr.on('data', (c) => {
        err += c;
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Chromium exited (${code}):\n${err}`));
      });
    });
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const browser = new Browser(child, ws, profile, exited);
    const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
    browser.sessionId = sessionId;
    await browser.send('Page.enable', {}, sessionId);
    await browser.send('Runtime.enable', {}, sessionId);
    return browser;
  }

  constructor(child, ws, profile, exited) {
    this.child = child;
    this.ws = ws;
    this.profile = profile;
    this.exited = exited;
    this.nextId = 1;
    this.pending = new Map();
    /** console errors and uncaught exceptions of the page */
    this.pageErrors = [];
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.id && this.pending.has(msg.id)) {
        const { resolve, reject } = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) reject(new Error(`${msg.error.message} ${msg.error.data || ''}`));
        else resolve(msg.result);
      } else if (msg.method === 'Runtime.exceptionThrown') {
        this.pageErrors.push(msg.params.exceptionDetails.exception?.description || msg.params.exceptionDetails.text);
      }
    });
  }

  send(method, params = {}, sessionId = this.sessionId) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  async goto(url) {
    await this.send('Page.navigate', { url });
  }

  /** Evaluate `expression` in the page (awaiting a promise) and return its JSON value. */
  async evaluate(expression) {
    const res = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (res.exceptionDetails) {
      const d = res.exceptionDetails;
      throw new Error(`in the page: ${d.exception?.description || d.text}`);
    }
    return res.result.value;
  }

  /** Poll `expression` in the page until it is truthy. */
  async waitFor(expression, what, ms = 20000) {
    const deadline = Date.now() + ms;
    for (;;) {
      let value;
      try {
        value = await this.evaluate(expression);
      } catch {
        // the page is still loading
      }
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** A real mouse click in the middle of the first visible element that `selectorJs` finds. */
  async click(selectorJs, what) {
    const box = await this.waitFor(
      `(() => { const e = (${selectorJs}).filter(':visible')[0]; if (!e) return null;
        const r = e.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()`,
      what,
    );
    for (const type of ['mouseMoved', 'mousePressed', 'mouseReleased']) {
      await this.send('Input.dispatchMouseEvent', { type, x: box.x, y: box.y, button: 'left', clickCount: 1 });
    }
  }

  async screenshot(file) {
    const { data } = await this.send('Page.captureScreenshot', { format: 'png' });
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.from(data, 'base64'));
  }

  async close() {
    try {
      await this.send('Browser.close', {}, null);
    } catch {
      // already gone
    }
    this.ws.terminate();
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(killer);
    fs.rmSync(this.profile, { recursive: true, force: true });
  }
}

module.exports = { Browser, findChromium };
