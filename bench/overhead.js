'use strict';
// The CPU rest-query adds around the HTTP exchange: Node-RED's message passing, the node,
// the merge and Datasource.send, with the datasource's HttpClient.exchange answered in
// process by a canned response (no socket, no axios). Free of network noise, so it shows
// small per-message savings that the full bench cannot. `node bench/overhead.js` after a build.
const flow = require('./lib/flow');
const { runCount } = require('./lib/memory');

const BODY = Buffer.from(JSON.stringify({ id: 42, name: 'widget', ok: true, tags: ['a', 'b'] }));
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);
const MESSAGES = Number(process.env.BENCH_MESSAGES || 50000);

async function main() {
  await flow.start();
  const nr = await flow.load(
    [
      { id: 'q', node: { type: 'rest-query', datasource: 'ds', method: 'GET', path: 'items/{{id}}' } },
      {
        id: 'qh',
        node: {
          type: 'rest-query',
          datasource: 'ds',
          method: 'GET',
          path: 'small',
          headers: [{ name: 'X-Trace', value: 'trace', valueType: 'msg' }],
          params: [{ name: 'limit', value: '10', valueType: 'num' }],
        },
      },
    ],
    [
      {
        id: 'ds',
        type: 'rest-datasource',
        baseUrl: 'http://127.0.0.1:9/api',
        headers: [{ name: 'X-Client', value: 'bench' }],
      },
    ],
  );
  const ds = nr.node('ds').datasource;
  ds.client.exchange = async (req) => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'content-length': String(BODY.length) },
    body: BODY,
    url: req.origin + req.pathname,
  });
  const cases = {
    'path placeholder': [nr.driver('q'), () => ({ id: 7 })],
    'msg header + param': [nr.driver('qh'), () => ({ trace: 'abc' })],
  };
  for (const [name, [drive, fields]] of Object.entries(cases)) {
    const perMsg = [];
    for (let round = 0; round < ROUNDS; round++) {
      const start = process.cpuUsage();
      const errors = await runCount(() => drive(fields()), 16, MESSAGES);
      const cpu = process.cpuUsage(start);
      if (errors) throw new Error(`${errors} errors`);
      perMsg.push((cpu.user + cpu.system) / MESSAGES);
    }
    perMsg.sort((a, b) => a - b);
    console.log(
      `${name.padEnd(20)} min ${perMsg[0].toFixed(1)} µs, median ${perMsg[Math.floor(ROUNDS / 2)].toFixed(1)} µs CPU per message`,
    );
  }
  await flow.unload();
  await flow.stop();
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
