'use strict';
// The HTTP cache shared through a rest-shared-store: two whole Node-RED processes running one
// flow against one real redis-server. A response one instance fetched answers the other without
// a request; Redis holds it only sealed (no marker from the body or the path in any key or
// value); with Redis gone each instance caches on its own and says so once.
const assert = require('assert');
const runner = require('../scripts/lib/node-red-runner');
const { startInstances, stopInstances } = require('./lib/instances');
const { startRedis } = require('./lib/redis');
const { startServer } = require('./lib/server');

const RUNTIME = process.env.NODE_RED_RUNTIME || 'node-red';
const CREDENTIAL_SECRET = 'shared-cache-credential-secret';
const BODY_MARK = 'BodyMarkZq7';
const PATH_MARK = 'PathMarkXw3';
const ETAG_MARK = 'EtagMarkVb5'; // long enough that ciphertext cannot show it by chance

function cacheFlow({ redisUrl, apiUrl }) {
  const answer = `msg.payload = { cache: msg.cache, status: msg.statusCode, body: msg.payload };
msg.statusCode = 200; msg.headers = {}; return msg;`;
  const failed = `msg.payload = { error: msg.error && msg.error.message }; msg.statusCode = 500; msg.headers = {}; return msg;`;
  return [
    { id: 'cache-tab', type: 'tab', label: 'cache' },
    { id: 'store', type: 'rest-shared-store', name: 'redis', url: redisUrl, keyPrefix: 'cache-test:', tls: '' },
    {
      id: 'ds',
      type: 'rest-datasource',
      name: 'api',
      baseUrl: apiUrl,
      cache: 'http',
      sharedStore: 'store',
      timeout: 5000,
    },
    { id: 'in', type: 'http in', z: 'cache-tab', url: '/get/:item', method: 'get', wires: [['q']] },
    {
      id: 'q',
      type: 'rest-query',
      z: 'cache-tab',
      datasource: 'ds',
      method: 'GET',
      path: `/${PATH_MARK}/{{req.params.item}}`,
      wires: [['shape']],
    },
    { id: 'post-in', type: 'http in', z: 'cache-tab', url: '/change/:item', method: 'post', wires: [['qp']] },
    {
      id: 'qp',
      type: 'rest-query',
      z: 'cache-tab',
      datasource: 'ds',
      method: 'POST',
      path: `/${PATH_MARK}/{{req.params.item}}`,
      bodyType: 'json',
      wires: [['shape']],
    },
    { id: 'shape', type: 'function', z: 'cache-tab', func: answer, outputs: 1, wires: [['out']] },
    { id: 'catch', type: 'catch', z: 'cache-tab', scope: ['q', 'qp'], uncaught: false, wires: [['fail']] },
    { id: 'fail', type: 'function', z: 'cache-tab', func: failed, outputs: 1, wires: [['out']] },
    { id: 'out', type: 'http response', z: 'cache-tab', wires: [] },
  ];
}

describe(`the HTTP cache shared by two Node-RED instances through redis (${RUNTIME})`, function () {
  this.timeout(90000);
  const nodes = [];
  const userDirs = [];
  let redis;
  let api;

  before(async function () {
    redis = await startRedis();
    api = await startServer((req, res) => {
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Cache-Control': 'max-age=3600',
        ETag: `"${ETAG_MARK}"`,
      });
      res.end(JSON.stringify({ mark: BODY_MARK, url: req.url }));
    });
    const flow = cacheFlow({ redisUrl: redis.url, apiUrl: api.url });
    await startInstances({
      nodes,
      userDirs,
      flow,
      credentialSecret: CREDENTIAL_SECRET,
      runtime: RUNTIME,
      dirPrefix: 'rest-datasource-cache-',
      count: 2,
    });
    // Both stores connected before the first request (a store still connecting is "away").
    for (let i = 0; i < 200; i++) {
      const clients = String(await redis.command(['CLIENT', 'LIST']))
        .trim()
        .split('\n');
      if (clients.length >= 3) break; // the two instances and this CLIENT LIST
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  after(async function () {
    await stopInstances(nodes, userDirs);
    if (api) await api.close();
    if (redis) await redis.close();
  });

  async function get(nr, item) {
    // The flow may still be starting right after the deploy: retry a 404 briefly.
    for (let i = 0; ; i++) {
      const res = await runner.request(nr.url, 'GET', `get/${item}`);
      if (res.status !== 404 || i > 50) return res;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const upstream = (item) => api.requests.filter((r) => r.method === 'GET' && r.url === `/${PATH_MARK}/${item}`).length;

  it("one instance's fetch is the other's hit, and redis holds nothing readable", async function () {
    const a = await get(nodes[0], 'one');
    assert.strictEqual(a.status, 200, JSON.stringify(a.body));
    assert.deepStrictEqual(a.body, { cache: 'miss', status: 200, body: { mark: BODY_MARK, url: `/${PATH_MARK}/one` } });
    const b = await get(nodes[1], 'one');
    assert.deepStrictEqual(b.body, { cache: 'hit', status: 200, body: a.body.body });
    assert.strictEqual(upstream('one'), 1);

    const dump = await redis.dump();
    const cacheKeys = dump.filter((d) => d.key.startsWith('cache-test:cache:{ds}:'));
    assert.ok(cacheKeys.length >= 1, JSON.stringify(dump.map((d) => d.key)));
    for (const d of dump) {
      for (const mark of [BODY_MARK, PATH_MARK, '/one', 'max-age', ETAG_MARK]) {
        assert.ok(!d.key.includes(mark), `key ${d.key} shows ${mark}`);
        assert.ok(!d.value.includes(mark), `the value of ${d.key} shows ${mark}`);
      }
    }
    // Its Redis TTL is the entry's usable life (max-age=3600 here).
    const ttl = await redis.command(['PTTL', cacheKeys[0].key]);
    assert.ok(ttl > 3500e3 && ttl <= 3600e3, `PTTL ${ttl}`);
  });

  it('a change through one instance invalidates the shared entry for the other', async function () {
    assert.strictEqual((await get(nodes[0], 'four')).body.cache, 'miss');
    const changed = await runner.request(nodes[0].url, 'POST', 'change/four', { x: 1 });
    assert.strictEqual(changed.status, 200, JSON.stringify(changed.body));
    // The other instance never held it locally: it asks Redis, whose entry no longer counts.
    const b = await get(nodes[1], 'four');
    assert.strictEqual(b.body.cache, 'miss');
    assert.strictEqual(upstream('four'), 2);
    // What it fetched now is shared again: the first instance (whose own copy the POST dropped)
    // gets it from Redis.
    assert.strictEqual((await get(nodes[0], 'four')).body.cache, 'hit');
    assert.strictEqual(upstream('four'), 2);
  });

  it('with redis gone, each instance caches on its own and the log says so once', async function () {
    await redis.stop();
    const a1 = await get(nodes[0], 'two');
    const a2 = await get(nodes[0], 'two');
    const a3 = await get(nodes[0], 'three');
    assert.deepStrictEqual([a1.body.cache, a2.body.cache, a3.body.cache], ['miss', 'hit', 'miss']);
    const b1 = await get(nodes[1], 'two');
    assert.strictEqual(b1.body.cache, 'miss');
    assert.strictEqual(upstream('two'), 2);
    const said = nodes[0].output().split('kept locally only').length - 1;
    assert.strictEqual(said, 1, nodes[0].output().slice(-2000));
    await redis.start();
  });
});

describe('the shared cache backend on a real redis', function () {
  const { RedisStore } = require('../dist/lib/shared/redis-store');
  const { RedisCacheBackend, deriveCacheKeys } = require('../dist/lib/cache/redis-backend');
  const { toStored } = require('../dist/lib/cache/stored');
  let redis;
  let store;
  before(async function () {
    redis = await startRedis();
    store = new RedisStore({ url: redis.url, keyPrefix: 'lib-cache:' });
  });
  after(async function () {
    await store.close();
    await redis.close();
  });

  const req = { method: 'GET', url: 'http://api.test/items', headers: {} };
  const entry = () => toStored(req, 200, { 'cache-control': 'max-age=60' }, Buffer.from('{"a":1}'), req.url, 0, 0);

  it('another credential secret cannot read an entry; a generation renewal hides it', async function () {
    const a = new RedisCacheBackend(store, 'ds', deriveCacheKeys('secret-one'), 2000);
    const other = new RedisCacheBackend(store, 'ds', deriveCacheKeys('secret-two'), 2000);
    await a.write('primary', 'url', [entry()], 60000);
    const read = await a.read('primary', 'url');
    assert.strictEqual(read.variants[0].body.toString(), '{"a":1}');
    assert.strictEqual(read.variants[0].headers['cache-control'], 'max-age=60');
    // Another secret names other keys and cannot open this value even under its own name.
    assert.strictEqual((await other.read('primary', 'url')).variants, undefined);
    // A value copied under another entry's name does not open there (the name is sealed in).
    const [key] = (await redis.dump()).map((d) => d.key).filter((k) => !k.includes(':g:'));
    const nameOf = (text) =>
      require('crypto').createHmac('sha256', deriveCacheKeys('secret-one').names).update(text).digest('base64url');
    assert.strictEqual(key, `lib-cache:cache:{ds}:${nameOf('primary')}`);
    await redis.command(['SET', `lib-cache:cache:{ds}:${nameOf('elsewhere')}`, await redis.command(['GET', key])]);
    assert.strictEqual((await a.read('elsewhere', 'url')).variants, undefined);
    // Invalidation: the URL's generation changes, the stored entry no longer counts.
    await a.invalidate('url');
    assert.strictEqual((await a.read('primary', 'url')).variants, undefined);
  });
});
