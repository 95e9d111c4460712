'use strict';
// Pieces of the whole-process load tests (shared-cluster, shared-failover): the flow nodes that
// count a batch's outcomes per instance, an API that records when each request arrives, the
// wait until a batch has ended on every instance, and the busiest second at the API.
const http = require('http');
const runner = require('../../scripts/lib/node-red-runner');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Function-node code counting a batch's outputs (`ok`) or errors (`err`, the first ten kept as "CODE: message"). */
function tallyCode(field) {
  return `
const all = flow.get('tally') || {};
const t = all[msg.batch] || (all[msg.batch] = { ok: 0, err: 0, errors: [] });
t.${field}++;
${field === 'err' ? "if (t.errors.length < 10) t.errors.push(String(msg.error && msg.error.code) + ': ' + String(msg.error && msg.error.message));" : ''}
flow.set('tally', all);
return null;`;
}

/** The nodes on tab `z` that keep the tally (`ok`, `err` behind a Catch of `scope`) and answer GET /tally. */
function tallyNodes(z, scope) {
  return [
    { id: 'ok', type: 'function', z, func: tallyCode('ok'), outputs: 1, wires: [[]] },
    { id: 'on-error', type: 'catch', z, scope, uncaught: false, wires: [['err']] },
    { id: 'err', type: 'function', z, func: tallyCode('err'), outputs: 1, wires: [[]] },
    { id: 'answer', type: 'http response', z, wires: [] },
    { id: 'tin', type: 'http in', z, url: '/tally', method: 'get', wires: [['tget']] },
    {
      id: 'tget',
      type: 'function',
      z,
      func: "msg.payload = (flow.get('tally') || {})[msg.req.query.batch] || { ok: 0, err: 0, errors: [] }; return msg;",
      outputs: 1,
      wires: [['answer']],
    },
  ];
}

/** An API that records when each request arrives (all instances together). */
function startCounter() {
  const arrivals = [];
  const server = http.createServer((req, res) => {
    arrivals.push(Date.now());
    res.setHeader('Content-Type', 'application/json');
    res.end('{"ok":true}');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        arrivals,
        close: () => new Promise((r) => server.close(r)),
      }),
    ),
  );
}

/** Wait until `expected` messages of `batch` have ended over all `nodes`; the summed tally. */
async function settled(nodes, batch, expected, tries = 200) {
  let sum;
  for (let i = 0; i < tries; i++) {
    const all = await Promise.all(nodes.map((nr) => runner.request(nr.url, 'GET', `tally?batch=${batch}`)));
    sum = { ok: 0, err: 0, errors: [] };
    for (const r of all) {
      sum.ok += r.body.ok;
      sum.err += r.body.err;
      sum.errors.push(...r.body.errors);
    }
    if (sum.ok + sum.err >= expected) return sum;
    await sleep(100);
  }
  throw new Error(
    `batch ${batch} did not finish: ${JSON.stringify(sum)}\n${nodes.map((nr) => nr.output().slice(-3000)).join('\n')}`,
  );
}

/** The most arrivals in any window of `windowMs`, and the gaps between arrivals (for the message). */
function busiest(arrivals, windowMs = 1000) {
  const at = arrivals.slice().sort((a, b) => a - b);
  let most = 0;
  for (let i = 0; i < at.length; i++) {
    let j = i;
    while (j < at.length && at[j] - at[i] < windowMs) j++;
    most = Math.max(most, j - i);
  }
  return { most, gaps: at.slice(1).map((v, i) => v - at[i]), at };
}

module.exports = { sleep, tallyNodes, startCounter, settled, busiest };
