'use strict';
// `npm run bench`: rest-query (plain and realistic datasource) side by side with the ceiling
// (a minimal "raw node" defined in the bench, also as "raw node batched", writing the way the
// package's transport does), Node-RED's core `http request` node, a bare
// axios client and a bare node:http client, all against one keep-alive API server running in
// its own process. Prints a table and the ratios; writes bench/results/<time>.json.
// BENCH_QUICK=1 runs every scenario briefly (a smoke run, figures not meaningful);
// BENCH_ONLY=small measures only GET small (no POST, big, memory or OAuth): for development.
// See docs/performance.md for what each column means.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { fork } = require('node:child_process');
const { measureInTurns } = require('./lib/measure');
const { axiosClient, nodeHttpClient } = require('./lib/bare-clients');
const flow = require('./lib/flow');
const { oauthScenarios } = require('./lib/oauth');
const { cacheScenarios } = require('./lib/cache-lanes');
const { memoryScenario } = require('./lib/memory');
const { printTable, ratios } = require('./lib/report');
const { BEARER_TOKEN, realisticDatasource, realisticQuery } = require('./lib/realistic');
const { HttpClient } = require('../dist/lib/http/client');
const { buildTlsOptions } = require('../dist/lib/net/tls');

// Everything is local: never route the clients through a proxy from the environment.
for (const name of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY']) delete process.env[name];

// global.gc for the memory figures, without asking the user for --expose-gc.
if (!global.gc) {
  try {
    require('node:v8').setFlagsFromString('--expose-gc');
    global.gc = require('node:vm').runInNewContext('gc');
  } catch {
    // figures are then taken without a forced collection
  }
}

const QUICK = !!process.env.BENCH_QUICK;
const SMALL_ONLY = process.env.BENCH_ONLY === 'small';
// Each client gets `rounds` slices per configuration, in turns with the others.
const TIMING = QUICK ? { rounds: 1, warmupMs: 100, measureMs: 300 } : { rounds: 5, warmupMs: 200, measureMs: 1000 };
const WINDOWS = [1, 16, 64];
const EXTRA_WINDOW = 16;
const MEMORY = QUICK ? [500, 2000] : [1000, 10000, 50000, 100000];

const POST_BODY = (() => {
  const body = { items: [] };
  for (let i = 0; JSON.stringify(body).length < 1000; i++) body.items.push({ id: i, label: `line ${i}` });
  return body;
})();

function startApi() {
  const child = fork(path.join(__dirname, 'server.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiters = [];
  child.on('message', (m) => {
    const w = waiters.shift();
    if (w) w(m);
  });
  const ask = (msg) =>
    new Promise((resolve) => {
      waiters.push(resolve);
      if (msg) child.send(msg);
    });
  return ask().then((hello) => ({
    base: `http://127.0.0.1:${hello.port}`,
    bigBytes: hello.bigBytes,
    ask,
    stop: () => {
      child.send({ cmd: 'stop' });
      return new Promise((r) => child.once('exit', r));
    },
  }));
}

/**
 * The comparison lane: a plain datasource whose HttpClient sends through axios' own http
 * adapter (maxRedirects 0, proxy false, the datasource's agents, decompress, maxContentLength)
 * instead of the package's node:http transport. Everything else about the datasource is the same.
 */
function useAxiosHttpAdapter(ds) {
  ds.client.close();
  ds.client = new HttpClient({
    tls: buildTlsOptions({ verify: ds.settings.tlsVerify }),
    maxResponseBytes: ds.settings.maxResponseBytes,
    maxRequestBytes: ds.settings.maxRequestBytes,
    adapter: 'http',
  });
}

function machine() {
  const cpus = os.cpus();
  return {
    cpus: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    cpuModel: cpus[0] ? cpus[0].model : 'unknown',
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    nodeRed: flow.runtimeVersion(),
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
  };
}

function check(label, payload, test) {
  if (!test(payload)) throw new Error(`${label}: unexpected response ${JSON.stringify(payload).slice(0, 200)}`);
}

async function main() {
  const api = await startApi();
  const started = new Date();
  const result = { date: started.toISOString(), quick: QUICK, machine: machine(), timing: TIMING, runs: [] };
  result.loadAverageBefore = os.loadavg();
  console.log(
    `rest-query bench: ${result.machine.cpus} CPUs (${result.machine.cpuModel}), Node ${process.version}, ` +
      `Node-RED ${result.machine.nodeRed}, load average ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}` +
      (QUICK ? ' [BENCH_QUICK: smoke run, figures not meaningful]' : '') +
      (SMALL_ONLY ? ' [BENCH_ONLY=small]' : ''),
  );

  await flow.start();
  const restQuery = (id, extra) => ({ id, node: { type: 'rest-query', datasource: 'ds', ...extra } });
  const core = (id, extra) => ({
    id,
    node: { type: 'http request', ret: 'obj', paytoqs: 'ignore', persist: true, senderr: false, ...extra },
  });
  const nr = await flow.load(
    [
      { id: 'raw-small', node: { type: 'bench-raw-get', url: `${api.base}/small` } },
      { id: 'raw-batched', node: { type: 'bench-raw-get', url: `${api.base}/small`, batch: true } },
      restQuery('q-small', { method: 'GET', path: 'small' }),
      restQuery('q-real', { ...realisticQuery, datasource: 'ds-real' }),
      restQuery('q-axhttp', { method: 'GET', path: 'small', datasource: 'ds-axhttp' }),
      restQuery('q-post', { method: 'POST', path: 'echo', bodyType: 'json' }),
      restQuery('q-big', { method: 'GET', path: 'big' }),
      core('hr-small', { method: 'GET', url: `${api.base}/small` }),
      core('hr-post', { method: 'POST', url: `${api.base}/echo` }),
      core('hr-big', { method: 'GET', url: `${api.base}/big` }),
    ],
    [
      { id: 'ds', type: 'rest-datasource', name: 'bench api', baseUrl: api.base },
      realisticDatasource('ds-real', api.base),
      { id: 'ds-axhttp', type: 'rest-datasource', name: 'axios http adapter', baseUrl: api.base },
    ],
    { 'ds-real': { token: BEARER_TOKEN } },
  );
  useAxiosHttpAdapter(nr.node('ds-axhttp').datasource);
  const ax = axiosClient(api.base);
  const raw = nodeHttpClient(api.base);

  const viaFlow = (id, fields) => {
    const drive = nr.driver(id);
    return async () => (await drive(fields ? { payload: fields } : {})).payload;
  };
  // The realistic lane fills its {{id}} placeholder from msg.id, a new value per message.
  const driveReal = nr.driver('q-real');
  let itemId = 0;
  const realistic = async () => (await driveReal({ id: ++itemId })).payload;
  const scenarios = {
    'GET small': {
      check: (p) => p && p.id === 42,
      clients: {
        'raw node': viaFlow('raw-small'),
        'raw node batched': viaFlow('raw-batched'),
        'rest-query': viaFlow('q-small'),
        'rest-query realistic': realistic,
        'rest-query axios http': viaFlow('q-axhttp'),
        'core http request': viaFlow('hr-small'),
        axios: () => ax.get('/small'),
        'node:http': () => raw.get('/small'),
      },
    },
    'POST 1 KB JSON': {
      check: (p) => p && p.received === Buffer.byteLength(JSON.stringify(POST_BODY)),
      clients: {
        'rest-query': viaFlow('q-post', POST_BODY),
        'core http request': viaFlow('hr-post', POST_BODY),
        axios: () => ax.post('/echo', POST_BODY),
        'node:http': () => raw.post('/echo', POST_BODY),
      },
    },
    'GET 100 KB JSON': {
      check: (p) => Array.isArray(p) && p.length > 100,
      clients: {
        'rest-query': viaFlow('q-big'),
        'core http request': viaFlow('hr-big'),
        axios: () => ax.get('/big'),
        'node:http': () => raw.get('/big'),
      },
    },
  };

  // Every client must get the right answer before anything is timed.
  if (SMALL_ONLY) for (const name of Object.keys(scenarios)) if (name !== 'GET small') delete scenarios[name];
  for (const [name, s] of Object.entries(scenarios)) {
    for (const [client, request] of Object.entries(s.clients)) check(`${name} ${client}`, await request(), s.check);
  }

  const windowsOf = (name) => (name === 'GET small' ? WINDOWS : [EXTRA_WINDOW]);
  for (const [name, s] of Object.entries(scenarios)) {
    for (const window of windowsOf(name)) {
      const measured = await measureInTurns(s.clients, { window, ...TIMING });
      for (const [client, r] of Object.entries(measured)) {
        result.runs.push({ scenario: name, client, ...r });
        process.stdout.write(
          `  ${name} / ${client} / ${window} in flight: ${Math.round(r.perSecond)} msg/s, ${Math.round(r.cpuUs)} µs CPU/msg\n`,
        );
      }
    }
  }
  ax.close();
  raw.close();

  if (!SMALL_ONLY) result.memory = await memoryScenario(nr.driver('q-small'), MEMORY, EXTRA_WINDOW);
  await flow.unload();

  if (!SMALL_ONLY) {
    result.oauth = await oauthScenarios(api, flow, { window: EXTRA_WINDOW, timing: TIMING, burst: 1000 });
  }
  result.cache = await cacheScenarios(api, flow, { window: EXTRA_WINDOW, timing: TIMING });
  await flow.stop();
  await api.stop();

  result.loadAverageAfter = os.loadavg();
  result.ratios = ratios(result.runs);
  printTable(result);

  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  console.log(`\nwritten ${path.relative(process.cwd(), file)}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
