'use strict';
const assert = require('assert');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { until } = require('./lib/wait');
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
    // Let sockets of earlier tests finish closing before counting: the count holds still.
    let last = -1;
    await until(() => {
      const now = count('TCPSocketWrap');
      const settled = now === last;
      last = now;
      return settled;
    }, 'the socket count to settle');
    const baseline = { sockets: count('TCPSocketWrap'), timers: count('Timeout') };
    const ctx = await loadQuery({ ds: { baseUrl: api.url, retries: 3, retryDelay: 60000 }, query: { path: '{{p}}' } });
    await Promise.all(Array.from({ length: 5 }, () => ctx.run({ p: 'fast' })));
    ctx.q.receive({ p: 'slow' });
    await until(() => api.requests.length === 6, 'the slow request to arrive');
    // keep-alive sockets are open on both ends now
    assert.ok(count('TCPSocketWrap') > baseline.sockets);
    await helper.unload();
    // The server is still up: only the client closing its sockets makes both ends go away.
    await until(() => count('TCPSocketWrap') <= baseline.sockets, 'the sockets to close', 5000).catch(() => {});
    assert.ok(count('TCPSocketWrap') <= baseline.sockets, `sockets ${count('TCPSocketWrap')} > ${baseline.sockets}`);
    await api.close();
    assert.ok(count('Timeout') <= baseline.timers, `timers ${count('Timeout')} > ${baseline.timers}`);
  });
});
