'use strict';
// A real HTTP server on 127.0.0.1 that records every request it receives (method, URL,
// headers, raw body) and answers through a handler; the default echoes the request as JSON.
const http = require('http');

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function echo(req, res) {
  res.setHeader('Content-Type', 'application/json');
  res.end(
    JSON.stringify({
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: req.body.toString('utf8'),
    }),
  );
}

async function startServer(handler = echo, { createServer = http.createServer, options } = {}) {
  const requests = [];
  const sockets = new Set();
  const listener = async (req, res) => {
    req.body = await readBody(req);
    requests.push({
      method: req.method,
      url: req.url,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body: req.body,
    });
    try {
      await handler(req, res);
    } catch (e) {
      res.statusCode = 500;
      res.end(String(e && e.stack));
    }
  };
  const server = options ? createServer(options, listener) : createServer(listener);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const scheme = options ? 'https' : 'http';
  return {
    server,
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port with nothing listening on it. */
async function closedPort() {
  const s = http.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

module.exports = { startServer, echo, readBody, closedPort };
