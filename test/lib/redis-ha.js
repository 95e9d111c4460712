'use strict';
// Highly available Redis topologies from Debian's redis-server, on free 127.0.0.1 ports, in a
// temporary directory: a primary, a replica and three sentinels (`startSentinel`), or a
// six-node cluster of three primaries and three replicas made with
// `redis-cli --cluster create … --cluster-replicas 1 --cluster-yes` (`startCluster`). Every
// process can be SIGKILLed (failover tests); `close()` stops everything.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, execFile } = require('child_process');
const { createClient } = require('@redis/client');
const { freePort } = require('../../scripts/lib/node-red-runner');

const REDIS_SERVER = process.env.REDIS_SERVER || 'redis-server';
const REDIS_CLI = process.env.REDIS_CLI || 'redis-cli';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One command over a fresh connection (the test's own view, not the package's). */
async function command(port, args, password) {
  const client = createClient({
    socket: { host: '127.0.0.1', port, reconnectStrategy: false, connectTimeout: 2000 },
    password,
  });
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.sendCommand(args.map(String));
  } finally {
    client.destroy();
  }
}

function processOf(dir, name, lines, { sentinel = false } = {}) {
  const conf = path.join(dir, `${name}.conf`);
  fs.writeFileSync(conf, lines.join('\n') + '\n');
  let log = '';
  const child = spawn(REDIS_SERVER, sentinel ? [conf, '--sentinel'] : [conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (c) => (log += c));
  child.stderr.on('data', (c) => (log += c));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    child,
    log: () => log,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

async function until(check, what, tries = 400, every = 50) {
  let last;
  for (let i = 0; i < tries; i++) {
    try {
      last = await check();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    await sleep(every);
  }
  throw new Error(`timed out waiting for ${what}: ${last && last.message ? last.message : JSON.stringify(last)}`);
}

const base = (dir, port, password) => [
  `port ${port}`,
  'bind 127.0.0.1',
  `dir ${dir}`,
  'save ""',
  'appendonly no',
  'daemonize no',
  'loglevel warning',
  'logfile ""',
  ...(password ? [`requirepass ${password}`, `masterauth ${password}`] : []),
];

/**
 * A primary, one replica and three sentinels watching them as `masterName`. Resolves
 * {masterName, sentinelNodes ('127.0.0.1:p, …'), primaryPort(), killPrimary(), dump(), close()}.
 */
async function startSentinel({ password, masterName = 'mymaster' } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rds-sentinel-'));
  const procs = [];
  const dataPorts = [await freePort(), await freePort()];
  const sentinelPorts = [await freePort(), await freePort(), await freePort()];
  const byPort = new Map();
  for (const [i, port] of dataPorts.entries()) {
    const d = path.join(dir, `data${i}`);
    fs.mkdirSync(d);
    const lines = base(d, port, password);
    if (i === 1) lines.push(`replicaof 127.0.0.1 ${dataPorts[0]}`);
    const p = processOf(d, 'redis', lines);
    procs.push(p);
    byPort.set(port, p);
  }
  for (const port of dataPorts)
    await until(async () => (await command(port, ['PING'], password)) === 'PONG', `redis ${port}`);
  await until(
    async () => /master_link_status:up/.test(await command(dataPorts[1], ['INFO', 'replication'], password)),
    'the replica in sync',
  );
  for (const [i, port] of sentinelPorts.entries()) {
    const d = path.join(dir, `sentinel${i}`);
    fs.mkdirSync(d);
    const lines = [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${d}`,
      'daemonize no',
      'loglevel warning',
      'logfile ""',
      `sentinel monitor ${masterName} 127.0.0.1 ${dataPorts[0]} 2`,
      `sentinel down-after-milliseconds ${masterName} 1000`,
      `sentinel failover-timeout ${masterName} 5000`,
      `sentinel parallel-syncs ${masterName} 1`,
      ...(password ? [`sentinel auth-pass ${masterName} ${password}`] : []),
    ];
    procs.push(processOf(d, 'sentinel', lines, { sentinel: true }));
  }
  const primaryPort = async () => {
    const answer = await command(sentinelPorts[0], ['SENTINEL', 'get-master-addr-by-name', masterName]);
    return Number(answer[1]);
  };
  // Every sentinel knows the replica and the other sentinels before a failover can happen.
  await until(async () => {
    const replicas = await command(sentinelPorts[0], ['SENTINEL', 'replicas', masterName]);
    const sentinels = await command(sentinelPorts[0], ['SENTINEL', 'sentinels', masterName]);
    return replicas.length === 1 && sentinels.length === 2;
  }, 'the sentinels to find each other');
  return {
    masterName,
    dataPorts,
    sentinelPorts,
    sentinelNodes: sentinelPorts.map((p) => `127.0.0.1:${p}`).join(', '),
    primaryPort,
    command: (port, args) => command(port, args, password),
    /** SIGKILL the current primary; resolves its port once the sentinels promoted the replica. */
    async killPrimary() {
      const old = await primaryPort();
      await byPort.get(old).kill();
      return old;
    },
    async failedOver(old) {
      return until(async () => (await primaryPort()) !== old, 'the failover', 600);
    },
    async dump() {
      const port = await primaryPort();
      const keys = await command(port, ['KEYS', '*'], password);
      const out = [];
      for (const key of keys) out.push({ key, value: JSON.stringify(await dumpValue(port, key, password)) });
      return out;
    },
    log: () => procs.map((p) => p.log()).join('\n'),
    async close() {
      await Promise.all(procs.map((p) => p.kill()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function dumpValue(port, key, password) {
  const type = await command(port, ['TYPE', key], password);
  if (type === 'string') return command(port, ['GET', key], password);
  if (type === 'hash') return command(port, ['HGETALL', key], password);
  if (type === 'zset') return command(port, ['ZRANGE', key, '0', '-1'], password);
  return type;
}

/**
 * Six cluster-enabled servers made one cluster (three primaries, three replicas). Resolves
 * {nodes ('127.0.0.1:p, …'), primaryOf(key), killPrimaryOf(key), failedOver(port, key), dump(), close()}.
 */
async function startCluster({ password } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rds-cluster-'));
  const ports = [];
  for (let i = 0; i < 6; i++) ports.push(await freePort());
  const byPort = new Map();
  for (const port of ports) {
    const d = path.join(dir, String(port));
    fs.mkdirSync(d);
    const lines = [
      ...base(d, port, password),
      'cluster-enabled yes',
      `cluster-config-file ${path.join(d, 'nodes.conf')}`,
      'cluster-node-timeout 1000',
      'cluster-replica-validity-factor 0',
    ];
    byPort.set(port, processOf(d, 'redis', lines));
  }
  for (const port of ports)
    await until(async () => (await command(port, ['PING'], password)) === 'PONG', `redis ${port}`);
  await new Promise((resolve, reject) =>
    execFile(
      REDIS_CLI,
      [
        ...(password ? ['-a', password, '--no-auth-warning'] : []),
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      { timeout: 60000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve()),
    ),
  );
  await until(async () => {
    for (const port of ports) {
      if (!/cluster_state:ok/.test(await command(port, ['CLUSTER', 'INFO'], password))) return false;
    }
    return true;
  }, 'cluster_state:ok everywhere');
  const live = () =>
    ports.filter((p) => byPort.get(p).child.exitCode === null && byPort.get(p).child.signalCode === null);
  /** The port of the primary serving `key`'s slot, as a live node sees it. */
  async function primaryOf(key) {
    const slot = await command(live()[0], ['CLUSTER', 'KEYSLOT', key], password);
    const slots = await command(live()[0], ['CLUSTER', 'SLOTS'], password);
    const range = slots.find((r) => slot >= r[0] && slot <= r[1]);
    return Number(range[2][1]);
  }
  return {
    ports,
    nodes: ports
      .slice(0, 3)
      .map((p) => `127.0.0.1:${p}`)
      .join(', '),
    primaryOf,
    async killPrimaryOf(key) {
      const port = await primaryOf(key);
      await byPort.get(port).kill();
      return port;
    },
    async failedOver(old, key) {
      return until(
        async () => {
          const now = await primaryOf(key);
          if (now === old) return false;
          return /cluster_state:ok/.test(await command(now, ['CLUSTER', 'INFO'], password)) ? now : false;
        },
        'the cluster failover',
        600,
      );
    },
    async dump() {
      const out = [];
      for (const port of live()) {
        const role = await command(port, ['ROLE'], password);
        if (role[0] !== 'master') continue;
        for (const key of await command(port, ['KEYS', '*'], password)) {
          out.push({ key, value: JSON.stringify(await dumpValue(port, key, password)) });
        }
      }
      return out;
    },
    async close() {
      await Promise.all([...byPort.values()].map((p) => p.kill()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { startSentinel, startCluster };
