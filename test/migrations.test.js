'use strict';
// Versioned configuration: a flow saved by 0.1.0 (no `version`, settings added since missing)
// deploys and runs. The migration modules on their own, then the nine example flows exactly as
// 0.1.0 shipped them plus a datasource and a query that lack every newer setting, in a real
// Node-RED process, each inject pressed and its output read from the Debug sidebar.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const runner = require('../scripts/lib/node-red-runner');
const { DebugSidebar } = require('./lib/debug-sidebar');
const { runExample } = require('./lib/example-runs');
const {
  migrateDatasource,
  DATASOURCE_DEFAULTS,
  DATASOURCE_VERSION,
} = require('../dist/nodes/rest-datasource/migrations');
const { migrateQuery, QUERY_DEFAULTS, QUERY_VERSION } = require('../dist/nodes/rest-query/migrations');

const RUNTIME = process.env.NODE_RED_RUNTIME || 'node-red';
const FIXTURES = path.join(__dirname, 'fixtures', 'flows-0.1.0');
const LEGACY = 'legacy-datasource';

describe('configuration versions and migrations', function () {
  it('brings a 0.1.0 datasource to today: its settings kept, the missing ones at their defaults', function () {
    const saved = { id: 'd1', type: 'rest-datasource', baseUrl: 'https://api.example.com', authType: 'oauth2' };
    const frozen = JSON.stringify(saved);
    const today = migrateDatasource(saved);
    assert.strictEqual(JSON.stringify(saved), frozen, 'the saved config is left alone');
    assert.strictEqual(today.version, DATASOURCE_VERSION);
    assert.ok(DATASOURCE_VERSION >= 1);
    assert.strictEqual(today.baseUrl, 'https://api.example.com');
    assert.strictEqual(today.authType, 'oauth2');
    assert.strictEqual(today.id, 'd1');
    // the blank select of an imported old node: Client authentication
    assert.strictEqual(today.oauth2ClientAuth, 'header');
    for (const [key, value] of Object.entries(DATASOURCE_DEFAULTS)) {
      if (!(key in saved)) assert.deepStrictEqual(today[key], value, key);
    }
    assert.notStrictEqual(today.headers, DATASOURCE_DEFAULTS.headers, 'no node shares the default array');
  });

  it('keeps false, 0 and empty values a user saved, and a version newer than this build', function () {
    const today = migrateDatasource({ tlsVerify: false, retries: 0, oauth2Pkce: false, headers: [] });
    assert.strictEqual(today.tlsVerify, false);
    assert.strictEqual(today.oauth2Pkce, false);
    assert.strictEqual(today.retries, 0);
    const newer = migrateQuery({ version: QUERY_VERSION + 5, method: 'PATCH', futureSetting: 'x' });
    assert.strictEqual(newer.version, QUERY_VERSION + 5);
    assert.strictEqual(newer.futureSetting, 'x');
    assert.strictEqual(newer.method, 'PATCH');
    assert.strictEqual(migrateQuery({ version: 'garbage' }).version, QUERY_VERSION);
  });

  it('fills a query saved without pagination and payload mapping', function () {
    const today = migrateQuery({ datasource: 'd1', method: 'POST', path: 'x' });
    assert.strictEqual(today.method, 'POST');
    for (const key of ['paginate', 'pageMax', 'pageOutput', 'payloadPathType', 'failOnHttpError']) {
      assert.deepStrictEqual(today[key], QUERY_DEFAULTS[key], key);
    }
  });
});

describe(`flows saved by 0.1.0 deploy and run (${RUNTIME})`, function () {
  this.timeout(60000);
  let userDir;
  let nr;
  let sidebar;
  let flows;

  before(async function () {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-datasource-migrations-'));
    const port = await runner.freePort();
    fs.writeFileSync(
      path.join(userDir, 'settings.js'),
      runner.settingsFile({ port, credentialSecret: 'migrations-test-secret', logLevel: 'warn' }),
    );
    runner.linkPackage(userDir);
    nr = await runner.startNodeRed({ runtime: RUNTIME, userDir, port });
    sidebar = await DebugSidebar.connect(nr.url);
    flows = runner.loadExamples({ port, httpsPort: await runner.freePort(), dir: FIXTURES });
    const rev = await runner.deployFlows(
      nr.url,
      flows.flatMap((e) => e.nodes),
    );
    await sidebar.started(rev);
  });

  after(async function () {
    if (sidebar) sidebar.close();
    if (nr) await nr.stop();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('holds the nine 0.1.0 examples and the legacy datasource, none with a version', function () {
    assert.strictEqual(flows.length, 10);
    const ours = flows.flatMap((f) => f.nodes).filter((n) => /^rest-/.test(n.type));
    assert.ok(ours.length >= 20);
    assert.ok(ours.every((n) => n.version === undefined));
    const legacy = flows.find((f) => f.name === LEGACY).nodes.find((n) => n.type === 'rest-datasource');
    for (const key of ['oauth2ClientAuth', 'tls', 'proxy', 'maxResponseBytes', 'maxRequestBytes', 'cookieJar'])
      assert.ok(!(key in legacy), key);
    assert.ok(!Object.keys(legacy).some((k) => k.startsWith('signature')));
  });

  for (const file of fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.json') && !f.startsWith(LEGACY))) {
    const name = file.replace(/\.json$/, '');
    it(`${name} (0.1.0) works as it did`, async function () {
      const example = flows.find((e) => e.file === file);
      await runExample({ url: nr.url, sidebar, example });
    });
  }

  it('a datasource and a query without the newer settings send the request with their headers and auth', async function () {
    const { nodes } = flows.find((f) => f.name === LEGACY);
    const tab = nodes.find((n) => n.type === 'tab').id;
    const inject = nodes.find((n) => n.type === 'inject');
    const from = sidebar.messages.length;
    assert.strictEqual((await runner.request(nr.url, 'POST', `inject/${inject.id}`)).status, 200);
    const shown = await sidebar.waitFor(() => {
      const out = sidebar.outputs(tab, from);
      return out.length > 0 && out.map((m) => m.value);
    }, 'the legacy query output');
    assert.deepStrictEqual(shown, [{ hello: 'legacy', header: 'kept' }]);
    assert.deepStrictEqual(
      sidebar.logged().filter((m) => nodes.some((n) => n.id === m.id)),
      [],
    );
  });
});
