'use strict';
// Where rest-query's time goes, layer by layer, for people optimising it: CPU time of this
// process per request for a bare node:http client, the datasource's HttpClient (axios with the node:http
// transport), Datasource.send (plan to response), and the whole rest-query node in a flow.
// `node bench/layers.js` (after npm run build); BENCH_ROUNDS, BENCH_SECONDS tune the length.
const path = require('node:path');
const { fork } = require('node:child_process');
const flow = require('./lib/flow');
const { measureInTurns } = require('./lib/measure');
const { axiosClient, nodeHttpClient } = require('./lib/bare-clients');
const { Datasource } = require('../dist/lib/datasource');
const { parseSettings } = require('../dist/lib/settings');
const { buildPlan } = require('../dist/lib/http/plan');

async function main() {
  const child = fork(path.join(__dirname, 'server.js'));
  const hello = await new Promise((r) => child.once('message', r));
  const base = `http://127.0.0.1:${hello.port}`;
  await flow.start();
  const nr = await flow.load(
    [
      { id: 'q', node: { type: 'rest-query', datasource: 'ds', method: 'GET', path: 'small' } },
      { id: 'h', node: { type: 'http request', method: 'GET', ret: 'obj', persist: true, url: `${base}/small` } },
    ],
    [{ id: 'ds', type: 'rest-datasource', baseUrl: base }],
  );
  const drive = nr.driver('q');
  const ds = new Datasource(parseSettings({ baseUrl: base }, {}));
  const query = {
    method: 'GET',
    path: 'small',
    headers: {},
    params: {},
    cookies: {},
    bodyType: 'auto',
    responseType: 'auto',
  };
  const plan = () => buildPlan(ds.defaults, query, {}, () => undefined);
  const raw = nodeHttpClient(base);
  const ax = axiosClient(base);
  const wire = () => ({
    method: 'GET',
    origin: base,
    pathname: '/small',
    rawQuery: '',
    query: [],
    headers: new Map(),
    explicitHeaders: new Set(),
    explicitParams: new Set(),
  });
  const clients = {
    'node:http': () => raw.get('/small'),
    'HttpClient.exchange': async () =>
      JSON.parse((await ds.client.exchange(wire(), new AbortController().signal)).body.toString()),
    'Datasource.send': async () => JSON.parse((await ds.send(plan())).body.toString()),
    'rest-query flow': () => drive({}),
    'bare axios': () => ax.get('/small'),
    'core http request': nr.driver('h'),
  };
  const seconds = Number(process.env.BENCH_SECONDS || 2);
  const r = await measureInTurns(clients, {
    window: Number(process.env.BENCH_WINDOW || 16),
    rounds: Number(process.env.BENCH_ROUNDS || 3),
    warmupMs: 300,
    measureMs: seconds * 1000,
  });
  for (const [name, m] of Object.entries(r)) {
    console.log(
      `${name.padEnd(20)} CPU per request: min ${String(Math.round(m.cpuUsMin)).padStart(4)} µs, ` +
        `median ${String(Math.round(m.cpuUs)).padStart(4)} µs; ${Math.round(m.perSecond)} req/s`,
    );
  }
  raw.close();
  ax.close();
  ds.close();
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
