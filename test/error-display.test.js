'use strict';
// What a user sees of a failed query in a real Node-RED process, read from the editor's Debug
// sidebar over its websocket: an error no Catch node takes is one readable line, `CODE:
// message` (not a collapsed error object), and the log says the same; a Catch node still gets
// msg.error.code. An example imported into a Node-RED that is not on the port its demo API
// expects fails with ECONNREFUSED naming the address and this Node-RED's port.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const runner = require('../scripts/lib/node-red-runner');
const { DebugSidebar } = require('./lib/debug-sidebar');

const RUNTIME = process.env.NODE_RED_RUNTIME || 'node-red';

describe(`errors in the Debug sidebar of a real Node-RED (${RUNTIME})`, function () {
  this.timeout(60000);
  let userDir;
  let nr;
  let port;
  let closedPort;
  let sidebar;
  let example;

  const inject = (z, id, wire) => ({
    id,
    type: 'inject',
    z,
    name: id,
    props: [{ p: 'payload' }],
    payload: '',
    payloadType: 'date',
    repeat: '',
    once: false,
    x: 100,
    y: 100,
    wires: [[wire]],
  });
  const query = (z, id, datasource, path) => ({
    id,
    type: 'rest-query',
    z,
    name: id,
    datasource,
    method: 'GET',
    path,
    x: 300,
    y: 100,
    wires: [[]],
  });

  before(async function () {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-datasource-errors-'));
    port = await runner.freePort();
    // A port nothing listens on: where the example expects Node-RED, as 1880 is for a user
    // whose Node-RED runs elsewhere.
    closedPort = await runner.freePort();
    fs.writeFileSync(
      path.join(userDir, 'settings.js'),
      runner.settingsFile({ port, credentialSecret: 'errors-test-secret', logLevel: 'info' }),
    );
    runner.linkPackage(userDir);
    nr = await runner.startNodeRed({ runtime: RUNTIME, userDir, port });
    sidebar = await DebugSidebar.connect(nr.url);
    example = runner.loadExamples({ port: closedPort }).find((e) => e.name === 'basic-auth-crud');
    const own = `http://127.0.0.1:${port}`;
    const flows = [
      ...example.nodes,
      { id: 'tCaught', type: 'tab', label: 'caught' },
      { id: 'dsClosed', type: 'rest-datasource', name: 'closed', baseUrl: `http://127.0.0.1:${closedPort}/api` },
      inject('tCaught', 'iCaught', 'qCaught'),
      query('tCaught', 'qCaught', 'dsClosed', 'things'),
      {
        id: 'cCaught',
        type: 'catch',
        z: 'tCaught',
        scope: null,
        uncaught: false,
        x: 100,
        y: 200,
        wires: [['dCaught']],
      },
      {
        id: 'dCaught',
        type: 'debug',
        z: 'tCaught',
        name: 'caught error',
        active: true,
        tosidebar: true,
        console: false,
        complete: 'error',
        targetType: 'msg',
        x: 300,
        y: 200,
        wires: [],
      },
      { id: 'tHttp', type: 'tab', label: 'http error' },
      { id: 'dsOwn', type: 'rest-datasource', name: 'own', baseUrl: own },
      inject('tHttp', 'iHttp', 'qHttp'),
      query('tHttp', 'qHttp', 'dsOwn', 'no-such-route'),
    ];
    const rev = await runner.deployFlows(nr.url, flows);
    await sidebar.started(rev);
  });

  after(async function () {
    if (sidebar) sidebar.close();
    if (nr) await nr.stop();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  /** Press an inject button and wait for the sidebar entry `pick` finds among the new ones. */
  async function press(id, pick, what) {
    const from = sidebar.messages.length;
    const res = await runner.request(nr.url, 'POST', `inject/${id}`);
    assert.strictEqual(res.status, 200, `inject ${id}`);
    return sidebar.waitFor(() => sidebar.messages.slice(from).find(pick), what);
  }

  it('shows an uncaught error of an example on another port as one line naming the address and the port to use', async function () {
    const tab = example.nodes.find((n) => n.type === 'tab').id;
    const list = example.nodes.find((n) => n.type === 'inject' && n.name === 'list items');
    const shown = await press(
      list.id,
      (m) => m.z === tab && m.level !== undefined,
      'the error of "list items" in the sidebar',
    );
    assert.strictEqual(shown.level, 20, 'logged as an error');
    assert.strictEqual(typeof shown.value, 'string', `a line, not an object (format ${shown.format})`);
    assert.ok(!/error|object/i.test(shown.format), `shown as text, not as ${shown.format}`);
    const address = `127.0.0.1:${closedPort}`;
    assert.strictEqual(
      shown.value,
      `ECONNREFUSED: connection refused by http://${address}/demo/basic/items: nothing accepts connections at ` +
        `${address}; check the Base URL and that the API is running (this Node-RED listens on port ${port}: if ` +
        `the API is served by this Node-RED, as the demo APIs of the package's examples are, put port ${port} in ` +
        `the datasource's Base URL)`,
    );
    // The log (console) has the same line.
    await sidebar.waitFor(
      () => nr.output().includes(`ECONNREFUSED: connection refused by http://${address}`),
      'the log line',
    );
    assert.match(nr.output(), /\[error\] \[rest-query:[^\]]+\] ECONNREFUSED: connection refused by http:\/\/127/);
  });

  it('Test connection of that example says the same: the address and the port to use, not cut off', async function () {
    const ds = example.nodes.find((n) => n.type === 'rest-datasource');
    // The dialog of the imported example, unchanged: Test connection on its test path.
    const res = await runner.request(nr.url, 'POST', `rest-datasource/${ds.id}/test`, { path: 'items' });
    assert.strictEqual(res.status, 200);
    assert.strictEqual(res.body.ok, false);
    const address = `127.0.0.1:${closedPort}`;
    assert.strictEqual(
      res.body.message,
      `ECONNREFUSED: connection refused by http://${address}/demo/basic/items: nothing accepts connections at ` +
        `${address}; check the Base URL and that the API is running (this Node-RED listens on port ${port}: if ` +
        `the API is served by this Node-RED, as the demo APIs of the package's examples are, put port ${port} in ` +
        `the datasource's Base URL)`,
    );
  });

  it('shows an uncaught HTTP error as one line too', async function () {
    const shown = await press(
      'iHttp',
      (m) => m.z === 'tHttp' && m.level !== undefined,
      'the HTTP error in the sidebar',
    );
    assert.strictEqual(shown.value, 'HTTP_ERROR: HTTP 404 from GET no-such-route');
  });

  it('still gives a Catch node msg.error.code, and logs nothing a Catch node took', async function () {
    const from = sidebar.messages.length;
    const shown = await press('iCaught', (m) => m.id === 'dCaught', 'the caught error');
    const error = shown.value;
    assert.strictEqual(error.code, 'ECONNREFUSED');
    assert.match(
      error.message,
      new RegExp(`^ECONNREFUSED: connection refused by http://127\\.0\\.0\\.1:${closedPort}/api/things`),
    );
    assert.strictEqual(error.source.id, 'qCaught');
    assert.strictEqual(error.source.type, 'rest-query');
    assert.deepStrictEqual(
      sidebar.messages.slice(from).filter((m) => m.z === 'tCaught' && m.level !== undefined),
      [],
      'a caught error is not logged to the sidebar',
    );
  });
});
