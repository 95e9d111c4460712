'use strict';
// Writes batched per event-loop turn (src/lib/http/node-adapter.ts): while a request is in
// flight, the requests msgs start in one turn (Node-RED hands each msg over in its own
// callback) go on the wire together at the end of the turn; a request while nothing is in
// flight, and one a rate limit timed, goes out at once. Observed on the datasource's real
// keep-alive agent: a request gets its socket the moment node:http takes it.
const assert = require('assert');
const http = require('http');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');
const { nodeHttpTransport } = require('../dist/lib/http/node-adapter');
const { Cancel } = require('../dist/lib/http/cancel');

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('writes batched per event-loop turn', function () {
  let api;
  const held = [];

  useRuntime();
  before(async function () {
    api = await startServer((req, res) => {
      const path = req.url.split('?')[0];
      const answer = () => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ path }));
      };
      // /hold answers when the test lets it: a request in flight for as long as needed.
      if (path === '/hold') held.push(answer);
      else answer();
    });
  });
  after(async function () {
    await api.close();
  });
  afterEach(async function () {
    while (held.length) held.shift()();
    await helper.unload();
  });

  /** Sockets of the datasource's http agent, in use or queued for: one per request node:http took. */
  const taken = (agent) =>
    agent.totalSocketCount + Object.values(agent.requests).reduce((n, queue) => n + queue.length, 0);

  async function untilHeld(n) {
    for (let i = 0; i < 200 && held.length < n; i++) await new Promise((r) => setTimeout(r, 5));
    assert.strictEqual(held.length, n, 'the API holds the request');
  }

  it('with a request in flight, msgs of one turn go out together at its end, each with its own answer', async function () {
    const { q, out, ds } = await loadQuery({ ds: { baseUrl: api.url }, query: { method: 'GET', path: '{{item}}' } });
    const outputs = [];
    out.on('input', (msg) => outputs.push(msg));
    const agent = ds.datasource.client.httpAgent;

    // Nothing in flight: the first request is taken by node:http in the callback that started it.
    const lone = await new Promise((resolve) => {
      setImmediate(() => q.receive({ item: 'hold' }));
      setImmediate(() => resolve(taken(agent)));
    });
    assert.strictEqual(lone, 1, 'a lone request goes out at once');
    await untilHeld(1);

    // Three msgs handed over in three callbacks of one turn, as Node-RED delivers them.
    const seen = [];
    await new Promise((resolve) => {
      for (const item of ['a', 'b', 'c']) {
        setImmediate(() => q.receive({ item }));
        setImmediate(() => seen.push(taken(agent)));
      }
      setImmediate(resolve);
    });
    assert.deepStrictEqual(seen, [1, 1, 1], 'none of the three was written during the turn');
    await turn();
    assert.strictEqual(taken(agent), 4, 'all three went out together at the end of the turn');

    for (let i = 0; i < 200 && outputs.length < 3; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepStrictEqual(
      outputs.map((m) => [m.item, m.payload.path, m.statusCode]),
      [
        ['a', '/a', 200],
        ['b', '/b', 200],
        ['c', '/c', 200],
      ],
    );
    held.shift()();
    for (let i = 0; i < 200 && outputs.length < 4; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepStrictEqual(outputs[3].payload, { path: '/hold' });
    assert.deepStrictEqual(
      api.requests.map((r) => r.url),
      ['/hold', '/a', '/b', '/c'],
      'each request reached the API once, in the order the msgs came',
    );
  });

  describe('the transport', function () {
    let agent;
    let send;
    beforeEach(function () {
      api.requests.length = 0;
      agent = new http.Agent({ keepAlive: true });
      send = nodeHttpTransport({ maxResponseBytes: 1 << 20, httpAgent: agent, httpsAgent: undefined });
    });
    afterEach(function () {
      agent.destroy();
    });
    const request = (path, extra = {}) => {
      const signal = new Cancel();
      Object.assign(signal, extra.signal);
      return send({ method: 'GET', origin: api.url, path, headers: { ...extra.headers }, signal });
    };
    const body = (res) => JSON.parse(res.body.toString());

    it('a request whose start a rate limit timed goes out at once, even with others in flight', async function () {
      const first = request('/hold');
      await untilHeld(1);
      const batched = request('/batched');
      assert.strictEqual(taken(agent), 1, 'an ordinary request waits for the end of the turn');
      const paced = request('/paced', { signal: { unbatched: true } });
      assert.strictEqual(taken(agent), 2, 'the paced one was taken by node:http at once');
      assert.deepStrictEqual(body(await paced), { path: '/paced' });
      assert.deepStrictEqual(body(await batched), { path: '/batched' });
      held.shift()();
      assert.deepStrictEqual(body(await first), { path: '/hold' });
      assert.deepStrictEqual(
        api.requests.map((r) => r.url),
        ['/hold', '/paced', '/batched'],
      );
    });

    it('a request node:http refuses fails alone: the rest of its batch is answered', async function () {
      const first = request('/hold');
      await untilHeld(1);
      const sent = [
        request('/one'),
        // node:http refuses a header value outside Latin-1 when the request is built.
        request('/refused', { headers: { 'X-Note': 'price in €' } }),
        request('/two'),
      ].map((p) => p.then(body, (err) => ({ code: err.code })));
      assert.strictEqual(taken(agent), 1, 'the three wait for the end of the turn');
      assert.deepStrictEqual(await Promise.all(sent), [
        { path: '/one' },
        { code: 'ERR_INVALID_CHAR' },
        { path: '/two' },
      ]);
      held.shift()();
      await first;
      assert.deepStrictEqual(
        api.requests.map((r) => r.url),
        ['/hold', '/one', '/two'],
      );
    });

    it('a request aborted while it waits for its batch is never sent', async function () {
      const first = request('/hold');
      await untilHeld(1);
      const signal = new Cancel();
      const waiting = send({ method: 'GET', origin: api.url, path: '/never', headers: {}, signal });
      assert.strictEqual(taken(agent), 1, 'it waits for the end of the turn');
      signal.abort('stop');
      await assert.rejects(waiting, /aborted/);
      const after = await request('/after');
      assert.deepStrictEqual(body(after), { path: '/after' });
      held.shift()();
      await first;
      assert.deepStrictEqual(
        api.requests.map((r) => r.url),
        ['/hold', '/after'],
      );
    });
  });
});
