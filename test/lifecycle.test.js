'use strict';
const assert = require('assert');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');

function count(kind) {
  return process.getActiveResourcesInfo().filter((r) => r === kind).length;
}

describe('closing leaves nothing behind', function () {
  useRuntime();

  it('a stop destroys the keep-alive sockets and clears every timer', async function () {
    const api = await startServer((req, res) => {
      if (req.url.startsWith('/slow')) return; // held until the flow stops
      res.end('ok');
    });
    // Let sockets of earlier tests finish closing before counting.
    await new Promise((r) => setTimeout(r, 200));
    const baseline = { sockets: count('TCPSocketWrap'), timers: count('Timeout') };
    const ctx = await loadQuery({ ds: { baseUrl: api.url, retries: 3, retryDelay: 60000 }, query: { path: '{{p}}' } });
    await Promise.all(Array.from({ length: 5 }, () => ctx.run({ p: 'fast' })));
    ctx.q.receive({ p: 'slow' });
    await new Promise((r) => setTimeout(r, 50));
    // keep-alive sockets are open on both ends now
    assert.ok(count('TCPSocketWrap') > baseline.sockets);
    await helper.unload();
    // The server is still up: only the client closing its sockets makes both ends go away.
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(count('TCPSocketWrap') <= baseline.sockets, `sockets ${count('TCPSocketWrap')} > ${baseline.sockets}`);
    await api.close();
    assert.ok(count('Timeout') <= baseline.timers, `timers ${count('Timeout')} > ${baseline.timers}`);
  });
});
