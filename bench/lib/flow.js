'use strict';
// Node-RED embedded in the bench process through node-red-node-test-helper: the real runtime,
// our two nodes from dist/, the core `http request` node of the same runtime and the bench's
// own minimal node (lib/raw-node.js). The helper
// wraps Node.prototype.send/status/... and the runtime's log in recording sinon spies for
// tests; those records would cost time and memory on every message (Node-RED logs a metric
// event per message and node), so the bench puts the runtime's own functions back.
const path = require('node:path');
const helper = require('node-red-node-test-helper');

const runtime = process.env.NODE_RED_RUNTIME || 'node-red';
if (process.env.NODE_RED_RUNTIME) helper.init(require.resolve(runtime));
const runtimeDir = path.dirname(require.resolve(`${runtime}/package.json`));
const coreHttpRequest = require(
  require.resolve('@node-red/nodes/core/network/21-httprequest.js', { paths: [runtimeDir] }),
);
const datasourceNode = require('../../dist/nodes/rest-datasource/index.js');
const queryNode = require('../../dist/nodes/rest-query/index.js');
const rawNode = require('./raw-node');

const NODES = [datasourceNode, queryNode, coreHttpRequest, rawNode];

// Node-RED's own methods, before the helper wraps them.
const WRAPPED = ['log', 'status', 'warn', 'error', 'debug', 'trace', 'send'];
const originals = Object.fromEntries(WRAPPED.map((m) => [m, helper._NodePrototype[m]]));
const originalLog = helper._log.log;

function runtimeVersion() {
  return require(`${runtime}/package.json`).version;
}

function start() {
  return new Promise((resolve) => helper.startServer(resolve));
}

function stop() {
  return new Promise((resolve) => helper.stopServer(resolve));
}

/**
 * Load a flow. `entries` is a list of {id, node} where node is a flow node (without id, z
 * and wires); each is wired to a helper node, and a Catch node collects every error.
 * Returns {driver(id), datasource(id)}: a driver sends a msg and resolves with the output.
 */
async function load(entries, extraNodes = [], credentials = {}) {
  const flow = [{ id: 'f1', type: 'tab', label: 'bench' }, ...extraNodes];
  for (const { id, node } of entries) {
    flow.push({ ...node, id, z: 'f1', wires: [[`${id}-out`]] });
    flow.push({ id: `${id}-out`, type: 'helper', z: 'f1' });
  }
  flow.push({ id: 'bench-catch', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['bench-caught']] });
  flow.push({ id: 'bench-caught', type: 'helper', z: 'f1' });
  await helper.load(NODES, flow, credentials);
  // Put back Node-RED's own Node.prototype methods (see the header comment).
  // Nodes with wires copied the wrapped send onto themselves when they were created.
  for (const m of WRAPPED) helper._NodePrototype[m] = originals[m];
  helper._log.log = originalLog;
  for (const n of flow) {
    const node = helper.getNode(n.id);
    if (node && Object.prototype.hasOwnProperty.call(node, 'send') && node.send.name !== 'NOOP_SEND') {
      node.send = originals.send;
    }
  }

  // One pending map for all nodes: a msg carries its bench id through the flow.
  const pending = new Map();
  let seq = 0;
  const settle = (msg, err) => {
    const id = msg && msg._benchId;
    const entry = pending.get(id);
    if (!entry) return;
    pending.delete(id);
    if (err) entry.reject(err);
    else entry.resolve(msg);
  };
  for (const { id } of entries) helper.getNode(`${id}-out`).on('input', (msg) => settle(msg));
  helper.getNode('bench-caught').on('input', (msg) => {
    const e = new Error((msg.error && msg.error.message) || 'error');
    e.code = msg.error && msg.error.code;
    settle(msg, e);
  });

  const driver = (id) => {
    const node = helper.getNode(id);
    return (fields = {}) =>
      new Promise((resolve, reject) => {
        const benchId = ++seq;
        pending.set(benchId, { resolve, reject });
        // Built the way an inject node builds its msg: an empty object, then one property at a
        // time. Not `{...fields, _benchId}`: V8 (Node 20) makes every property a node adds later
        // to a spread copy of a non-empty object a slow store, ~5 µs per msg in all.
        const msg = {};
        for (const key of Object.keys(fields)) msg[key] = fields[key];
        msg._benchId = benchId;
        node.receive(msg);
      });
  };
  return { driver, node: (id) => helper.getNode(id) };
}

function unload() {
  return helper.unload();
}

module.exports = { load, unload, start, stop, runtimeVersion };
