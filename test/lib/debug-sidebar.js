'use strict';
// What the editor's Debug sidebar receives: a client of Node-RED's editor websocket (/comms)
// subscribed to `debug` (debug node output, node errors and warnings), `status/#` and the
// runtime's notifications (to know when a deploy has started).
const path = require('path');

// `ws` is a dependency of Node-RED's editor API; Node 20 has no WebSocket global.
const runtimeDir = path.dirname(require.resolve(`${process.env.NODE_RED_RUNTIME || 'node-red'}/package.json`));
const WebSocket = require(require.resolve('ws', { paths: [runtimeDir] }));

/** The value a debug message shows, decoded the way the sidebar decodes it. */
function shownValue(data) {
  const { msg, format } = data;
  if (typeof msg !== 'string') return msg;
  if (/^(Object|array|Array)/.test(format || '')) return JSON.parse(msg);
  if (format === 'number') return Number(msg);
  if (format === 'boolean') return msg === 'true';
  return msg;
}

class DebugSidebar {
  constructor(ws) {
    this.ws = ws;
    /** every debug message, in order: {id, z, name, level?, value, format, raw} */
    this.messages = [];
    /** last status per node id */
    this.status = new Map();
    this.waiters = new Set();
    /** flow revisions whose flows have started */
    this.deployed = new Set();
    ws.on('message', (data) => {
      const batch = JSON.parse(data.toString());
      for (const { topic, data: d } of Array.isArray(batch) ? batch : [batch]) {
        if (topic === 'debug') {
          this.messages.push({
            id: d.id,
            z: d.z,
            name: d.name,
            level: d.level,
            format: d.format,
            value: shownValue(d),
            raw: d,
          });
        } else if (topic === 'notification/runtime-deploy' && d && d.revision) {
          this.deployed.add(d.revision);
        } else if (typeof topic === 'string' && topic.startsWith('status/')) {
          this.status.set(topic.slice('status/'.length), d);
        }
      }
      for (const w of this.waiters) w();
    });
  }

  static async connect(baseUrl) {
    const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + 'comms');
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ subscribe: 'debug' }));
    ws.send(JSON.stringify({ subscribe: 'status/#' }));
    ws.send(JSON.stringify({ subscribe: 'notification/#' }));
    return new DebugSidebar(ws);
  }

  /** Node errors and warnings shown in the sidebar (they carry a log level). */
  logged(z) {
    return this.messages.filter((m) => m.level !== undefined && (z === undefined || m.z === z));
  }

  /** Debug node output (not log lines) of one tab since index `from`. */
  outputs(z, from = 0) {
    return this.messages.slice(from).filter((m) => m.level === undefined && m.z === z);
  }

  /** Resolve with what `check()` returns once it is truthy; reject after `ms` with `what`. */
  waitFor(check, what, ms = 10000) {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        const result = check();
        if (result) {
          done();
          resolve(result);
        }
      };
      const timer = setTimeout(() => {
        done();
        const seen = this.messages.map((m) => `${m.name || m.id}: ${JSON.stringify(m.value)}`).join('\n  ');
        reject(new Error(`timed out waiting for ${what}; the sidebar showed:\n  ${seen}`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(attempt);
      };
      this.waiters.add(attempt);
      attempt();
    });
  }

  /** Wait until the flows of revision `rev` have started. */
  started(rev) {
    return this.waitFor(() => this.deployed.has(rev), `flows revision ${rev} to start`);
  }

  close() {
    this.ws.terminate();
  }
}

module.exports = { DebugSidebar, shownValue };
