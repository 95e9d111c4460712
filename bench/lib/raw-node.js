'use strict';
// The ceiling: a minimal Node-RED node type defined in the bench only (never part of the
// package). Per msg it does what any HTTP node must at least do: one keep-alive node:http
// GET, collect the body, JSON.parse it, set msg.payload and msg.statusCode, send the msg.
// It runs in the same runtime and flow shape as rest-query, so `rest-query / raw node` is what
// the package costs on top of Node-RED's own per-message work and the HTTP exchange.
// With `batch: true` ("raw node batched") it writes the way the package's transport does:
// while a request is in flight, the requests of one event-loop turn go out together at its
// end (src/lib/http/node-adapter.ts), so `rest-query / raw node batched` is the package's own
// cost with that technique on both sides.
const http = require('node:http');

module.exports = function register(RED) {
  function BenchRawGet(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const { hostname, port, pathname, search } = new URL(config.url);
    const agent = new http.Agent({ keepAlive: true });
    const options = { host: hostname, port, path: pathname + search, agent };
    let active = 0;
    let batch = [];
    const get = (msg, send, done) => {
      active++;
      const fail = (e) => {
        active--;
        done(e);
      };
      const req = http.get(options, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          active--;
          try {
            msg.payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch (e) {
            return done(e);
          }
          msg.statusCode = res.statusCode;
          send(msg);
          done();
        });
        res.on('error', fail);
      });
      req.on('error', fail);
    };
    const flush = () => {
      const started = batch;
      batch = [];
      for (const args of started) get(...args);
    };
    node.on('input', (msg, send, done) => {
      if (!config.batch || (active === 0 && batch.length === 0)) return get(msg, send, done);
      if (!batch.length) setImmediate(flush);
      batch.push([msg, send, done]);
    });
    node.on('close', () => agent.destroy());
  }
  RED.nodes.registerType('bench-raw-get', BenchRawGet);
};
