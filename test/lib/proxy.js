'use strict';
// A forward proxy on 127.0.0.1 for tests. It relays absolute-form HTTP requests and opens
// CONNECT tunnels, records both, and, like a real proxy, consumes Proxy-Authorization (it is
// for the proxy, never forwarded). With `credentials` ("user:pass") it answers 407 without
// them. With `tls` (https.createServer options) it is an https:// proxy. It only relays to
// 127.0.0.1: a test can never send traffic anywhere else.
const http = require('http');
const https = require('https');
const net = require('net');

async function startProxy({ credentials, tls } = {}) {
  const relayed = []; // {method, url, headers} of absolute-form requests
  const tunnels = []; // {target, headers} of CONNECT requests
  const sockets = new Set();
  const expected = credentials ? 'Basic ' + Buffer.from(credentials).toString('base64') : undefined;
  const authorized = (req) => !expected || req.headers['proxy-authorization'] === expected;

  const handler = (req, res) => {
    relayed.push({ method: req.method, url: req.url, headers: { ...req.headers } });
    if (!authorized(req)) {
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="test"' });
      res.end();
      return;
    }
    let target;
    try {
      target = new URL(req.url);
    } catch {
      res.writeHead(400);
      res.end('absolute-form URL expected');
      return;
    }
    if (target.hostname !== '127.0.0.1') {
      res.writeHead(403);
      res.end('this test proxy only relays to 127.0.0.1');
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: target.pathname + target.search, headers },
      (up) => {
        res.writeHead(up.statusCode, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);

  server.on('connect', (req, client, head) => {
    tunnels.push({ target: req.url, headers: { ...req.headers } });
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    if (!authorized(req)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
      return;
    }
    const [host, port] = req.url.split(':');
    if (host !== '127.0.0.1') {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });

  server.on(tls ? 'secureConnection' : 'connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    relayed,
    tunnels,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const PROXY_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];

/**
 * Set proxy environment variables for the duration of a test; returns a function that puts
 * back exactly what was there (variables that were unset are deleted again).
 */
function setProxyEnv(vars) {
  const saved = {};
  for (const name of PROXY_VARS) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
  for (const [name, value] of Object.entries(vars)) process.env[name] = value;
  return function restore() {
    for (const name of PROXY_VARS) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  };
}

module.exports = { startProxy, setProxyEnv, PROXY_VARS };
