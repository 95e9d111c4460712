'use strict';
// Runs a real Node-RED process on a user directory that has this package installed, and
// talks to it through its admin HTTP API. Shared by `npm start` (scripts/start.js) and the
// tests that need a whole runtime (test/examples.test.js, test/package.test.js).
const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');
const { spawn } = require('child_process');

const ROOT = path.join(__dirname, '..', '..');
const PACKAGE_NAME = require(path.join(ROOT, 'package.json')).name;
const EXAMPLES_DIR = path.join(ROOT, 'examples');

/** Where the examples expect Node-RED (demo APIs) and the demo HTTPS server. */
const DEMO_HTTP = '127.0.0.1:1880';
const DEMO_HTTPS = '127.0.0.1:1881';
/** Where the shared-store example expects Redis. */
const DEMO_REDIS = '127.0.0.1:6379';

/** settings.js for a local user directory: loopback only, credentials encrypted. */
function settingsFile({ port, credentialSecret, logLevel = 'info', tours = true }) {
  return `// Written by node-red-contrib-rest-datasource for local runs; edit freely.
module.exports = {
    uiHost: '127.0.0.1',
    uiPort: ${port === undefined ? 'process.env.PORT || 1880' : Number(port)},
    flowFile: 'flows.json',
    credentialSecret: ${JSON.stringify(credentialSecret)},
    functionExternalModules: true,
    // No outside service: no consent prompt, no update check.
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: true, ui: true },
    logging: { console: { level: ${JSON.stringify(logLevel)}, metrics: false, audit: false } },${tours ? '' : '\n    editorTheme: { tours: false },'}
};
`;
}

/** Make `dir` (the package root) visible to Node-RED as an installed module of userDir. */
function linkPackage(userDir, dir = ROOT) {
  const modules = path.join(userDir, 'node_modules');
  fs.mkdirSync(modules, { recursive: true });
  const link = path.join(modules, PACKAGE_NAME);
  try {
    if (fs.realpathSync(link) === fs.realpathSync(dir)) return;
    fs.rmSync(link, { recursive: true, force: true });
  } catch {
    // no link yet
  }
  fs.symlinkSync(dir, link, 'junction');
}

/** The examples as {file, name, nodes}, with the demo addresses moved to the given ports. */
function loadExamples({ port = 1880, httpsPort = 1881, redisPort = 6379, dir = EXAMPLES_DIR } = {}) {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const text = fs
        .readFileSync(path.join(dir, file), 'utf8')
        .split(DEMO_HTTP)
        .join(`127.0.0.1:${port}`)
        .split(DEMO_HTTPS)
        .join(`127.0.0.1:${httpsPort}`)
        .split(DEMO_REDIS)
        .join(`127.0.0.1:${redisPort}`);
      return { file, name: file.replace(/\.json$/, ''), nodes: JSON.parse(text) };
    });
}

/** Whether this Node.js satisfies a simple `>=X.Y[.Z]` engines range. */
function nodeSatisfies(range) {
  const m = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(String(range || '').trim());
  if (!m) return true;
  const want = m.slice(1).map((v) => Number(v || 0));
  const have = process.versions.node.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (have[i] !== want[i]) return have[i] > want[i];
  return true;
}

/**
 * How to run `runtime`: its own red.js CLI, or, when that CLI refuses this Node.js (Node-RED 5
 * on Node < 22.9), the embedding launcher next to this file.
 */
function launchArgs(runtime, userDir, port) {
  const dir = path.dirname(require.resolve(`${runtime}/package.json`, { paths: [ROOT] }));
  const { engines } = require(path.join(dir, 'package.json'));
  if (nodeSatisfies(engines && engines.node)) {
    return [path.join(dir, 'red.js'), '--userDir', userDir, '--port', String(port)];
  }
  return [path.join(__dirname, 'embed-node-red.js'), dir, userDir, String(port)];
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** One admin API call; resolves {status, headers, body (parsed JSON when it is JSON)}. */
function request(base, method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(
      new URL(urlPath, base),
      {
        method,
        headers: {
          ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = text;
          if (/json/.test(res.headers['content-type'] || '')) {
            try {
              parsed = JSON.parse(text);
            } catch {
              // keep the text
            }
          }
          resolve({ status: res.statusCode, headers: res.headers, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/**
 * Start the Node-RED package `runtime` (node-red, or the alias node-red-5) on userDir as its
 * own process and wait until the admin API answers. Resolves
 * {child, url, output(), stop()}; rejects with the process output if it exits first.
 */
async function startNodeRed({
  runtime = 'node-red',
  userDir,
  port,
  env = {},
  stdio = 'pipe',
  timeoutMs = 30000,
  readyPath = 'flows',
}) {
  const child = spawn(process.execPath, launchArgs(runtime, userDir, port), {
    env: { ...process.env, ...env },
    stdio: stdio === 'inherit' ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  if (child.stdout) child.stdout.on('data', (c) => (log += c));
  if (child.stderr) child.stderr.on('data', (c) => (log += c));
  let exited = null;
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve((exited = { code, signal }))));
  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(forced);
    }
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`Node-RED exited (${exited.code ?? exited.signal}) before it answered:\n${log}`);
    try {
      // /flows answers once the runtime has loaded the flows (/settings may answer earlier);
      // under adminAuth /flows needs a token, so callers name a public path instead.
      const res = await request(url, 'GET', readyPath);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Node-RED did not answer on ${url} in time:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return { child, url, output: () => log, stop };
}

/**
 * Replace the whole flow configuration (what the editor's full deploy does). Resolves the new
 * revision; the runtime answers before the flows have started and then publishes
 * `notification/runtime-deploy` with that revision on the editor websocket.
 */
async function deployFlows(url, nodes) {
  const res = await request(
    url,
    'POST',
    'flows',
    { flows: nodes },
    { 'Node-RED-API-Version': 'v2', 'Node-RED-Deployment-Type': 'full' },
  );
  if (res.status !== 200) throw new Error(`deploy failed: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.rev;
}

module.exports = {
  ROOT,
  PACKAGE_NAME,
  EXAMPLES_DIR,
  DEMO_HTTP,
  DEMO_HTTPS,
  DEMO_REDIS,
  settingsFile,
  linkPackage,
  loadExamples,
  freePort,
  request,
  startNodeRed,
  deployFlows,
};
