'use strict';
// A mocha root-hook plugin (loaded by .mocharc.js) that watches everything the nodes show to
// people during the whole suite: node statuses, log lines, warnings, errors (with the msg a
// Catch node receives) and every msg a node sends. Any text carrying the test-secret marker
// fails the test that produced it. msg.payload is left out: it is the API's own data, and
// test servers echo requests back.
const { helper } = require('./nr');
const { MARK } = require('./secrets');

const leaks = [];

function serialise(value) {
  const seen = new WeakSet();
  return JSON.stringify(value, function (key, v) {
    if (key === 'payload' || key === 'req' || key === 'res') return undefined;
    if (Buffer.isBuffer(v) || (v && v.type === 'Buffer' && Array.isArray(v.data))) return undefined;
    if (v instanceof Error) return { ...v, message: v.message, stack: v.stack, str: String(v) };
    if (v && typeof v === 'object') {
      if (seen.has(v)) return undefined;
      seen.add(v);
    }
    return v;
  });
}

function check(where, args) {
  let text;
  try {
    text = serialise(args) || '';
  } catch {
    return;
  }
  if (text.includes(MARK)) leaks.push(`${where}: ${text.slice(0, 300)}`);
}

let installed = false;
function install() {
  if (installed) return;
  installed = true;
  const proto = helper._NodePrototype;
  for (const method of ['status', 'error', 'warn', 'log', 'send', 'debug', 'trace']) {
    const original = proto[method];
    proto[method] = function (...args) {
      check(`node.${method}`, method === 'error' ? [String(args[0]), args[0], args[1]] : args);
      return original.apply(this, args);
    };
  }
  const log = helper._log;
  const originalLog = log.log;
  log.log = function (...args) {
    check('log', args);
    return originalLog.apply(this, args);
  };
}

// Leaks are reported once at the end (a failing root afterEach would stop the whole run).
const byTest = [];

exports.mochaHooks = {
  beforeAll() {
    install();
  },
  afterEach() {
    if (leaks.length) byTest.push(`${this.currentTest.fullTitle()}\n  ${leaks.splice(0).join('\n  ')}`);
  },
  afterAll() {
    if (byTest.length) throw new Error(`secrets leaked in ${byTest.length} test(s):\n${byTest.join('\n')}`);
  },
};
