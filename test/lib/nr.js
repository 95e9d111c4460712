'use strict';
// The Node-RED runtime under test: node-red (4.x) by default, or the package named by
// NODE_RED_RUNTIME (npm run test:nr5 sets node-red-5, an alias of node-red 5.x).
const path = require('path');
const helper = require('node-red-node-test-helper');

// Datasources honour HTTP_PROXY / HTTPS_PROXY / NO_PROXY. Tests talk to 127.0.0.1 only, so a
// proxy configured on the machine running them must not apply; the proxy tests set their own.
for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']) {
  delete process.env[name];
}

const runtime = process.env.NODE_RED_RUNTIME;
if (runtime) helper.init(require.resolve(runtime));

const datasourceNode = require('../../dist/nodes/rest-datasource/index.js');
const queryNode = require('../../dist/nodes/rest-query/index.js');
const sharedStoreNode = require('../../dist/nodes/rest-shared-store/index.js');

const NODES = [datasourceNode, queryNode, sharedStoreNode];

/** A core node module (e.g. 'network/05-tls.js') of the runtime under test. */
function coreNode(file) {
  const base = path.dirname(require.resolve(`${runtime || 'node-red'}/package.json`));
  return require(require.resolve(`@node-red/nodes/core/${file}`, { paths: [base] }));
}

/** The status texts a node has shown so far, in order (the helper spies on Node.status). */
function statusTexts(node) {
  return node.status
    .getCalls()
    .filter((call) => call.thisValue === node)
    .map((call) => (call.args[0] && call.args[0].text) || '');
}

function runtimeVersion() {
  return require(`${runtime || 'node-red'}/package.json`).version;
}

/**
 * Load a flow: one datasource `ds`, one query `q` wired to helper `out`, and a Catch node
 * wired to helper `caught`. Returns the nodes and a `run(msg)` that resolves with the
 * first of {msg} (output) or {error} (what the Catch node received). One msg at a time:
 * for many in flight use collect().
 */
async function loadQuery({
  ds = {},
  query = {},
  credentials = {},
  extra = [],
  nodes = [],
  extraCredentials = {},
} = {}) {
  const flow = [
    { id: 'f1', type: 'tab', label: 'test' },
    { id: 'ds', type: 'rest-datasource', name: 'api', ...ds },
    { id: 'q', type: 'rest-query', z: 'f1', datasource: 'ds', wires: [['out']], ...query },
    { id: 'out', type: 'helper', z: 'f1' },
    { id: 'c', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'f1' },
    ...extra,
  ];
  await helper.load([...NODES, ...nodes], flow, { ds: credentials, ...extraCredentials });
  const q = helper.getNode('q');
  const out = helper.getNode('out');
  const caught = helper.getNode('caught');
  const run = (msg = {}) =>
    new Promise((resolve) => {
      const onOut = (m) => finish({ msg: m });
      const onErr = (m) => finish({ error: m });
      function finish(result) {
        out.removeListener('input', onOut);
        caught.removeListener('input', onErr);
        resolve(result);
      }
      out.on('input', onOut);
      caught.on('input', onErr);
      q.receive(msg);
    });
  return { helper, q, out, caught, ds: helper.getNode('ds'), run };
}

/** Every output and every caught error of `q`, for tests that send many messages. */
function collect(ctx) {
  const outputs = [];
  const errors = [];
  ctx.out.on('input', (m) => outputs.push(m));
  ctx.caught.on('input', (m) => errors.push(m));
  return { outputs, errors };
}

/**
 * Deploy a flow the way the editor does (POST /flows): credentials travel inline on the nodes
 * and the runtime moves them into its credential store. Resolves once every node runs.
 */
async function deploy(flow) {
  await helper._redNodes.setFlows(flow, null, 'full');
  const ids = flow.filter((n) => n.type !== 'tab').map((n) => n.id);
  for (let i = 0; i < 200 && !ids.every((id) => helper.getNode(id)); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Start the test helper's runtime around the enclosing describe block. */
function useRuntime() {
  before(function (done) {
    helper.startServer(done);
  });
  after(function (done) {
    helper.stopServer(done);
  });
}

module.exports = { useRuntime, helper, NODES, loadQuery, collect, deploy, runtimeVersion, coreNode, statusTexts };
