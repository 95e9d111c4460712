'use strict';
// A real redis-server (the Debian package) on 127.0.0.1 and a free port, with a temporary
// configuration and directory: no persistence, loopback only. It can be stopped and started
// again on the same port (outage tests), and read back key by key (secret scans).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { createClient } = require('@redis/client');
const { spawn } = require('child_process');
const { freePort } = require('../../scripts/lib/node-red-runner');

const REDIS_SERVER = process.env.REDIS_SERVER || 'redis-server';

/** One command over a fresh connection (the test's own view of the server, not the package's). */
async function command(port, args, password) {
  const client = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: false }, password });
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.sendCommand(args.map(String));
  } finally {
    client.destroy();
  }
}

/** Start redis-server; resolves {port, url, stop(), start(), command(args), dump()}. */
async function startRedis({ password } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rds-redis-'));
  const port = await freePort();
  const conf = path.join(dir, 'redis.conf');
  fs.writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      'save ""',
      'appendonly no',
      'daemonize no',
      'loglevel warning',
      'logfile ""',
      ...(password ? [`requirepass ${password}`] : []),
    ].join('\n') + '\n',
  );
  let child;
  let log = '';

  async function start() {
    child = spawn(REDIS_SERVER, [conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c) => (log += c));
    child.stderr.on('data', (c) => (log += c));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.exited = exited;
    for (let i = 0; i < 200; i++) {
      try {
        if ((await command(port, ['PING'], password)) === 'PONG') return;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null) throw new Error(`redis-server exited:\n${log}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`redis-server did not answer on ${port}:\n${log}`);
  }

  async function stop() {
    if (!child || child.exitCode !== null) return;
    child.kill('SIGKILL');
    await child.exited;
  }

  /** Every key with its value(s) as text, for scans. */
  async function dump() {
    const keys = await command(port, ['KEYS', '*'], password);
    const out = [];
    for (const key of keys) {
      const type = await command(port, ['TYPE', key], password);
      let value;
      if (type === 'string') value = await command(port, ['GET', key], password);
      else if (type === 'hash') value = await command(port, ['HGETALL', key], password);
      else value = type;
      out.push({ key, type, value: JSON.stringify(value) });
    }
    return out;
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    command: (args) => command(port, args, password),
    dump,
    close: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { startRedis };
