'use strict';
// `npm start`: Node-RED (the devDependency) on http://127.0.0.1:1880 (or $PORT) with a user
// directory inside the project (.userdir/, git-ignored), this package installed into it by a
// symlink, and every example loaded as a tab on the first start. No outside service is needed.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const runner = require('./lib/node-red-runner');

const root = runner.ROOT;
// START_USERDIR lets the test run this script on a temporary user directory.
const userDir = process.env.START_USERDIR ? path.resolve(process.env.START_USERDIR) : path.join(root, '.userdir');
const port = Number(process.env.PORT) || 1880;

/** Newest modification time of the files under `p` (0 when missing). */
function newest(p) {
  if (!fs.existsSync(p)) return 0;
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(p).map((f) => newest(path.join(p, f))));
}

function buildIfStale() {
  const built = Object.values(require('../package.json')['node-red'].nodes).map((f) => path.join(root, f));
  const builtAt = Math.min(...built.map((f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0)));
  const sources = ['src', 'locales', 'icons', 'scripts/build.js', 'tsconfig.json'].map((p) => path.join(root, p));
  if (builtAt > 0 && builtAt >= Math.max(...sources.map(newest))) return;
  console.log('Building dist/ ...');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.js')], { cwd: root, stdio: 'inherit' });
}

function prepareUserDir() {
  fs.mkdirSync(userDir, { recursive: true });
  const settings = path.join(userDir, 'settings.js');
  if (!fs.existsSync(settings)) {
    // A random key per checkout: flows_cred.json is encrypted and the key stays on this machine.
    const secret = crypto.randomBytes(24).toString('hex');
    fs.writeFileSync(settings, runner.settingsFile({ credentialSecret: secret }));
  }
  runner.linkPackage(userDir);
}

async function waitForRoute(url, route) {
  for (let i = 0; i < 100; i++) {
    const res = await runner.request(url, 'GET', route.replace(/^\//, ''));
    if (res.status !== 404) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

let nodeRed;

async function main() {
  buildIfStale();
  prepareUserDir();
  const firstStart = !fs.existsSync(path.join(userDir, 'flows.json'));
  const nr = (nodeRed = await runner.startNodeRed({
    userDir,
    port,
    env: { PORT: String(port) },
    stdio: 'inherit',
  }));
  const stopAndExit = (signal) => {
    nr.child.kill(signal);
  };
  process.on('SIGINT', () => stopAndExit('SIGINT'));
  process.on('SIGTERM', () => stopAndExit('SIGTERM'));
  nr.child.on('exit', (code) => process.exit(code ?? 0));

  if (firstStart) {
    // Deployed through the admin API, like the editor does, so the runtime encrypts the
    // examples' demo credentials into flows_cred.json. Later starts keep the user's edits.
    const examples = runner.loadExamples({ port, httpsPort: port + 1 });
    await runner.deployFlows(
      nr.url,
      examples.flatMap((e) => e.nodes),
    );
    // The deploy answers before the flows have started: wait until a demo API answers.
    const route = examples.flatMap((e) => e.nodes).find((n) => n.type === 'http in' && n.method === 'get');
    if (route) await waitForRoute(nr.url, route.url.replace(/\/:[^/]+/g, '/1'));
    console.log(`\nLoaded ${examples.length} examples as tabs: ${examples.map((e) => e.name).join(', ')}`);
  }
  console.log(`\nNode-RED with ${runner.PACKAGE_NAME} is running: ${nr.url}`);
  console.log('Open it in a browser; each "REST: ..." tab is an example. Press Ctrl+C to stop.\n');
}

main().catch(async (err) => {
  console.error(err.message || err);
  if (nodeRed) await nodeRed.stop();
  process.exit(1);
});
