'use strict';
// The package as the palette manager installs it: `npm pack`, then `npm install <tarball>` in
// a fresh Node-RED user directory (only what the tarball holds is there, no symlink to this
// checkout), then Node-RED 4 and Node-RED 5 in turn on that directory, checked through the
// admin API the editor uses.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFile } = require('child_process');
const runner = require('../scripts/lib/node-red-runner');

const pkg = require('../package.json');
const NAME = pkg.name;
const TYPES = Object.keys(pkg['node-red'].nodes);
// Both in turn; under `npm run test:nr5` (NODE_RED_RUNTIME set) only that one, as the default
// run has already covered both.
const RUNTIMES = process.env.NODE_RED_RUNTIME ? [process.env.NODE_RED_RUNTIME] : ['node-red', 'node-red-5'];

function npm(args, cwd) {
  return new Promise((resolve, reject) => {
    const cmd = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    execFile(cmd, args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`npm ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Whether a path in the tarball is allowed by package.json `files` (or always published). */
function published(file) {
  const always = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'];
  if (always.includes(file)) return true;
  return pkg.files.some((entry) => (entry.endsWith('/') ? file.startsWith(entry) : file === entry));
}

describe('package: npm pack, install like the palette manager, load in Node-RED 4 and 5', function () {
  this.timeout(120000);
  let workDir;
  let userDir;
  let packed;

  before(async function () {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-datasource-pack-'));
    userDir = path.join(workDir, 'userdir');
    fs.mkdirSync(userDir);
    [packed] = JSON.parse(await npm(['pack', '--json', '--pack-destination', workDir], runner.ROOT));
    // What Node-RED writes into a new user directory before the palette manager installs.
    fs.writeFileSync(
      path.join(userDir, 'package.json'),
      JSON.stringify({ name: 'node-red-project', description: 'A Node-RED Project', version: '0.0.1', private: true }),
    );
    await npm(
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--no-update-notifier',
        '--omit=dev',
        '--save',
        path.join(workDir, packed.filename),
      ],
      userDir,
    );
  });

  after(function () {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('packs only what package.json `files` allows, with the built nodes, examples and license', function () {
    const files = packed.files.map((f) => f.path);
    const stray = files.filter((f) => !published(f));
    assert.deepStrictEqual(stray, [], 'files outside `files`');
    for (const file of [...Object.values(pkg['node-red'].nodes), 'LICENSE', 'README.md', 'package.json']) {
      assert.ok(files.includes(file), `${file} is in the tarball`);
    }
    for (const type of TYPES) {
      assert.ok(files.includes(`dist/nodes/${type}/index.html`), `${type}/index.html is in the tarball`);
      assert.ok(files.includes(`dist/nodes/${type}/locales/en-US/index.json`), `${type} catalog is in the tarball`);
    }
    const examples = fs.readdirSync(runner.EXAMPLES_DIR).filter((f) => f.endsWith('.json'));
    for (const e of examples) assert.ok(files.includes(`examples/${e}`), `examples/${e} is in the tarball`);
    assert.ok(!files.some((f) => /^(src|test|scripts|node_modules)\//.test(f)), 'no sources, tests or scripts');
  });

  it('installs as a real directory with only its runtime dependencies', function () {
    const installed = path.join(userDir, 'node_modules', NAME);
    assert.ok(!fs.lstatSync(installed).isSymbolicLink(), 'installed from the tarball, not linked');
    assert.ok(!fs.existsSync(path.join(installed, 'src')), 'the sources are not installed');
    for (const dep of Object.keys(pkg.dependencies)) {
      assert.ok(fs.existsSync(path.join(userDir, 'node_modules', dep, 'package.json')), `${dep} is installed`);
    }
    const saved = JSON.parse(fs.readFileSync(path.join(userDir, 'package.json'), 'utf8'));
    assert.ok(saved.dependencies[NAME], 'the user directory records the module, as the palette manager does');
  });

  for (const runtime of RUNTIMES) {
    const version = require(`${runtime}/package.json`).version;
    describe(`in Node-RED ${version} (${runtime})`, function () {
      let nr;
      before(async function () {
        const port = await runner.freePort();
        fs.writeFileSync(
          path.join(userDir, 'settings.js'),
          runner.settingsFile({ port, credentialSecret: 'package-test-secret', logLevel: 'warn' }),
        );
        nr = await runner.startNodeRed({ runtime, userDir, port });
      });
      after(async function () {
        if (nr) await nr.stop();
      });
      const get = (route, accept = 'application/json') =>
        runner.request(nr.url, 'GET', route, undefined, { Accept: accept });

      it('registers every node type from the installed module, enabled and without error', async function () {
        const res = await get('nodes');
        assert.strictEqual(res.status, 200);
        const sets = res.body.filter((s) => s.module === NAME);
        assert.deepStrictEqual(sets.flatMap((s) => s.types).sort(), TYPES.slice().sort());
        for (const s of sets) {
          assert.strictEqual(s.enabled, true, `${s.id} enabled`);
          assert.strictEqual(s.err, undefined, `${s.id} loaded without error`);
          assert.strictEqual(s.version, pkg.version);
        }
        assert.doesNotMatch(nr.output(), new RegExp(`\\[error\\].*${NAME}`));
      });

      it('serves each node’s editor definition and help text to the editor', async function () {
        const res = await get('nodes', 'text/html');
        assert.strictEqual(res.status, 200);
        for (const type of TYPES) {
          assert.match(res.body, new RegExp(`registerType\\(\\s*['"]${type}['"]`), `${type} editor code`);
          assert.ok(res.body.includes(`data-template-name="${type}"`), `${type} edit dialog`);
          assert.ok(res.body.includes(`data-help-name="${type}"`), `${type} help`);
        }
      });

      it('serves the en-US message catalogs and the icons', async function () {
        const all = await get('nodes/messages?lng=en-US');
        assert.strictEqual(all.status, 200);
        for (const type of TYPES) {
          const catalog = all.body[`${NAME}/${type}`];
          assert.ok(catalog && catalog[type], `catalog ${NAME}/${type} with a "${type}" section`);
          const one = await get(`nodes/${NAME}/${type}/messages?lng=en-US`);
          assert.deepStrictEqual(one.body, catalog);
        }
        const icons = await get('icons');
        assert.deepStrictEqual(icons.body[NAME].sort(), TYPES.map((t) => `${t}.svg`).sort());
        const svg = await get(`icons/${NAME}/${TYPES[0]}.svg`, 'image/svg+xml');
        assert.strictEqual(svg.status, 200);
        assert.match(svg.body, /<svg/);
      });

      it('lists every example under Import > Examples and serves it as a flow', async function () {
        const list = await get(`library/examples/flows/${NAME}`);
        assert.strictEqual(list.status, 200);
        const expected = fs
          .readdirSync(runner.EXAMPLES_DIR)
          .filter((f) => f.endsWith('.json'))
          .map((f) => ({ fn: f.replace(/\.json$/, '') }))
          .sort((a, b) => a.fn.localeCompare(b.fn));
        assert.deepStrictEqual(
          list.body.slice().sort((a, b) => a.fn.localeCompare(b.fn)),
          expected,
        );
        for (const { fn } of expected) {
          const flow = await get(`library/examples/flows/${NAME}/${encodeURIComponent(fn)}`);
          assert.strictEqual(flow.status, 200, fn);
          const nodes = typeof flow.body === 'string' ? JSON.parse(flow.body) : flow.body;
          assert.ok(
            nodes.some((n) => TYPES.includes(n.type)),
            `${fn} uses this package's nodes`,
          );
        }
      });
    });
  }
});
