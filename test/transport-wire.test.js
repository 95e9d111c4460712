'use strict';
// What the transport puts on the wire, read as raw bytes by a TCP server (an HTTP server
// would refuse or repair a malformed request and hide the defect):
// - hop-by-hop headers (Connection, Keep-Alive, Proxy-Connection, TE, Trailer,
//   Transfer-Encoding, Upgrade) and Content-Length never come from the datasource, the query
//   or the msg: they describe one connection and the body's framing, which the transport
//   decides. A Transfer-Encoding next to the computed Content-Length is a smuggled request.
// - a redirect from https to http on the SAME port is another origin: it loses every credential.
const assert = require('assert');
const http = require('http');
const https = require('https');
const net = require('net');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { certs, serverOptions } = require('./lib/certs');
const { secret } = require('./lib/secrets');

const HOP_BY_HOP = {
  Connection: 'close, X-Private',
  'Keep-Alive': 'timeout=1',
  'Proxy-Connection': 'close',
  TE: 'trailers',
  Trailer: 'X-Trail',
  'Transfer-Encoding': 'chunked',
  Upgrade: 'websocket',
  'Content-Length': '3',
};

/** A TCP server that records each request's raw head and body and answers 200 with Content-Length. */
async function startRawServer() {
  const requests = [];
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString('latin1');
        const lines = head.split('\r\n');
        const headers = lines.slice(1).map((l) => {
          const colon = l.indexOf(':');
          return [l.slice(0, colon).toLowerCase(), l.slice(colon + 1).trim()];
        });
        const length = Number((headers.find(([n]) => n === 'content-length') || [])[1] || 0);
        if (buffer.length < end + 4 + length) return;
        requests.push({ line: lines[0], headers, body: buffer.subarray(end + 4, end + 4 + length).toString() });
        buffer = buffer.subarray(end + 4 + length);
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('transport on the wire', function () {
  useRuntime();
  afterEach(async function () {
    await helper.unload();
  });

  describe('hop-by-hop headers and Content-Length are the transport’s', function () {
    let raw;
    beforeEach(async function () {
      raw = await startRawServer();
    });
    afterEach(async function () {
      await raw.close();
    });

    function assertFraming(request, body) {
      const names = request.headers.map(([n]) => n);
      for (const name of ['transfer-encoding', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']) {
        assert.ok(!names.includes(name), `${name} reached the server: ${JSON.stringify(request.headers)}`);
      }
      // node:http's own Connection header only (keep-alive agent), never the one given.
      const connection = request.headers.filter(([n]) => n === 'connection').map(([, v]) => v);
      assert.deepStrictEqual(connection, ['keep-alive']);
      const lengths = request.headers.filter(([n]) => n === 'content-length').map(([, v]) => v);
      assert.deepStrictEqual(lengths, body === undefined ? [] : [String(Buffer.byteLength(body))]);
      if (body !== undefined) assert.strictEqual(request.body, body);
      assert.ok(!names.includes('x-private'), 'a header named in Connection was kept');
    }

    it('from msg.headers: dropped, in any letter case', async function () {
      const ctx = await loadQuery({ ds: { baseUrl: raw.url }, query: { method: 'POST', bodyType: 'text' } });
      const headers = {};
      for (const [name, value] of Object.entries(HOP_BY_HOP)) headers[name.toUpperCase()] = value;
      const { msg, error } = await ctx.run({ payload: 'a body of some length', headers });
      assert.ifError(error && error.error.message);
      assert.strictEqual(msg.statusCode, 200);
      assertFraming(raw.requests[0], 'a body of some length');
      // The connection was not closed on the msg's word: a second request reuses it.
      await ctx.run({ payload: 'again', headers });
      assert.strictEqual(raw.requests.length, 2);
      assertFraming(raw.requests[1], 'again');
    });

    it('from the datasource and the query rows: dropped', async function () {
      const rows = Object.entries(HOP_BY_HOP).map(([name, value]) => ({ name, value }));
      const ctx = await loadQuery({
        ds: { baseUrl: raw.url, headers: rows },
        query: {
          method: 'POST',
          bodyType: 'text',
          headers: rows.map((r) => ({ ...r, name: r.name.toLowerCase(), valueType: 'str' })),
        },
      });
      const { msg, error } = await ctx.run({ payload: 'row body' });
      assert.ifError(error && error.error.message);
      assert.strictEqual(msg.statusCode, 200);
      assertFraming(raw.requests[0], 'row body');
    });

    it('a GET without a body gets no Content-Length from msg.headers', async function () {
      const ctx = await loadQuery({ ds: { baseUrl: raw.url } });
      await ctx.run({ headers: { 'Content-Length': '5', 'Transfer-Encoding': 'chunked' } });
      assertFraming(raw.requests[0], undefined);
    });
  });

  it('a redirect from https to http on the same port drops every credential', async function () {
    // One port, two schemes: a TLS ClientHello (first byte 0x16) goes to the https server,
    // anything else to the http one, so only the scheme tells the two origins apart.
    const c = certs();
    const token = secret('same-port-token');
    const seen = { https: [], http: [] };
    let port;
    const record = (scheme) => (req, res) => {
      seen[scheme].push({ url: req.url, headers: req.headers });
      if (scheme === 'https') {
        res.writeHead(302, { Location: `http://127.0.0.1:${port}/plain` });
        res.end();
        return;
      }
      res.setHeader('Content-Type', 'application/json');
      res.end('{"plain":true}');
    };
    const secure = https.createServer(serverOptions(c.server), record('https'));
    const plain = http.createServer(record('http'));
    const sockets = new Set();
    const front = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.once('readable', () => {
        const first = socket.read(1);
        if (!first) return socket.destroy();
        socket.unshift(first);
        (first[0] === 0x16 ? secure : plain).emit('connection', socket);
      });
    });
    await new Promise((resolve) => front.listen(0, '127.0.0.1', resolve));
    port = front.address().port;
    try {
      const ctx = await loadQuery({
        ds: {
          baseUrl: `https://127.0.0.1:${port}`,
          authType: 'bearer',
          headers: [{ name: 'X-Row-Secret', value: '', secret: true }],
          cookies: [{ name: 'sid', value: 'abc' }],
        },
        credentials: {
          token,
          ca: c.ca.pem,
          secrets: JSON.stringify({ 'headers:x-row-secret': secret('same-port-row') }),
        },
      });
      const { msg, error } = await ctx.run({});
      assert.ifError(error && error.error.message);
      assert.deepStrictEqual(msg.payload, { plain: true });
      assert.strictEqual(seen.https[0].headers.authorization, 'Bearer ' + token, 'sent on its own origin');
      assert.strictEqual(seen.http.length, 1);
      const landed = seen.http[0].headers;
      assert.strictEqual(landed.authorization, undefined, 'the token went over plain http');
      assert.strictEqual(landed['x-row-secret'], undefined);
      assert.strictEqual(landed.cookie, undefined);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => front.close(resolve));
    }
  });
});
