'use strict';
// rest-query alone, for profiling: `node --cpu-prof --cpu-prof-dir=bench/results bench/profile.js`
// BENCH_SCENARIO=small|post|big|real|raw (default small). Runs it through a flow at 16 in flight for BENCH_SECONDS (default 10) and prints the
// rate and the CPU time per message of this process.
const path = require('node:path');
const { fork } = require('node:child_process');
const flow = require('./lib/flow');
const { measure } = require('./lib/measure');
const { BEARER_TOKEN, realisticDatasource, realisticQuery } = require('./lib/realistic');

const SCENARIOS = {
  small: { method: 'GET', path: 'small' },
  post: { method: 'POST', path: 'echo', bodyType: 'json' },
  big: { method: 'GET', path: 'big' },
  // The realistic datasource of the bench (Bearer, default headers and param, {{id}} path).
  real: { ...realisticQuery, datasource: 'ds-real' },
};

async function main() {
  const child = fork(path.join(__dirname, 'server.js'));
  const hello = await new Promise((r) => child.once('message', r));
  const base = `http://127.0.0.1:${hello.port}`;
  const scenario = process.env.BENCH_SCENARIO || 'small';
  await flow.start();
  // `raw`: the bench's minimal node (the ceiling), for comparing profiles.
  const node =
    scenario === 'raw'
      ? { type: 'bench-raw-get', url: `${base}/small` }
      : { type: 'rest-query', datasource: 'ds', ...SCENARIOS[scenario] };
  const nr = await flow.load(
    [{ id: 'q', node }],
    [{ id: 'ds', type: 'rest-datasource', baseUrl: base }, realisticDatasource('ds-real', base)],
    { 'ds-real': { token: BEARER_TOKEN } },
  );
  const drive = nr.driver('q');
  const payload = scenario === 'post' ? { items: Array.from({ length: 40 }, (_, i) => ({ id: i })) } : undefined;
  let id = 0;
  const r = await measure(() => drive({ payload, id: ++id }), {
    window: Number(process.env.BENCH_WINDOW || 16),
    warmupMs: 1000,
    measureMs: Number(process.env.BENCH_SECONDS || 10) * 1000,
  });
  child.send({ cmd: 'connections' });
  const { connections } = await new Promise((res) => child.once('message', res));
  console.log(
    `${scenario}: ${r.requests} msgs, ${Math.round(r.perSecond)} msg/s, ${Math.round(r.cpuUs)} µs CPU/msg, p50 ${r.p50.toFixed(2)} ms, ` +
      `${connections} connections`,
  );
  await flow.unload();
  await flow.stop();
  child.kill();
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
