'use strict';
// The store in Sentinel and Cluster mode against real topologies (Debian's redis-server): a
// primary, a replica and three sentinels; a six-node cluster. Library level: every script of a
// datasource runs in one slot (several datasources on different slots), writes wait for a
// replica, the topology reads in one line, and after a SIGKILL of the primary (of the one that
// serves the datasource's slot) the same store object works again by itself, every command
// bounded meanwhile. Slow (a failover takes seconds): Node-RED 4 run only.
const assert = require('assert');
const { startSentinel, startCluster } = require('./lib/redis-ha');
const { secret } = require('./lib/secrets');
const { RedisStore } = require('../dist/lib/shared/redis-store');
const { StoreUnavailableError, hashTag } = require('../dist/lib/shared/store');
const { tryLock } = require('../dist/lib/shared/lock');
const { TokenRecords, deriveRecordKey } = require('../dist/lib/shared/token-record');
const { ClusterRate } = require('../dist/lib/shared/rate-limit');

const ONLY_ONE_RUNTIME = !process.env.NODE_RED_RUNTIME;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One datasource's store work: lock, fenced record write, rate admit; answers the record read back. */
async function datasourceRound(store, id, n) {
  const records = new TokenRecords(store, deriveRecordKey('ha-secret'));
  const recordKey = store.key('oauth', hashTag(id), 'fp');
  const lock = await tryLock(store, TokenRecords.lockKey(recordKey), 5000);
  assert.ok(lock, `the lock of ${id}`);
  try {
    assert.strictEqual(await store.durable(lock.key), true, 'a replica has the lock');
    const v = await records.write(recordKey, { tokens: { accessToken: `${id}-${n}` }, issuedAt: Date.now() }, { lock });
    assert.ok(typeof v === 'number', `written: ${v}`);
    assert.strictEqual(await store.durable(recordKey), true, 'a replica has the record');
  } finally {
    await lock.release();
  }
  assert.strictEqual(await new ClusterRate(store, store.key('rate', hashTag(id)), 100).admit(), 0);
  return (await records.read(recordKey)).tokens.accessToken;
}

/** Until the store answers again, every attempt bounded; answers the number of refused attempts. */
async function untilBack(store, id) {
  let refused = 0;
  for (let i = 0; i < 200; i++) {
    try {
      await datasourceRound(store, id, `back${i}`);
      return refused;
    } catch (err) {
      assert.ok(err instanceof StoreUnavailableError || /READONLY|CLUSTERDOWN|TRYAGAIN/.test(err.message), err.stack);
      refused++;
      await sleep(200);
    }
  }
  throw new Error('the store did not come back');
}

describe('shared store in Sentinel and Cluster mode (real topologies)', function () {
  this.timeout(120000);
  before(function () {
    if (!ONLY_ONE_RUNTIME) this.skip();
  });
  const password = secret('ha-redis-pass');
  const ids = ['ds-a', 'ds-b', 'ds-c', 'ds-d'];

  it('sentinel: scripts, WAIT, topology; a SIGKILLed primary is followed to the new one by the same store', async function () {
    const ha = await startSentinel({ password });
    const store = new RedisStore({
      mode: 'sentinel',
      nodes: ha.sentinelNodes,
      masterName: ha.masterName,
      keyPrefix: 'ha:',
      password,
    });
    try {
      for (const id of ids) assert.strictEqual(await datasourceRound(store, id, 1), `${id}-1`);
      const topology = await store.topology();
      assert.match(
        topology,
        new RegExp(
          `^sentinel mymaster: primary 127\\.0\\.0\\.1:${await ha.primaryPort()}, replicas 127\\.0\\.0\\.1:\\d+;`,
        ),
      );
      const old = await ha.killPrimary();
      const refused = await untilBack(store, 'ds-a');
      const now = await ha.primaryPort();
      assert.notStrictEqual(now, old, 'the sentinels promoted the replica');
      for (const id of ids) assert.strictEqual(await datasourceRound(store, id, 2), `${id}-2`);
      assert.ok(refused >= 0);
    } finally {
      await store.close();
      await ha.close();
    }
  });

  it('cluster: keys of one datasource share a slot, datasources spread over slots; a SIGKILLed slot primary is followed', async function () {
    const ha = await startCluster({ password });
    const store = new RedisStore({ mode: 'cluster', nodes: ha.nodes, keyPrefix: 'ha:', password });
    try {
      const primaries = new Set();
      for (const id of ids) {
        assert.strictEqual(await datasourceRound(store, id, 1), `${id}-1`);
        primaries.add(await ha.primaryOf(store.key('oauth', hashTag(id), 'fp')));
      }
      assert.ok(primaries.size >= 2, `the datasources live on ${primaries.size} primaries`);
      assert.match(await store.topology(), /^cluster ok: 3 primaries, 3 replicas, 16384 of 16384 slots covered/);
      const key = store.key('oauth', hashTag('ds-a'), 'fp');
      const old = await ha.killPrimaryOf(key);
      await untilBack(store, 'ds-a');
      assert.notStrictEqual(await ha.primaryOf(key), old);
      for (const id of ids) assert.strictEqual(await datasourceRound(store, id, 2), `${id}-2`);
    } finally {
      await store.close();
      await ha.close();
    }
  });
});
