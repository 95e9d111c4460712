'use strict';
// Two whole Node-RED processes share a store in Sentinel mode (a primary, a replica, three
// sentinels) and then in Cluster mode (six nodes), against oidc-provider with rotating refresh
// tokens, reuse detection and 3-second access tokens. Two OAuth datasources whose keys live in
// different slots, waves of messages across several expiries, and a SIGKILL of the primary (of
// the one serving the first datasource's slot, for the cluster) in the middle of the run: every
// message ends in one output or one coded error, no token request fails (no invalid_grant, no
// revoked grant), sharing resumes without a redeploy, the cluster rate limit holds, and nothing
// secret is in the store in clear. Slow: run on Node-RED 4 only (NODE_RED_RUNTIME unset).
const assert = require('assert');
const runner = require('../scripts/lib/node-red-runner');
const { startInstances, stopInstances } = require('./lib/instances');
const { startOidcServer, browse, webClient } = require('./lib/oidc-server');
const { startSentinel, startCluster } = require('./lib/redis-ha');
const { secret, MARK } = require('./lib/secrets');
const { sleep, tallyNodes, startCounter, settled, busiest } = require('./lib/load-flow');

const ONLY_ONE_RUNTIME = !process.env.NODE_RED_RUNTIME;
const INSTANCES = 2;
const CALLBACK = '/rest-datasource/oauth/callback';
const ACCESS_TTL_S = 3;
const PER_WAVE = 30;
const RATE = 10;
const CREDENTIAL_SECRET = 'failover-credential-secret';
// Datasource ids whose hash tags fall in different slots (and, in the cluster, on different primaries).
const DS = ['dsa', 'dsc'];

function failoverFlow({ store, op }) {
  const fan = `
const n = msg.payload.n, batch = msg.payload.batch, target = msg.payload.target;
for (let i = 0; i < n; i++) {
  if (target === 'rate') node.send([null, null, { batch, i }, null]);
  else node.send([{ batch, i }, { batch, i }, null, null]);
}
msg.payload = { started: n };
node.send([null, null, null, msg]);`;
  const ds = (id) => ({
    id,
    type: 'rest-datasource',
    name: `oidc ${id}`,
    baseUrl: op.url,
    ...webClient(op).settings,
    oauth2ClientAuth: 'header',
    oauth2Pkce: true,
    sharedStore: 'store',
    timeout: 8000,
    credentials: webClient(op).credentials,
  });
  return [
    { id: 'tab', type: 'tab', label: 'failover' },
    { id: 'store', type: 'rest-shared-store', name: 'ha store', keyPrefix: 'ha-test:', tls: '', ...store },
    ds(DS[0]),
    ds(DS[1]),
    {
      id: 'dsr',
      type: 'rest-datasource',
      name: 'counter',
      baseUrl: op.counterUrl,
      rateLimit: RATE,
      sharedStore: 'store',
    },
    { id: 'run-in', type: 'http in', z: 'tab', url: '/run', method: 'post', wires: [['fan']] },
    { id: 'fan', type: 'function', z: 'tab', func: fan, outputs: 4, wires: [['qa'], ['qb'], ['qr'], ['answer']] },
    { id: 'qa', type: 'rest-query', z: 'tab', datasource: DS[0], method: 'GET', path: '/api', wires: [['ok']] },
    { id: 'qb', type: 'rest-query', z: 'tab', datasource: DS[1], method: 'GET', path: '/api', wires: [['ok']] },
    { id: 'qr', type: 'rest-query', z: 'tab', datasource: 'dsr', method: 'GET', path: '/hit', wires: [['ok']] },
    ...tallyNodes('tab', ['qa', 'qb', 'qr']),
  ];
}

/** One topology: instances started, both datasources authorized once; answers the helpers of the run. */
async function cluster({ topology, storeConfig, password }) {
  const nodes = [];
  const userDirs = [];
  const counter = await startCounter();
  const ports = [];
  for (let i = 0; i < INSTANCES; i++) ports.push(await runner.freePort());
  const op = await startOidcServer({
    redirectUri: `http://127.0.0.1:${ports[0]}${CALLBACK}`,
    ttl: { AccessToken: ACCESS_TTL_S },
  });
  op.counterUrl = counter.url;
  const flow = failoverFlow({ store: { ...storeConfig, credentials: { password } }, op });
  await startInstances({
    nodes,
    userDirs,
    flow,
    credentialSecret: CREDENTIAL_SECRET,
    dirPrefix: 'rest-datasource-failover-',
    ports,
  });
  for (const id of DS) {
    const start = await runner.request(nodes[0].url, 'POST', `rest-datasource/${id}/oauth/start`, {
      redirectUri: `${nodes[0].url.replace(/\/$/, '')}${CALLBACK}`,
    });
    assert.strictEqual(start.status, 200, JSON.stringify(start.body));
    const back = await browse(start.body.authorizeUrl, nodes[0].url.replace(/\/$/, '') + CALLBACK);
    const page = await runner.request(back, 'GET', back);
    assert.match(String(page.body), /Authorized/);
  }

  /** n messages on every instance at once (to both OAuth datasources, or to the rate one). */
  async function wave(batch, n, target = 'api') {
    await Promise.all(
      nodes.map(async (nr) => {
        const res = await runner.request(nr.url, 'POST', 'run', { n, batch, target });
        assert.strictEqual(res.status, 200);
      }),
    );
    const perMsg = target === 'rate' ? 1 : 2;
    return settled(nodes, batch, n * perMsg * nodes.length, 600);
  }
  return {
    nodes,
    op,
    counter,
    wave,
    async close() {
      await stopInstances(nodes, userDirs);
      await op.close();
      await counter.close();
      await topology.close();
    },
  };
}

/** The run every topology gets: waves, a SIGKILL mid-run, waves until one passes whole; the counts. */
async function failoverRun(c, kill) {
  const refreshes = () => c.op.grants.filter((g) => g.type === 'refresh_token' && g.ok).length;
  const results = [];
  const startRefreshes = refreshes();
  // Before: a few waves across at least one expiry.
  for (let w = 0; w < 20 && refreshes() - startRefreshes < 2; w++) {
    results.push(await c.wave(`before-${w}`, PER_WAVE));
    await sleep(300);
  }
  const killing = kill();
  // During: waves while the primary dies and the replica is promoted.
  const during = [];
  const killed = killing.then((v) => {
    during.done = true;
    return v;
  });
  for (let w = 0; w < 40 && !during.done; w++) {
    during.push(await c.wave(`during-${w}`, PER_WAVE));
    await sleep(200);
  }
  await killed;
  // After: waves until one passes completely, across at least one more expiry (bounded).
  const afterRefreshes = refreshes();
  const after = [];
  for (let w = 0; w < 40; w++) {
    const r = await c.wave(`after-${w}`, PER_WAVE);
    after.push(r);
    if (r.err === 0 && refreshes() > afterRefreshes) break;
    await sleep(300);
  }
  return { results, during, after };
}

function checkRun(c, run, label) {
  const all = [...run.results, ...run.during, ...run.after];
  const total = all.reduce((n, r) => n + r.ok + r.err, 0);
  const errors = all.flatMap((r) => r.errors);
  const outputs = all.reduce((n, r) => n + r.ok, 0);
  const coded = all.reduce((n, r) => n + r.err, 0);
  for (const r of all) assert.strictEqual(r.ok + r.err, PER_WAVE * 2 * INSTANCES, 'one output or one error per msg');
  for (const e of errors) assert.match(e, /^(TOKEN_ERROR|ETIMEDOUT|ABORTED): /, `a coded error: ${e}`);
  const failed = c.op.grants.filter((g) => !g.ok);
  assert.deepStrictEqual(failed, [], 'no token request failed: no invalid_grant, no revoked grant');
  const last = run.after[run.after.length - 1];
  assert.strictEqual(last.err, 0, `sharing resumed without a redeploy: ${last.errors}`);
  const refreshes = c.op.grants.filter((g) => g.type === 'refresh_token' && g.ok).length;
  // The report's figures.
  console.log(
    `      ${label}: ${total} messages, ${outputs} outputs, ${coded} coded errors (${[...new Set(errors.map((e) => e.slice(0, 70)))].join(' | ')}), ${refreshes} refreshes, 0 failed token requests`,
  );
}

async function checkRate(c) {
  c.counter.arrivals.length = 0;
  const perInstance = 12;
  const t = await c.wave('rate', perInstance, 'rate');
  assert.deepStrictEqual({ ok: t.ok, err: t.err }, { ok: perInstance * INSTANCES, err: 0 }, JSON.stringify(t.errors));
  const { most, gaps } = busiest(c.counter.arrivals);
  assert.ok(most <= RATE, `${most} arrivals in one second (limit ${RATE}); gaps ${gaps}`);
}

async function checkSecrets(c, dump) {
  const text = JSON.stringify(dump);
  assert.ok(
    dump.some((d) => d.key.startsWith(`ha-test:oauth:{${DS[0]}}:`)),
    'the token record exists',
  );
  assert.deepStrictEqual(
    c.op.issued.filter((token) => text.includes(token)),
    [],
    'no issued token in the store',
  );
  assert.ok(!text.includes(MARK) && !text.includes('web-secret-oidc'));
  for (const nr of c.nodes) assert.ok(!nr.output().includes(MARK), 'no secret in a log');
}

describe('failover of the shared store under load (Sentinel, Cluster; whole Node-RED processes)', function () {
  this.timeout(180000);
  before(function () {
    if (!ONLY_ONE_RUNTIME) this.skip();
  });
  const password = secret('failover-redis-pass');

  it('Sentinel: the primary SIGKILLed mid-run; every msg one output or one coded error, no invalid_grant, sharing resumes', async function () {
    const topology = await startSentinel({ password });
    const c = await cluster({
      topology,
      password,
      storeConfig: { mode: 'sentinel', nodes: topology.sentinelNodes, masterName: topology.masterName, url: '' },
    });
    try {
      const run = await failoverRun(c, async () => {
        const old = await topology.killPrimary();
        return topology.failedOver(old);
      });
      checkRun(c, run, 'sentinel');
      await checkSecrets(c, await topology.dump());
      await checkRate(c);
      for (const nr of c.nodes)
        assert.doesNotMatch(nr.output(), /^Error: connect/m, 'no Sentinel client noise on stdout');
    } finally {
      await c.close();
    }
  });

  it("Cluster: the primary of the first datasource's slot SIGKILLed mid-run; same guarantees, datasources on different slots, the rate limit held", async function () {
    const topology = await startCluster({ password });
    const c = await cluster({ topology, password, storeConfig: { mode: 'cluster', nodes: topology.nodes, url: '' } });
    try {
      const slots = new Set();
      for (const id of DS) slots.add(await topology.primaryOf(`ha-test:oauth:{${id}}:x`));
      assert.strictEqual(slots.size, DS.length, 'the datasources live on different primaries');
      const run = await failoverRun(c, async () => {
        const old = await topology.killPrimaryOf(`ha-test:oauth:{${DS[0]}}:x`);
        return topology.failedOver(old, `ha-test:oauth:{${DS[0]}}:x`);
      });
      checkRun(c, run, 'cluster');
      await checkSecrets(c, await topology.dump());
      await checkRate(c);
    } finally {
      await c.close();
    }
  });
});
