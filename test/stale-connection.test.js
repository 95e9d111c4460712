'use strict';
// A kept-alive connection the server has already closed when a request is written on it (the
// server's idle timeout, a restart, a failover: the reset arrives before any answer). An
// idempotent request goes again on a new connection and its msg gets the answer; a POST fails
// with ECONNRESET as before (the server may have received it). The server is a real TCP server
// speaking HTTP/1.1 that answers the first request of every connection and resets the
// connection (RST) on any later one: the race, made certain.
const assert = require('assert');
const net = require('net');
const { helper, loadQuery, collect, useRuntime } = require('./lib/nr');

function startStaleServer() {
  const connections = [];
  const server = net.createServer((socket) => {
    const conn = { requests: [] };
    connections.push(conn);
    let buffered = Buffer.alloc(0);
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.subarray(0, end).toString('latin1');
        const length = Number((/\r\ncontent-length: *(\d+)/i.exec(head) || [])[1] || 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.subarray(end + 4 + length);
        const [method, url] = head.split(' ');
        conn.requests.push(`${method} ${url}`);
        if (conn.requests.length > 1) {
          socket.resetAndDestroy();
          return;
        }
        const body = JSON.stringify({ method, url, connection: connections.length });
        socket.write(
          'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: keep-alive\r\n' +
            `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        connections,
        close: () => new Promise((r) => server.close(r)),
      }),
    ),
  );
}

describe('a kept-alive connection the server already closed', function () {
  let api;
  useRuntime();
  beforeEach(async function () {
    api = await startStaleServer();
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
  });

  async function until(check) {
    for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  }

  it('a GET written on it goes again on a new connection: the msg gets its answer', async function () {
    // retries 0: what recovers the msg is the transport, not the datasource's retry setting.
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, retries: 0 },
      query: { method: 'GET', path: 'items/{{id}}' },
    });
    const first = await ctx.run({ id: 1 });
    assert.strictEqual(first.msg.statusCode, 200);
    const second = await ctx.run({ id: 2 });
    assert.ok(second.msg, `an output, not an error: ${JSON.stringify(second.error && second.error.error)}`);
    assert.strictEqual(second.msg.statusCode, 200);
    assert.deepStrictEqual(second.msg.payload, { method: 'GET', url: '/items/2', connection: 2 });
    assert.deepStrictEqual(
      api.connections.map((c) => c.requests),
      [['GET /items/1', 'GET /items/2'], ['GET /items/2']],
      'written on the closed connection, then answered on a new one',
    );
  });

  it('with every idle connection closed at once, one resend reaches a new connection', async function () {
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, retries: 0 },
      query: { method: 'GET', path: 'items/{{id}}' },
    });
    const { outputs, errors } = collect(ctx);
    // Three at once: three connections, each answered once, then idle in the agent.
    for (const id of [1, 2, 3]) ctx.q.receive({ id });
    await until(() => outputs.length + errors.length === 3);
    assert.strictEqual(outputs.length, 3);
    assert.strictEqual(api.connections.length, 3);
    ctx.q.receive({ id: 4 });
    await until(() => outputs.length + errors.length === 4);
    assert.deepStrictEqual(errors, []);
    assert.deepStrictEqual(outputs[3].payload, { method: 'GET', url: '/items/4', connection: 4 });
    assert.strictEqual(api.connections.length, 4, 'the other idle connections were not tried: a new one was opened');
  });

  it('a POST written on it fails with ECONNRESET for a Catch node and is not sent again; the next msg works', async function () {
    const ctx = await loadQuery({
      ds: { baseUrl: api.url },
      query: { method: 'POST', path: 'orders', bodyType: 'json' },
    });
    const first = await ctx.run({ payload: { n: 1 } });
    assert.strictEqual(first.msg.statusCode, 200);
    const second = await ctx.run({ payload: { n: 2 } });
    assert.ok(second.error, 'the msg ends in an error');
    assert.strictEqual(second.error.error.code, 'ECONNRESET');
    const third = await ctx.run({ payload: { n: 3 } });
    assert.strictEqual(third.msg.statusCode, 200);
    assert.deepStrictEqual(
      api.connections.map((c) => c.requests),
      [['POST /orders', 'POST /orders'], ['POST /orders']],
      'the failed POST was written once',
    );
  });
});
