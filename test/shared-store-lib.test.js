'use strict';
// The shared store's library pieces against a real redis-server, one claim at a time: the token
// record's seal (tampered, moved, rolled back), the refresh lock (lease extended while its holder
// works, writes fenced once the lock is lost: a deterministic interleaving, not a hoped-for race),
// the single-flight refresh (a usable record found under the lock is taken; a write-back after an
// outage never overwrites a newer record) and the cluster rate (far-future slot, sliding log).
const assert = require('assert');
const { startRedis } = require('./lib/redis');
const { secret } = require('./lib/secrets');
const { RedisStore } = require('../dist/lib/shared/redis-store');
const { tryLock } = require('../dist/lib/shared/lock');
const { TokenRecords, deriveRecordKey, UNREADABLE, ROLLED_BACK } = require('../dist/lib/shared/token-record');
const { SharedTokens } = require('../dist/lib/shared/shared-tokens');
const { ClusterRate, ClusterPacer } = require('../dist/lib/shared/rate-limit');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(check, what, tries = 400) {
  for (let i = 0; i < tries; i++) {
    const v = await check();
    if (v) return v;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A promise the test resolves by hand. */
function gate() {
  let open;
  const p = new Promise((r) => (open = r));
  return { p, open };
}

const future = (ms = 60000) => Date.now() + ms;

describe('shared store library pieces, on a real redis', function () {
  this.timeout(30000);
  let redis;
  let s;
  let n = 0;
  const password = secret('lib-redis-pass');
  const key = deriveRecordKey('lib-test-secret');

  before(async function () {
    redis = await startRedis({ password });
  });
  after(async function () {
    if (redis) await redis.close();
  });
  beforeEach(function () {
    s = new RedisStore({ url: redis.url, keyPrefix: 'lib:', password });
    n++;
  });
  afterEach(async function () {
    await s.close();
  });

  const recordKey = (id = `ds${n}`) => s.key('oauth', `{${id}}`, 'fp');
  const hgetall = async (k) => {
    const flat = await redis.command(['HGETALL', k]);
    return Array.isArray(flat)
      ? Object.fromEntries(flat.map((v, i, a) => (i % 2 ? null : [v, a[i + 1]])).filter(Boolean))
      : flat;
  };

  describe('token record', function () {
    it('a flipped bit in the sealed data does not open (the GCM tag is checked)', async function () {
      const records = new TokenRecords(s, key);
      const k = recordKey();
      await records.write(k, { tokens: { accessToken: 'abcdefgh' }, issuedAt: Date.now() });
      const { d } = await hgetall(k);
      const [format, head, body] = d.split('.');
      const raw = Buffer.from(body, 'base64url');
      // 12 bytes IV, 16 bytes tag, then `{"accessToken":"a…`: flip a bit of the token's first
      // letter, which still leaves valid JSON ("`bcdefgh") if nothing checks the tag.
      raw[28 + 16] ^= 0x01;
      await redis.command(['HSET', k, 'd', `${format}.${head}.${raw.toString('base64url')}`]);
      assert.strictEqual(await new TokenRecords(s, key).read(k), UNREADABLE);
    });

    it("a record moved to another datasource's key or another prefix does not open (the key name is bound)", async function () {
      const records = new TokenRecords(s, key);
      const k = recordKey();
      await records.write(k, { tokens: { accessToken: 'moved' }, issuedAt: Date.now() });
      const { v, d, i } = await hgetall(k);
      const other = recordKey(`other${n}`);
      await redis.command(['HSET', other, 'v', v, 'd', d, 'i', i]);
      assert.strictEqual(await records.read(other), UNREADABLE);
      // The same key name under another prefix: the prefix is bound too.
      const elsewhere = new RedisStore({ url: redis.url, keyPrefix: 'lab:', password });
      try {
        const movedKey = 'lab:' + k.slice('lib:'.length);
        await redis.command(['HSET', movedKey, 'v', v, 'd', d, 'i', i]);
        assert.strictEqual(await new TokenRecords(elsewhere, key).read(movedKey), UNREADABLE);
        assert.strictEqual((await records.read(k)).tokens.accessToken, 'moved', 'the original still opens');
      } finally {
        await elsewhere.close();
      }
    });

    it('version and issue time are sealed: a changed version in the head does not open', async function () {
      const records = new TokenRecords(s, key);
      const k = recordKey();
      await records.write(k, { tokens: { accessToken: 'x' }, issuedAt: 1000 });
      const { d } = await hgetall(k);
      const [format, , body] = d.split('.');
      const head = Buffer.from(JSON.stringify([99, 1000])).toString('base64url');
      await redis.command(['HSET', k, 'd', `${format}.${head}.${body}`, 'v', '99']);
      assert.strictEqual(await new TokenRecords(s, key).read(k), UNREADABLE);
    });

    it('an older record written back (clear version bumped) is refused as rolled back by an instance that saw a newer one', async function () {
      const records = new TokenRecords(s, key);
      const k = recordKey();
      await records.write(k, { tokens: { accessToken: 'a1', refreshToken: 'r1' }, issuedAt: 1000 });
      const old = await hgetall(k);
      await records.write(k, { tokens: { accessToken: 'a2', refreshToken: 'r2' }, issuedAt: 2000 });
      assert.strictEqual((await records.read(k)).tokens.accessToken, 'a2');
      await redis.command(['HSET', k, 'd', old.d, 'i', old.i, 'v', '50']);
      assert.strictEqual(await records.read(k), ROLLED_BACK);
    });

    it('a rolled-back record is not used and its spent refresh token never presented: the newest known set is the base', async function () {
      const records = new TokenRecords(s, key);
      const k = recordKey();
      await records.write(k, {
        tokens: { accessToken: 'a1', refreshToken: 'r1', expiresAt: future() },
        issuedAt: Date.now(),
      });
      const old = await hgetall(k);
      const shared = new SharedTokens({
        store: s,
        records,
        recordKey: k,
        lockKey: k + ':lock',
        waitMs: 3000,
        requestMs: 3000,
      });
      try {
        // The instance refreshes once (a1 rejected): r1 → r2, and it has seen that version.
        const presented = [];
        let issued = 1;
        const fetch = async (base) => {
          presented.push(base && base.refreshToken);
          issued++;
          return { accessToken: `a${issued}`, refreshToken: `r${issued}`, expiresAt: future() };
        };
        const first = await shared.obtain({ current: undefined, rejected: 'a1', fetch });
        assert.strictEqual(first.tokens.accessToken, 'a2');
        // A Redis writer puts the older record back, with a higher clear version.
        await redis.command(['HSET', k, 'd', old.d, 'i', old.i, 'v', '70']);
        const second = await shared.obtain({ current: first, rejected: 'a2', fetch });
        assert.deepStrictEqual(presented, ['r1', 'r2'], 'the spent r1 was presented again');
        assert.strictEqual(second.tokens.accessToken, 'a3');
        assert.strictEqual((await records.read(k)).tokens.accessToken, 'a3', 'the record was repaired');
      } finally {
        shared.close();
      }
    });
  });

  describe('single-flight refresh', function () {
    /** A store whose scripts the test can watch and hold up. */
    function spyStore(inner, before) {
      return new Proxy(inner, {
        get(target, prop) {
          if (prop === 'script') {
            return async (lua, keys, args, t) => {
              if (before) await before(lua, keys, args);
              return target.script(lua, keys, args, t);
            };
          }
          const v = target[prop];
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    }

    it('under the lock, a usable record the re-read finds is taken: no second token request', async function () {
      const k = recordKey();
      const writer = new TokenRecords(s, key);
      await writer.write(k, {
        tokens: { accessToken: 'due', refreshToken: 'r1', expiresAt: Date.now() - 1 },
        issuedAt: Date.now() - 5000,
      });
      // Between this instance's first read and its lock, another instance finishes a refresh.
      const store = spyStore(s, async (lua) => {
        if (/INCR/.test(lua)) {
          await writer.write(k, {
            tokens: { accessToken: 'fresh', refreshToken: 'r2', expiresAt: future() },
            issuedAt: Date.now(),
          });
        }
      });
      const shared = new SharedTokens({
        store,
        records: new TokenRecords(store, key),
        recordKey: k,
        lockKey: k + ':lock',
        waitMs: 3000,
        requestMs: 3000,
      });
      let fetches = 0;
      try {
        const got = await shared.obtain({
          current: undefined,
          fetch: async () => {
            fetches++;
            return { accessToken: 'mine', refreshToken: 'r3', expiresAt: future() };
          },
        });
        assert.strictEqual(got.tokens.accessToken, 'fresh');
        assert.strictEqual(fetches, 0, 'a second refresh was made');
      } finally {
        shared.close();
      }
    });

    it('a write-back after an outage never overwrites a record obtained later', async function () {
      const k = recordKey();
      const records = new TokenRecords(s, key);
      const writes = [];
      const store = spyStore(s, async (lua, keys, args) => {
        if (/HSET/.test(lua)) writes.push(args[3]);
      });
      const shared = new SharedTokens({
        store,
        records: new TokenRecords(store, key),
        recordKey: k,
        lockKey: k + ':lock',
        waitMs: 3000,
        requestMs: 3000,
      });
      try {
        await records.write(k, { tokens: { accessToken: 'newer' }, issuedAt: Date.now() });
        shared.publish({ tokens: { accessToken: 'older' }, issuedAt: Date.now() - 10000 });
        await until(() => writes.length > 0, 'the write-back');
        assert.deepStrictEqual(writes, ['1'], 'the write-back asks for "only if newer"');
        await sleep(50);
        assert.strictEqual((await records.read(k)).tokens.accessToken, 'newer');
      } finally {
        shared.close();
      }
    });
  });

  describe('refresh lock', function () {
    it('the holder extends its lease while it works: a second instance cannot take the lock meanwhile', async function () {
      const k = recordKey() + ':lock';
      const lock = await tryLock(s, k, 3000);
      assert.ok(lock);
      lock.keepAlive(3000);
      try {
        // Time passes (the lease nearly ran out): the holder's next extension restores it.
        for (let i = 0; i < 3; i++) {
          await redis.command(['PEXPIRE', k, '1500']);
          await until(async () => Number(await redis.command(['PTTL', k])) > 2000, `extension ${i + 1}`);
        }
        assert.strictEqual(await tryLock(s, k, 3000), undefined);
      } finally {
        await lock.release();
      }
      assert.strictEqual(await redis.command(['GET', k]), null);
    });

    it("a holder that lost its lock (expired while it stalled, or lost in a failover) cannot write: the later holder's record stays, and the stalled one adopts it", async function () {
      const k = recordKey();
      const records = new TokenRecords(s, key);
      await records.write(k, {
        tokens: { accessToken: 'a1', refreshToken: 'r1', expiresAt: Date.now() - 1 },
        issuedAt: Date.now() - 5000,
      });
      const other = new RedisStore({ url: redis.url, keyPrefix: 'lib:', password });
      const a = new SharedTokens({
        store: s,
        records,
        recordKey: k,
        lockKey: k + ':lock',
        waitMs: 5000,
        requestMs: 2000,
      });
      const otherRecords = new TokenRecords(other, key);
      const b = new SharedTokens({
        store: other,
        records: otherRecords,
        recordKey: k,
        lockKey: k + ':lock',
        waitMs: 5000,
        requestMs: 2000,
      });
      try {
        const inFetch = gate();
        const goOn = gate();
        const presented = [];
        const aDone = a.obtain({
          current: undefined,
          fetch: async (base) => {
            presented.push(`A:${base.refreshToken}`);
            inFetch.open();
            await goOn.p;
            return { accessToken: 'aA', refreshToken: 'rA', expiresAt: future() };
          },
        });
        await inFetch.p;
        // A holds the lock and is in its token request. Its lock disappears (the failover
        // lost it); B takes the lock, refreshes and writes.
        await redis.command(['DEL', k + ':lock']);
        const bGot = await b.obtain({
          current: undefined,
          fetch: async (base) => {
            presented.push(`B:${base.refreshToken}`);
            return { accessToken: 'aB', refreshToken: 'rB', expiresAt: future() };
          },
        });
        assert.strictEqual(bGot.tokens.accessToken, 'aB');
        goOn.open();
        const aGot = await aDone;
        assert.strictEqual((await records.read(k)).tokens.accessToken, 'aB', "A's late write was fenced off");
        assert.strictEqual(aGot.tokens.accessToken, 'aB', 'A adopts the record of the later holder');
        assert.deepStrictEqual(presented, ['A:r1', 'B:r1']);
      } finally {
        a.close();
        b.close();
        await other.close();
      }
    });
  });

  describe('cluster rate', function () {
    it('a far-future slot in the store ends the start with ETIMEDOUT within the request timeout', async function () {
      const rateKey = s.key('rate', `{far${n}}`);
      await redis.command(['SET', rateKey, String((Date.now() + 3600 * 1000) * 1000)]);
      const pacer = new ClusterPacer(new ClusterRate(s, rateKey, 10), {
        timeoutMs: 1000,
        closedError: () => new Error('closed'),
      });
      try {
        await assert.rejects(pacer.turn(400), (err) => err.code === 'ETIMEDOUT' && /rate limit/.test(err.message));
        // The queue behind it is not stuck.
        await redis.command(['DEL', rateKey]);
        assert.strictEqual(await pacer.turn(400), true);
      } finally {
        pacer.close();
      }
    });

    it('the sliding log admits at most `rate` starts per window, and says how long until the next place', async function () {
      const rate = new ClusterRate(s, s.key('rate', `{log${n}}`), 4);
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await rate.admit());
      assert.deepStrictEqual(answers.slice(0, 4), [0, 0, 0, 0]);
      assert.ok(answers[4] > 0 && answers[4] <= 1050, `the fifth waits: ${answers[4]}`);
    });

    it('a stall between the admission and its answer admits the start again at its real moment; a slow store does not', async function () {
      const logOf = async (rate) =>
        (await redis.command(['ZRANGE', rate.logKey, '0', '-1', 'WITHSCORES'])).filter((v, i) => i % 2).map(Number);
      // The event loop blocks right after the store admitted the start, before the pacer reads
      // the answer (an instance busy in another node).
      const stalling = new ClusterRate(s, s.key('rate', `{stall${n}}`), 10);
      const admit = stalling.admit.bind(stalling);
      let stalls = 0;
      stalling.admit = async (...args) => {
        const answer = await admit(...args);
        if (stalls++ === 0) {
          const end = Date.now() + 300;
          while (Date.now() < end);
        }
        return answer;
      };
      const pacer = new ClusterPacer(stalling, { timeoutMs: 1000, closedError: () => new Error('closed') });
      try {
        assert.strictEqual(await pacer.turn(3000), true);
        const log = await logOf(stalling);
        assert.strictEqual(log.length, 2, `admitted again after the stall: ${log}`);
        assert.ok(log[1] - log[0] >= 300e3, `the second admission is the real moment: ${log[1] - log[0]} µs later`);
      } finally {
        pacer.close();
      }
      // Every answer 80 ms late, the reservation's too (a distant store): one admission per start.
      const slow = new ClusterRate(s, s.key('rate', `{slow${n}}`), 10);
      for (const method of ['reserve', 'admit']) {
        const original = slow[method].bind(slow);
        slow[method] = async (...args) => {
          const answer = await original(...args);
          await new Promise((r) => setTimeout(r, 80));
          return answer;
        };
      }
      const slowPacer = new ClusterPacer(slow, { timeoutMs: 1000, closedError: () => new Error('closed') });
      try {
        for (let i = 0; i < 3; i++) assert.strictEqual(await slowPacer.turn(3000), true);
        assert.strictEqual((await logOf(slow)).length, 3);
      } finally {
        slowPacer.close();
      }
    });

    it('a start whose reserved slot comes while the window is full waits for a place (no burst after a stall)', async function () {
      const rateKey = s.key('rate', `{full${n}}`);
      const rate = new ClusterRate(s, rateKey, 4);
      // Four other starts just happened (a stalled instance's neighbours); the slot is free.
      for (let i = 0; i < 4; i++) assert.strictEqual(await rate.admit(), 0);
      const scoresOf = async () =>
        (await redis.command(['ZRANGE', rate.logKey, '0', '-1', 'WITHSCORES'])).filter((v, i) => i % 2).map(Number);
      const firstOther = Math.min(...(await scoresOf()));
      const pacer = new ClusterPacer(rate, { timeoutMs: 1000, closedError: () => new Error('closed') });
      try {
        assert.strictEqual(await pacer.turn(3000), true);
        // This start is logged, one window (store clock, µs) after the first of the four.
        const newest = Math.max(...(await scoresOf()));
        assert.ok(newest >= firstOther + 1e6, `the start went ${newest - firstOther} µs after the first of four`);
      } finally {
        pacer.close();
      }
    });
  });
});
