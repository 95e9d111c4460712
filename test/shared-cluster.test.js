'use strict';
// Several whole Node-RED processes running one flow, sharing one real redis-server, against a
// real authorization server (oidc-provider) that rotates refresh tokens, detects their reuse
// (a reused refresh token revokes the whole grant) and issues access tokens that live seconds.
// Authorized once through one instance's editor route; every instance then sends hundreds of
// messages at once, wave after wave, across several expiries. Also: one rate limit for the
// cluster, and redis stopped and started again in the middle of a run.
const assert = require('assert');
const runner = require('../scripts/lib/node-red-runner');
const { startInstances, stopInstances } = require('./lib/instances');
const { startOidcServer, browse, webClient } = require('./lib/oidc-server');
const { startRedis } = require('./lib/redis');
const { secret, MARK } = require('./lib/secrets');
const { sleep, tallyNodes, startCounter, settled, busiest } = require('./lib/load-flow');

const RUNTIME = process.env.NODE_RED_RUNTIME || 'node-red';
const INSTANCES = 3;
const CALLBACK = '/rest-datasource/oauth/callback';
const ACCESS_TTL_S = 3;
const PER_WAVE = 100;
const RATE = 10;
const CREDENTIAL_SECRET = 'cluster-credential-secret';

/** The one flow every instance runs: POST /run fans out n messages to a query, GET /tally counts. */
function clusterFlow({ redisUrl, op, counterUrl, storePassword }) {
  const fan = `
const n = msg.payload.n, batch = msg.payload.batch, target = msg.payload.target;
for (let i = 0; i < n; i++) node.send([target === 'rate' ? null : { batch, i }, target === 'rate' ? { batch, i } : null, null]);
msg.payload = { started: n };
node.send([null, null, msg]);`;
  return [
    { id: 'cluster-tab', type: 'tab', label: 'cluster' },
    {
      id: 'store',
      type: 'rest-shared-store',
      name: 'cluster store',
      url: redisUrl,
      keyPrefix: 'cluster-test:',
      tls: '',
      credentials: { password: storePassword },
    },
    {
      id: 'ds',
      type: 'rest-datasource',
      name: 'oidc api',
      baseUrl: op.url,
      ...webClient(op).settings,
      oauth2ClientAuth: 'header',
      oauth2Pkce: true,
      sharedStore: 'store',
      timeout: 10000,
      credentials: webClient(op).credentials,
    },
    { id: 'dsr', type: 'rest-datasource', name: 'counter', baseUrl: counterUrl, rateLimit: RATE, sharedStore: 'store' },
    { id: 'run-in', type: 'http in', z: 'cluster-tab', url: '/run', method: 'post', wires: [['fan']] },
    { id: 'fan', type: 'function', z: 'cluster-tab', func: fan, outputs: 3, wires: [['q'], ['qr'], ['answer']] },
    { id: 'q', type: 'rest-query', z: 'cluster-tab', datasource: 'ds', method: 'GET', path: '/api', wires: [['ok']] },
    { id: 'qr', type: 'rest-query', z: 'cluster-tab', datasource: 'dsr', method: 'GET', path: '/hit', wires: [['ok']] },
    ...tallyNodes('cluster-tab', ['q', 'qr']),
    // Blocks this instance's event loop (an instance stalled by CPU load or a long GC).
    { id: 'stall-in', type: 'http in', z: 'cluster-tab', url: '/stall', method: 'post', wires: [['stall']] },
    {
      id: 'stall',
      type: 'function',
      z: 'cluster-tab',
      func: 'const end = Date.now() + msg.payload.ms; while (Date.now() < end) {} msg.payload = {}; return msg;',
      outputs: 1,
      wires: [['answer']],
    },
  ];
}

describe(`several Node-RED instances sharing one redis (${RUNTIME})`, function () {
  this.timeout(90000);
  const nodes = [];
  const userDirs = [];
  let redis;
  let op;
  let counter;
  const storePassword = secret('redis-password');

  async function run(instance, batch, n, target = 'api') {
    const res = await runner.request(instance.url, 'POST', 'run', { n, batch, target });
    assert.strictEqual(res.status, 200, `POST /run on ${instance.url}: ${JSON.stringify(res.body)}`);
  }

  /** Wait until every message of `batch` on every instance has ended; the summed tally. */
  const settledAll = (batch, expected) => settled(nodes, batch, expected);

  /** One wave: `n` messages on every instance at once. */
  async function wave(batch, n = PER_WAVE, target = 'api') {
    await Promise.all(nodes.map((nr) => run(nr, batch, n, target)));
    return settledAll(batch, n * nodes.length);
  }

  before(async function () {
    redis = await startRedis({ password: storePassword });
    counter = await startCounter();
    const ports = [];
    for (let i = 0; i < INSTANCES; i++) ports.push(await runner.freePort());
    op = await startOidcServer({
      redirectUri: `http://127.0.0.1:${ports[0]}${CALLBACK}`,
      ttl: { AccessToken: ACCESS_TTL_S },
    });
    const flow = clusterFlow({ redisUrl: redis.url, op, counterUrl: counter.url, storePassword });
    // Instances start one after the other (two cores); each gets the same flow, as a copy.
    await startInstances({
      nodes,
      userDirs,
      flow,
      credentialSecret: CREDENTIAL_SECRET,
      runtime: RUNTIME,
      dirPrefix: 'rest-datasource-cluster-',
      ports,
    });
    // Authorize once, through the first instance's editor route, as a person would.
    const start = await runner.request(nodes[0].url, 'POST', 'rest-datasource/ds/oauth/start', {
      redirectUri: `${nodes[0].url.replace(/\/$/, '')}${CALLBACK}`,
    });
    assert.strictEqual(start.status, 200, JSON.stringify(start.body));
    const back = await browse(start.body.authorizeUrl, nodes[0].url.replace(/\/$/, '') + CALLBACK);
    const page = await runner.request(back, 'GET', back);
    assert.match(String(page.body), /Authorized/);
    // The instance that took the callback put the tokens in the store before it said so.
    assert.ok(
      (await redis.dump()).some((d) => /^cluster-test:oauth:\{ds\}:/.test(d.key)),
      'the token record exists',
    );
  });

  after(async function () {
    await stopInstances(nodes, userDirs);
    if (op) await op.close();
    if (counter) await counter.close();
    if (redis) await redis.close();
  });

  it('authorized once, every instance sends with the shared token through several expiries: no failure, no reused refresh token, one refresh per expiry', async function () {
    const refreshes = () => op.grants.filter((g) => g.type === 'refresh_token' && g.ok);
    for (let w = 0; w < 40 && refreshes().length < 3; w++) {
      const t = await wave(`tokens-${w}`);
      assert.deepStrictEqual({ err: t.err, errors: t.errors }, { err: 0, errors: [] }, `wave ${w}`);
      assert.strictEqual(t.ok, PER_WAVE * INSTANCES);
      await sleep(300);
    }
    const failed = op.grants.filter((g) => !g.ok);
    assert.deepStrictEqual(failed, [], 'no token request failed (no invalid_grant)');
    const done = refreshes();
    assert.ok(done.length >= 3, `the run spans several expiries (${done.length} refreshes)`);
    // One refresh per expiry: each came when the token before it was due, never right after
    // another instance's (a second refresh would find a brand-new token).
    for (let i = 1; i < done.length; i++) {
      const gap = done[i].at - done[i - 1].at;
      assert.ok(gap >= (ACCESS_TTL_S * 1000) / 2, `refresh ${i} came ${gap} ms after the one before it`);
    }
  });

  it('keeps every token encrypted in redis: no key or value holds a token or the store password', async function () {
    const dump = await redis.dump();
    const keys = dump.map((d) => d.key);
    assert.ok(
      keys.some((k) => /^cluster-test:oauth:\{ds\}:/.test(k)),
      `a token record exists: ${keys}`,
    );
    assert.ok(
      keys.every((k) => k.startsWith('cluster-test:')),
      `every key carries the prefix: ${keys}`,
    );
    const text = JSON.stringify(dump);
    const leaked = op.issued.filter((token) => text.includes(token));
    assert.deepStrictEqual(leaked, [], 'no issued token appears in redis');
    assert.ok(!text.includes(MARK), 'no marked test secret appears in redis');
    assert.ok(!text.includes('web-secret-oidc'), 'the client secret is not in redis');
  });

  it(`holds rateLimit ${RATE}/s for the whole cluster, counted where the requests arrive`, async function () {
    counter.arrivals.length = 0;
    const perInstance = 12;
    const t = await wave('rate', perInstance, 'rate');
    assert.deepStrictEqual({ ok: t.ok, err: t.err }, { ok: perInstance * INSTANCES, err: 0 });
    // No window of one second holds more than RATE arrivals. Requests start 1000/RATE ms apart;
    // on its way one can be held up (an instance's event loop stalled: the suite shares two cores
    // with everything else, and stalls of 350 ms were seen) and arrive next to the ones after it,
    // so a window is allowed that much less than a second. Per-instance limits would put 3x RATE
    // in it; the span check below bounds the average rate more tightly.
    const JITTER_MS = 400;
    const { most, gaps, at } = busiest(counter.arrivals, 1000 - JITTER_MS);
    // And over the whole run (delays do not add up): N starts span (N - 1) intervals.
    const span = at[at.length - 1] - at[0];
    assert.ok(span >= ((at.length - 1) * 1000) / RATE - JITTER_MS, `${at.length} requests within ${span} ms`);
    assert.ok(most <= RATE, `${most} requests arrived within one second (limit ${RATE}); gaps ${gaps}`);
  });

  it(`an instance whose event loop stalls does not burst: at most ${RATE} arrivals in any one second at the API`, async function () {
    counter.arrivals.length = 0;
    const perInstance = 15;
    const waveDone = wave('stalled', perInstance, 'rate');
    // While the wave runs, the first instance stalls three times (its reserved starts come due
    // during the stall and would fire together when it wakes).
    for (let i = 0; i < 3; i++) {
      await sleep(500);
      const res = await runner.request(nodes[0].url, 'POST', 'stall', { ms: 700 });
      assert.strictEqual(res.status, 200);
    }
    const t = await waveDone;
    assert.deepStrictEqual({ ok: t.ok, err: t.err }, { ok: perInstance * INSTANCES, err: 0 }, JSON.stringify(t.errors));
    const { most, gaps } = busiest(counter.arrivals);
    assert.ok(most <= RATE, `${most} arrivals within one second (limit ${RATE}); gaps ${gaps}`);
  });

  it('redis stopped mid-run and started again: every message ends in one output or one error, no refresh without the lock, sharing resumes', async function () {
    const before = op.grants.length;
    const results = [];
    results.push(await wave('outage-0', 50));
    await redis.stop();
    // Until the token is due and a message needs a refresh that no instance may do alone.
    for (let w = 1; w <= 40 && !results.some((r) => r.err > 0); w++) {
      results.push(await wave(`outage-${w}`, 50));
      await sleep(300);
    }
    const refreshesBefore = op.grants.filter((g) => g.type === 'refresh_token').length;
    await redis.start();
    // Back: sharing resumes by itself; waves until one passes completely (bounded).
    let last;
    for (let w = 0; w < 30; w++) {
      last = await wave(`resumed-${w}`, 50);
      if (last.err === 0) break;
      await sleep(300);
    }
    assert.strictEqual(last.err, 0, `after the outage: ${last.errors}`);
    assert.ok(
      op.grants.filter((g) => g.type === 'refresh_token').length > refreshesBefore,
      'the token was refreshed once the store was back',
    );
    for (const r of results) assert.strictEqual(r.ok + r.err, 50 * INSTANCES);
    const errors = results.flatMap((r) => r.errors);
    assert.ok(errors.length > 0, 'the outage lasted until a message needed a refresh');
    for (const e of errors) assert.match(e, /TOKEN_ERROR.*shared store redis:\/\/127\.0\.0\.1/, e);
    const failed = op.grants.slice(before).filter((g) => !g.ok);
    assert.deepStrictEqual(failed, [], 'no refresh token was presented twice');
    const keys = (await redis.dump()).map((d) => d.key);
    assert.ok(
      keys.some((k) => /^cluster-test:oauth:\{ds\}:/.test(k)),
      'the token record is back in redis',
    );
    for (const nr of nodes) {
      const warnings = nr.output().match(/shared store redis:\/\/127\.0\.0\.1:\d+ unavailable/g) || [];
      assert.strictEqual(warnings.length, 1, `one warning per outage:\n${nr.output()}`);
      assert.ok(!nr.output().includes(MARK), 'no secret in the log');
    }
  });
});
