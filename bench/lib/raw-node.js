'use strict';
// The ceiling: a minimal Node-RED node type defined in the bench only (never part of the
// package). Per msg it does what any HTTP node must at least do: one keep-alive node:http
// GET, collect the body, JSON.parse it, set msg.payload and msg.statusCode, send the msg.
// It runs in the same runtime and flow shape as rest-query, so `rest-query / raw node` is what
// the package costs on top of Node-RED's own per-message work and the HTTP exchange.
const http = require('node:http');

module.exports = function register(RED) {
  function BenchRawGet(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const { hostname, port, pathname, search } = new URL(config.url);
    const agent = new http.Agent({ keepAlive: true });
    const options = { host: hostname, port, path: pathname + search, agent };
    node.on('input', (msg, send, done) => {
      const req = http.get(options, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          try {
            msg.payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch (e) {
            return done(e);
          }
          msg.statusCode = res.statusCode;
          send(msg);
          done();
        });
        res.on('error', done);
      });
      req.on('error', done);
    });
    node.on('close', () => agent.destroy());
  }
  RED.nodes.registerType('bench-raw-get', BenchRawGet);
};
