'use strict';
// The shared store inside one Node-RED runtime, against a real redis-server: the dialog's Test
// route, configuration errors, and what an instance does while the store is away or slow
// (status, one warning, no refresh without the lock, rate limit per instance, bounded waits).
// Library pieces (lock, token records, invalid_grant re-read) run against the same server.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { useRuntime, helper, loadQuery, collect, statusTexts } = require('./lib/nr');
const { startRedis } = require('./lib/redis');
const { startServer, closedPort } = require('./lib/server');
const { startOAuthServer } = require('./lib/oauth-server');
const { secret, MARK } = require('./lib/secrets');
const { RedisStore } = require('../dist/lib/shared/redis-store');
const { tryLock } = require('../dist/lib/shared/lock');
const { TokenRecords, deriveRecordKey, UNREADABLE } = require('../dist/lib/shared/token-record');
const { SharedTokens } = require('../dist/lib/shared/shared-tokens');
const { GrantRevokedError } = require('../dist/lib/oauth/client');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(check, what, tries = 200) {
  for (let i = 0; i < tries; i++) {
    const v = await check();
    if (v) return v;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('rest-shared-store in one runtime, against a real redis', function () {
  useRuntime();
  let redis;
  let api;
  let userDir;
  const password = secret('redis-pass');

  before(async function () {
    redis = await startRedis({ password });
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-ds-shared-'));
    helper.settings({ userDir, credentialSecret: 'shared-store-test-secret' });
  });
  after(async function () {
    helper.settings({});
    if (redis) await redis.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  });
  afterEach(async function () {
    await helper.unload();
    if (api) await api.close();
    api = undefined;
  });

  const store = (over = {}) => ({ id: 'store', type: 'rest-shared-store', name: 'redis', url: redis.url, ...over });

  /** A client-credentials datasource on a fresh OAuth server, sharing through `storeNode`. */
  async function machineQuery(storeNode) {
    const oauth = await startOAuthServer({ clients: [{ id: 'cid', secret: 'csecret', auth: 'header' }] });
    api = oauth;
    const ctx = await loadQuery({
      ds: {
        baseUrl: oauth.url,
        authType: 'oauth2',
        oauth2GrantType: 'client_credentials',
        oauth2TokenUrl: oauth.tokenUrl,
        sharedStore: 'store',
      },
      query: { path: '/api/x' },
      credentials: { clientId: 'cid', clientSecret: 'csecret' },
      extra: [storeNode],
      extraCredentials: { store: { password } },
    });
    return { ctx, oauth };
  }

  describe('Test button (POST /rest-shared-store/:id/test)', function () {
    it('PINGs, writes and reads back a test key with the dialog values, and leaves no key behind', async function () {
      await loadQuery({ ds: { baseUrl: 'http://127.0.0.1:1' } });
      const res = await helper
        .request()
        .post('/rest-shared-store/new-node/test')
        .send({ url: redis.url, keyPrefix: 'dialog:', password });
      assert.strictEqual(res.status, 200);
      assert.strictEqual(res.body.ok, true, res.body.message);
      assert.match(res.body.message, /PING, write and read of dialog:test:[0-9a-f]+/);
      const keys = (await redis.dump()).map((d) => d.key);
      assert.ok(!keys.some((k) => k.startsWith('dialog:')), `no test key left: ${keys}`);
    });

    it('says what is wrong, never echoing the password: refused port, wrong password, a password in the URL', async function () {
      await loadQuery({ ds: { baseUrl: 'http://127.0.0.1:1' } });
      const port = await closedPort();
      const refused = await helper
        .request()
        .post('/rest-shared-store/x/test')
        .send({ url: `redis://127.0.0.1:${port}` });
      assert.strictEqual(refused.body.ok, false);
      assert.match(refused.body.message, /ECONNREFUSED|unavailable/);
      const wrong = secret('wrong-pass');
      const denied = await helper.request().post('/rest-shared-store/x/test').send({ url: redis.url, password: wrong });
      assert.strictEqual(denied.body.ok, false);
      // The server's own wording: a wrong password, not an unreachable server.
      assert.match(denied.body.message, /WRONGPASS/);
      const none = await helper.request().post('/rest-shared-store/x/test').send({ url: redis.url });
      assert.strictEqual(none.body.ok, false);
      assert.match(none.body.message, /the server needs a password/);
      assert.ok(!denied.body.message.includes(wrong));
      const inUrl = await helper
        .request()
        .post('/rest-shared-store/x/test')
        .send({ url: `redis://user:${password}@127.0.0.1:${redis.port}` });
      assert.strictEqual(inUrl.body.ok, false);
      assert.match(inUrl.body.message, /^CONFIG_ERROR: url: must not contain a user or password/);
      assert.ok(!JSON.stringify([refused.body, denied.body, inUrl.body]).includes(MARK));
    });

    it('uses the stored password when the dialog sends the unchanged marker', async function () {
      await loadQuery({
        ds: { baseUrl: 'http://127.0.0.1:1' },
        extra: [store()],
        extraCredentials: { store: { password } },
      });
      const res = await helper
        .request()
        .post('/rest-shared-store/store/test')
        .send({ url: redis.url, password: '__PWRD__' });
      assert.strictEqual(res.body.ok, true, res.body.message);
    });
  });

  it('a store URL that is not redis:// is a CONFIG_ERROR naming the field, and its datasource says so', async function () {
    const ctx = await loadQuery({
      ds: { baseUrl: 'http://127.0.0.1:1', sharedStore: 'store' },
      extra: [store({ url: 'http://127.0.0.1:6379' })],
    });
    const { error } = await ctx.run({});
    assert.strictEqual(error.error.code, 'CONFIG_ERROR');
    assert.match(
      error.error.message,
      /sharedStore: the shared store is not valid: url: must start with redis:\/\/ or rediss:\/\//,
    );
  });

  describe('while the store is down', function () {
    let downUrl;
    before(async function () {
      downUrl = `redis://127.0.0.1:${await closedPort()}`;
    });

    it('the query shows "shared store down", the log has one warning, and the rate limit applies per instance', async function () {
      const seen = [];
      api = await startServer((req, res) => {
        seen.push(Date.now());
        res.end('ok');
      });
      const ctx = await loadQuery({
        ds: { baseUrl: api.url, rateLimit: 20, sharedStore: 'store' },
        extra: [store({ url: downUrl })],
      });
      // (the test runtime shows catalog keys; the editor shows "shared store down: rate per instance")
      await until(() => statusTexts(ctx.q).includes('rest-query.status.storeDown'), 'the store status');
      const got = collect(ctx);
      for (let i = 0; i < 6; i++) ctx.q.receive({ i });
      await until(() => got.outputs.length + got.errors.length >= 6, 'six messages');
      assert.deepStrictEqual(
        got.errors.map((m) => m.error.message),
        [],
      );
      assert.strictEqual(statusTexts(ctx.q).pop(), '200 rest-query.status.storeDownNote', 'every outcome says so');
      // 20 per second for this instance: six starts span at least 5 × 50 ms.
      assert.ok(seen[5] - seen[0] >= 200, `6 requests within ${seen[5] - seen[0]} ms`);
      const warnings = helper.log().args.filter((a) => a[0] && a[0].type === 'rest-shared-store' && a[0].level === 30);
      assert.deepStrictEqual(
        warnings.map((a) => a[0].msg),
        ['rest-shared-store.log.down'],
      );
      // The query warns once, with the first msg the outage affects (the debug sidebar shows it).
      const queryWarnings = helper.log().args.filter((a) => a[0] && a[0].type === 'rest-query' && a[0].level === 30);
      assert.deepStrictEqual(
        queryWarnings.map((a) => a[0].msg),
        ['rest-query.warn.storeDown'],
      );
    });

    it('a pasted token the API rejects ends in TOKEN_ERROR naming the store: the refresh token is not presented', async function () {
      const oauth = await startOAuthServer({ clients: [{ id: 'cid', secret: 'csecret', auth: 'header' }] });
      api = oauth;
      const refreshToken = secret('pasted-refresh');
      const ctx = await loadQuery({
        ds: {
          baseUrl: oauth.url,
          authType: 'oauth2',
          oauth2GrantType: 'manual',
          oauth2TokenUrl: oauth.tokenUrl,
          sharedStore: 'store',
        },
        query: { path: '/api/x' },
        credentials: { clientId: 'cid', clientSecret: 'csecret', accessToken: secret('stale-access'), refreshToken },
        extra: [store({ url: downUrl })],
      });
      const { error } = await ctx.run({});
      assert.strictEqual(error.error.code, 'TOKEN_ERROR');
      assert.match(
        error.error.message,
        new RegExp(`the shared store ${downUrl.replace(/[/.]/g, '\\$&')} is unavailable`),
      );
      assert.match(error.error.message, /does not refresh on its own/);
      assert.strictEqual(oauth.tokenRequests(), 0, 'no token request without the lock');
    });

    it('client credentials still get a token (no refresh token is presented)', async function () {
      const { ctx } = await machineQuery(store({ url: downUrl }));
      const { msg, error } = await ctx.run({});
      assert.ok(msg, error && error.error.message);
      assert.strictEqual(msg.statusCode, 200);
    });
  });

  it("with the store up, the cluster rate keeps this instance's order and spacing, and its slot lives in redis", async function () {
    const seen = [];
    api = await startServer((req, res) => {
      seen.push({ i: Number(req.url.slice(1)), at: Date.now() });
      res.end('ok');
    });
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, rateLimit: 20, concurrency: 2, sharedStore: 'store' },
      query: { path: '{{i}}' },
      extra: [store({ keyPrefix: 'order-test:' })],
      extraCredentials: { store: { password } },
    });
    const got = collect(ctx);
    for (let i = 0; i < 6; i++) ctx.q.receive({ i });
    await until(() => got.outputs.length + got.errors.length >= 6, 'six messages');
    assert.strictEqual(got.outputs.length, 6);
    assert.deepStrictEqual(
      seen.map((r) => r.i),
      [0, 1, 2, 3, 4, 5],
    );
    // (five intervals are 250 ms; the first start also loads the two scripts, a round trip or two)
    assert.ok(seen[5].at - seen[0].at >= 180, `6 requests within ${seen[5].at - seen[0].at} ms`);
    assert.ok(await redis.command(['GET', 'order-test:rate:{ds}']), 'the slot is kept in redis');
  });

  it('a store that goes away and comes back: the status says so both times, the log has one warning and one line', async function () {
    const own = await startRedis();
    try {
      api = await startServer((req, res) => res.end('ok'));
      const ctx = await loadQuery({
        ds: { baseUrl: api.url, rateLimit: 50, sharedStore: 'store' },
        extra: [store({ url: own.url })],
      });
      assert.strictEqual((await ctx.run({})).msg.statusCode, 200);
      await own.stop();
      await until(() => statusTexts(ctx.q).includes('rest-query.status.storeDown'), 'the outage status');
      assert.strictEqual((await ctx.run({})).msg.statusCode, 200, 'requests go on, paced per instance');
      await own.start();
      await until(() => statusTexts(ctx.q).pop() === 'rest-query.status.storeUp', 'the status after the outage', 400);
      assert.strictEqual((await ctx.run({})).msg.statusCode, 200);
      assert.strictEqual(statusTexts(ctx.q).pop(), '200', 'outcomes no longer mention the store');
      const lines = helper
        .log()
        .args.filter((a) => a[0] && a[0].type === 'rest-shared-store')
        .map((a) => `${a[0].level} ${a[0].msg}`);
      assert.deepStrictEqual(lines, ['30 rest-shared-store.log.down', '40 rest-shared-store.log.up']);
      // The rate slot lives in the restarted store again: sharing resumed.
      assert.ok((await own.dump()).some((d) => d.key === 'rest-datasource:rate:{ds}'));
    } finally {
      await own.close();
    }
  });

  it('a store that stops answering (CLIENT PAUSE) holds no message past its bound: the rate limit falls back', async function () {
    api = await startServer((req, res) => res.end('ok'));
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, rateLimit: 50, timeout: 800, sharedStore: 'store' },
      extra: [store()],
      extraCredentials: { store: { password } },
    });
    assert.strictEqual((await ctx.run({})).msg.statusCode, 200);
    await redis.command(['CLIENT', 'PAUSE', '4000', 'ALL']);
    try {
      const got = collect(ctx);
      for (let i = 0; i < 3; i++) ctx.q.receive({ i });
      await until(() => got.outputs.length + got.errors.length >= 3, 'three messages', 120);
      assert.strictEqual(got.outputs.length, 3);
    } finally {
      await redis.command(['CLIENT', 'UNPAUSE']);
    }
  });

  it('shares tokens only encrypted: the record in redis holds no token, and another credential secret cannot read it', async function () {
    const { ctx, oauth } = await machineQuery(store({ keyPrefix: 'enc-test:' }));
    assert.strictEqual((await ctx.run({})).msg.statusCode, 200);
    const dump = await redis.dump();
    const record = dump.find((d) => /^enc-test:oauth:\{ds\}:[A-Za-z0-9_-]+$/.test(d.key));
    assert.ok(record, JSON.stringify(dump.map((d) => d.key)));
    const text = JSON.stringify(dump);
    for (const token of oauth.issued()) assert.ok(!text.includes(token), 'an issued token is in redis');
    assert.ok(!text.includes('csecret'));
    const s = new RedisStore({ url: redis.url, keyPrefix: 'enc-test:', password });
    try {
      assert.strictEqual(await new TokenRecords(s, deriveRecordKey('another-secret')).read(record.key), UNREADABLE);
      const mine = await new TokenRecords(s, deriveRecordKey('shared-store-test-secret')).read(record.key);
      assert.ok(oauth.issued().includes(mine.tokens.accessToken));
      assert.ok(mine.version >= 1);
    } finally {
      await s.close();
    }
  });

  it('credentialSecret: false with OAuth and a store is a CONFIG_ERROR, and nothing is written to redis', async function () {
    helper.settings({ userDir, credentialSecret: false });
    try {
      const oauth = await startOAuthServer({ clients: [{ id: 'cid', secret: 'csecret', auth: 'header' }] });
      api = oauth;
      const ctx = await loadQuery({
        ds: {
          baseUrl: oauth.url,
          authType: 'oauth2',
          oauth2GrantType: 'client_credentials',
          oauth2TokenUrl: oauth.tokenUrl,
          rateLimit: 5,
          sharedStore: 'store',
        },
        query: { path: '/api/x' },
        credentials: { clientId: 'cid', clientSecret: 'csecret' },
        extra: [store({ keyPrefix: 'no-secret:' })],
        extraCredentials: { store: { password } },
      });
      const { error } = await ctx.run({});
      assert.strictEqual(error.error.code, 'CONFIG_ERROR');
      assert.match(
        error.error.message,
        /sharedStore: OAuth tokens are shared only encrypted with the credential secret/,
      );
      assert.strictEqual(oauth.tokenRequests(), 0, 'no token was fetched');
      const keys = (await redis.dump()).map((d) => d.key).filter((k) => k.startsWith('no-secret:'));
      assert.deepStrictEqual(keys, [], 'nothing was written to redis');
    } finally {
      helper.settings({ userDir, credentialSecret: 'shared-store-test-secret' });
    }
  });

  it('a store saved without some settings gets their defaults and this build version', function () {
    const { migrateSharedStore, SHARED_STORE_VERSION } = require('../dist/nodes/rest-shared-store/migrations');
    const today = migrateSharedStore({ id: 'x', type: 'rest-shared-store', url: 'redis://h:1' });
    assert.deepStrictEqual(
      {
        mode: today.mode,
        url: today.url,
        nodes: today.nodes,
        masterName: today.masterName,
        keyPrefix: today.keyPrefix,
        tls: today.tls,
        version: today.version,
      },
      // Literal values: a store saved before the modes existed is a standalone one.
      {
        mode: 'standalone',
        url: 'redis://h:1',
        nodes: '',
        masterName: '',
        keyPrefix: 'rest-datasource:',
        tls: '',
        version: 1,
      },
    );
    assert.strictEqual(SHARED_STORE_VERSION, 1);
  });

  describe('library pieces on the real server', function () {
    let s;
    beforeEach(function () {
      s = new RedisStore({ url: redis.url, keyPrefix: 'lib-test:', password });
    });
    afterEach(async function () {
      await s.close();
    });

    it('a lock is taken once; its holder frees it, but never a lock that expired and another instance took', async function () {
      const key = s.key('lock', String(Date.now()));
      const first = await tryLock(s, key, 150);
      assert.ok(first);
      assert.strictEqual(await tryLock(s, key, 150), undefined);
      await sleep(250);
      const second = await tryLock(s, key, 5000);
      assert.ok(second, 'the expired lock was taken again');
      await first.release();
      assert.strictEqual(await redis.command(['GET', key]), second.owner, 'the late release left the new lock alone');
      await second.release();
      assert.strictEqual(await redis.command(['GET', key]), null);
    });

    it('record versions grow with every write; a republished set older than the stored one is not written', async function () {
      const records = new TokenRecords(s, deriveRecordKey('k'));
      const key = s.key('oauth', 'v-test');
      const v1 = await records.write(key, { tokens: { accessToken: 'a1' }, issuedAt: 1000 });
      const v2 = await records.write(key, { tokens: { accessToken: 'a2' }, issuedAt: 2000 });
      assert.strictEqual(v2, v1 + 1);
      assert.strictEqual(
        await records.write(key, { tokens: { accessToken: 'old' }, issuedAt: 1500 }, { onlyIfNewer: true }),
        'newer',
      );
      assert.strictEqual((await records.read(key)).tokens.accessToken, 'a2');
    });

    it('invalid_grant on refresh re-reads the shared token: a set another instance rotated meanwhile is used', async function () {
      const records = new TokenRecords(s, deriveRecordKey('k'));
      const key = s.key('oauth', 'rotated');
      const due = { accessToken: 'a1', refreshToken: 'r1', expiresAt: Date.now() - 1 };
      await records.write(key, { tokens: due, issuedAt: Date.now() - 10000 });
      const shared = new SharedTokens({
        store: s,
        records,
        recordKey: key,
        lockKey: key + ':lock',
        waitMs: 3000,
        requestMs: 3000,
      });
      const presented = [];
      try {
        const got = await shared.obtain({
          current: { tokens: due, issuedAt: Date.now() - 10000 },
          fetch: async (base) => {
            presented.push(base.refreshToken);
            // Meanwhile another instance (whose lock had expired) rotated r1 into r2.
            await records.write(key, {
              tokens: { accessToken: 'a2', refreshToken: 'r2', expiresAt: Date.now() + 60000 },
              issuedAt: Date.now(),
            });
            throw new GrantRevokedError('the token endpoint refused the request (invalid_grant)');
          },
        });
        assert.strictEqual(got.tokens.accessToken, 'a2');
        assert.deepStrictEqual(presented, ['r1']);
      } finally {
        shared.close();
      }
    });
  });
});
