'use strict';
// `npm start` (scripts/start.js) as a user runs it, on a temporary user directory: it prints
// the URL, serves the editor on 127.0.0.1, has every example deployed with its demo
// credentials on the first start, and keeps the user's flows on the next start.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const runner = require('../scripts/lib/node-red-runner');

/** Run scripts/start.js until it prints the URL; resolves {child, output(), stop()}. */
function start(env) {
  const child = spawn(process.execPath, [path.join(runner.ROOT, 'scripts', 'start.js')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`npm start printed no URL:\n${out}`));
    }, 30000);
    const onData = (c) => {
      out += c;
      if (/is running: http:\/\/127\.0\.0\.1:\d+\//.test(out)) {
        clearTimeout(timer);
        resolve({ child, output: () => out, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}):\n${out}`));
    });
  });
}

describe('npm start', function () {
  this.timeout(60000);
  let userDir;
  let port;
  let running;

  before(async function () {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-datasource-start-'));
    port = await runner.freePort();
  });
  afterEach(async function () {
    if (running) await running.stop();
    running = undefined;
  });
  after(function () {
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('prints the URL and serves every example, deployed with its demo credentials', async function () {
    running = await start({ START_USERDIR: userDir, PORT: String(port) });
    const url = `http://127.0.0.1:${port}/`;
    assert.ok(running.output().includes(`is running: ${url}`), 'prints the URL');
    const examples = runner.loadExamples();
    const flows = await runner.request(url, 'GET', 'flows');
    const tabs = flows.body.filter((n) => n.type === 'tab').map((n) => n.label);
    assert.deepStrictEqual(tabs.sort(), examples.map((e) => e.nodes.find((n) => n.type === 'tab').label).sort());
    // The package is installed into the user directory (a link to this checkout).
    const nodes = await runner.request(url, 'GET', 'nodes', undefined, { Accept: 'application/json' });
    assert.ok(nodes.body.some((s) => s.module === runner.PACKAGE_NAME && s.types.includes('rest-query')));
    // The demo APIs answer on the chosen port.
    const demo = await runner.request(url, 'GET', 'demo/bearer/me', undefined, {
      Authorization: 'Bearer demo-token-123',
    });
    assert.deepStrictEqual(demo.body, { login: 'demo', name: 'Demo User', plan: 'free' });
    const settings = fs.readFileSync(path.join(userDir, 'settings.js'), 'utf8');
    assert.match(settings, /uiHost: '127\.0\.0\.1'/);
    assert.match(settings, /credentialSecret: "[0-9a-f]{48}"/);
    assert.match(fs.readFileSync(path.join(userDir, 'flows_cred.json'), 'utf8'), /^\{\s*"\$"/, 'credentials encrypted');
    assert.ok(!fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8').includes(`127.0.0.1:1880`), 'ports rewritten');
    const cred = await runner.request(
      url,
      'GET',
      `credentials/rest-datasource/${datasourceOf(examples, 'bearer-token')}`,
    );
    assert.strictEqual(cred.body.has_token, true, 'the bearer example datasource has its token');
  });

  it('keeps the user’s flows on the next start instead of loading the examples again', async function () {
    const url = `http://127.0.0.1:${port}/`;
    running = await start({ START_USERDIR: userDir, PORT: String(port) });
    const mine = [{ id: 'a1b2c3d4e5f60718', type: 'tab', label: 'my flow' }];
    await runner.deployFlows(url, mine);
    await running.stop();
    running = await start({ START_USERDIR: userDir, PORT: String(port) });
    assert.doesNotMatch(running.output(), /Loaded \d+ examples/);
    const flows = await runner.request(url, 'GET', 'flows');
    assert.deepStrictEqual(
      flows.body.filter((n) => n.type === 'tab').map((n) => n.label),
      ['my flow'],
    );
  });
});

function datasourceOf(examples, file) {
  return examples.find((e) => e.name === file).nodes.find((n) => n.type === 'rest-datasource').id;
}
