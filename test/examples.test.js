'use strict';
// Every file in examples/ in a real Node-RED process, as a user meets it: all examples
// deployed together (as `npm start` loads them), each inject button pressed in order, and the
// Debug sidebar read over the editor's websocket. What each example must show is in
// test/lib/example-runs.js; an example without an entry there still runs: each button must
// lead to debug output in its tab and, without a Catch node, to no error.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const runner = require('../scripts/lib/node-red-runner');
const { DebugSidebar } = require('./lib/debug-sidebar');
const { runExample } = require('./lib/example-runs');
const { startRedis } = require('./lib/redis');

const RUNTIME = process.env.NODE_RED_RUNTIME || 'node-red';

const exampleFiles = fs
  .readdirSync(runner.EXAMPLES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe(`examples in a real Node-RED (${RUNTIME})`, function () {
  this.timeout(60000);
  let userDir;
  let nr;
  let sidebar;
  let examples;
  let redis;

  before(async function () {
    // The shared-store example talks to a real Redis.
    redis = await startRedis();
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-datasource-examples-'));
    const port = await runner.freePort();
    const httpsPort = await runner.freePort();
    fs.writeFileSync(
      path.join(userDir, 'settings.js'),
      runner.settingsFile({ port, credentialSecret: 'examples-test-secret', logLevel: 'warn' }),
    );
    runner.linkPackage(userDir);
    nr = await runner.startNodeRed({ runtime: RUNTIME, userDir, port });
    sidebar = await DebugSidebar.connect(nr.url);
    examples = runner.loadExamples({ port, httpsPort, redisPort: redis.port });
    // All together, as `npm start` loads them: ids and demo routes must not collide.
    const rev = await runner.deployFlows(
      nr.url,
      examples.flatMap((e) => e.nodes),
    );
    await sidebar.started(rev);
  });

  after(async function () {
    if (sidebar) sidebar.close();
    if (nr) await nr.stop();
    if (redis) await redis.close();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('has distinct node ids and demo routes across all examples, and a comment, inject and debug node in each', function () {
    const ids = new Set();
    const routes = new Set();
    for (const { file, nodes } of examples) {
      assert.ok(Array.isArray(nodes), `${file} is a flow (a JSON array)`);
      for (const n of nodes) {
        assert.ok(!ids.has(n.id), `${file}: node id ${n.id} is used by another example`);
        ids.add(n.id);
        if (n.type === 'http in') {
          const route = `${n.method} ${n.url}`;
          assert.ok(!routes.has(route), `${file}: demo route ${route} is used by another example`);
          routes.add(route);
        }
      }
      for (const type of ['tab', 'comment', 'inject', 'debug', 'rest-query', 'rest-datasource']) {
        assert.ok(
          nodes.some((n) => n.type === type),
          `${file} has a ${type} node`,
        );
      }
    }
  });

  it('says in a comment which address its demo API expects and what to change on another port', function () {
    // As a user imports them: the files themselves, not the copies rewritten to this test's ports.
    for (const { file, nodes } of runner.loadExamples()) {
      const onNodeRed = nodes.some(
        (n) => n.type === 'rest-datasource' && n.baseUrl.startsWith('http://127.0.0.1:1880/'),
      );
      if (!onNodeRed) continue;
      const said = nodes.some(
        (n) =>
          n.type === 'comment' &&
          /127\.0\.0\.1:1880/.test(n.info) &&
          /another port/.test(n.info) &&
          /ECONNREFUSED/.test(n.info),
      );
      assert.ok(
        said,
        `${file}: no comment says that the demo API expects 127.0.0.1:1880 and what to do on another port`,
      );
    }
  });

  it("keeps the datasources' demo credentials out of flows.json and the flows API (encrypted in flows_cred.json)", async function () {
    const secrets = examples
      .flatMap((e) => e.nodes)
      .flatMap((n) => Object.values(n.credentials || {}))
      .filter((v) => typeof v === 'string' && v.length >= 8);
    assert.ok(secrets.length >= 5, 'the examples carry demo credentials');
    // The demo APIs check those values in their own nodes; the datasources must not hold them.
    const datasources = (nodes) => JSON.stringify(nodes.filter((n) => n.type === 'rest-datasource'));
    const flowsFile = datasources(JSON.parse(fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8')));
    const api = datasources((await runner.request(nr.url, 'GET', 'flows')).body);
    const credFile = fs.readFileSync(path.join(userDir, 'flows_cred.json'), 'utf8');
    assert.match(credFile, /^\{\s*"\$"/, 'flows_cred.json is encrypted');
    for (const secret of secrets) {
      const label = secret.slice(0, 12) + '...';
      assert.ok(!flowsFile.includes(secret), `a datasource in flows.json holds ${label}`);
      assert.ok(!api.includes(secret), `GET /flows returns ${label} in a datasource`);
      assert.ok(!credFile.includes(secret), `flows_cred.json holds ${label} unencrypted`);
    }
  });

  for (const file of exampleFiles) {
    const name = file.replace(/\.json$/, '');
    it(`${name}: pressing its inject buttons shows the expected output in the Debug sidebar`, async function () {
      const example = examples.find((e) => e.file === file);
      await runExample({ url: nr.url, sidebar, example });
    });
  }

  // Runs after every example above (mocha keeps the order): nothing the examples showed
  // (outputs, errors, warnings, statuses) carries a datasource secret.
  it('never showed a datasource secret in the Debug sidebar or a node status', function () {
    // Password-type credentials; a client id or a certificate is not secret (the mutual TLS
    // demo shows the client certificate's name on purpose).
    const SECRET = ['password', 'token', 'apiKey', 'clientSecret', 'key', 'passphrase', 'signatureKey'];
    const secrets = examples
      .flatMap((e) => e.nodes)
      .flatMap((n) => SECRET.map((name) => (n.credentials || {})[name]))
      .filter((v) => typeof v === 'string' && v.length >= 8);
    assert.ok(secrets.length >= 5, 'the examples carry demo secrets');
    const shown = JSON.stringify([sidebar.messages.map((m) => m.raw), [...sidebar.status.values()]]);
    assert.ok(sidebar.messages.length > 0, 'the examples showed output');
    for (const secret of secrets) assert.ok(!shown.includes(secret), `the sidebar showed ${secret.slice(0, 12)}...`);
  });
});
