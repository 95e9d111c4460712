/**
 * The three ways the shared store reaches Redis, behind one small interface of raw commands:
 * one server (`createClient`), a primary found through Redis Sentinel (`createSentinel`, which
 * follows a failover to the new primary), and a Redis Cluster (`createCluster`, routed by the
 * slot of the command's first key). Every connection of a store uses the same TLS options.
 */
import type { ConnectionOptions } from 'node:tls';
import type * as Redis from '@redis/client';
import type { HostPort, RedisAddress, StoreMode } from './redis-address';
import { nodesLabel } from './redis-address';

export type RedisModule = typeof Redis;

export interface BackendEvents {
  ready(): void;
  error(reason: string): void;
  end(): void;
  /** The primary changed (Sentinel's switch, or a cluster's new map): shown on the nodes' status. */
  failover(text: string): void;
}

export interface BackendOptions {
  mode: StoreMode;
  address?: RedisAddress;
  nodes?: HostPort[];
  masterName?: string;
  username?: string;
  password?: string;
  sentinelUsername?: string;
  sentinelPassword?: string;
  /** TLS for every connection (undefined: none, except a rediss:// URL in standalone mode). */
  tls?: ConnectionOptions;
  connectTimeoutMs: number;
  maxReconnectDelayMs: number;
}

export interface Backend {
  readonly ready: boolean;
  /** One command; `firstKey` routes it in a cluster (the primary of that key's slot). */
  send(firstKey: string | undefined, args: string[]): Promise<unknown>;
  /**
   * Whether the writes so far on `key`'s primary would survive its failover: a replica
   * acknowledged them (WAIT), or the primary has no replica to fail over to.
   */
  durable(key: string, ms: number): Promise<boolean>;
  /** The topology found, in one line. */
  topology(): Promise<string>;
  /** Whether the error is a reply of the server (a script's or command's own error). */
  isReply(err: unknown): boolean;
  destroy(): void;
}

const hostPort = (n: { host: string; port: number }) =>
  n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`;

/** ROLE of a primary: its connected replicas as host:port. */
function replicasOfRole(role: unknown): string[] | undefined {
  if (!Array.isArray(role) || role[0] !== 'master' || !Array.isArray(role[2])) return undefined;
  return (role[2] as unknown[]).map((r) => (Array.isArray(r) ? `${String(r[0])}:${String(r[1])}` : String(r)));
}

async function durableVia(send: (args: string[]) => Promise<unknown>, ms: number): Promise<boolean> {
  const replicas = replicasOfRole(await send(['ROLE']));
  if (replicas === undefined) return false;
  // No replica at all: nothing a failover could promote, so nothing to lose to one.
  if (replicas.length === 0) return true;
  return Number(await send(['WAIT', '1', String(Math.max(1, Math.round(ms)))])) >= 1;
}

function socketOptions(o: BackendOptions, host: string, port: number, tls: boolean) {
  const reconnectStrategy = (retries: number) => Math.min(100 * 2 ** Math.min(retries, 5), o.maxReconnectDelayMs);
  const common = { host, port, connectTimeout: o.connectTimeoutMs, reconnectStrategy };
  return tls
    ? { ...o.tls, ...common, tls: true as const, servername: o.tls?.servername ?? host }
    : { ...common, tls: false as const };
}

export function createBackend(redis: RedisModule, o: BackendOptions, on: BackendEvents): Backend {
  if (o.mode === 'sentinel') return sentinelBackend(redis, o, on);
  if (o.mode === 'cluster') return clusterBackend(redis, o, on);
  return standaloneBackend(redis, o, on);
}

function standaloneBackend(redis: RedisModule, o: BackendOptions, on: BackendEvents): Backend {
  const a = o.address as RedisAddress;
  const client = redis.createClient({
    socket: socketOptions(o, a.host, a.port, a.tls),
    username: o.username || undefined,
    password: o.password || undefined,
    database: a.database || undefined,
    disableOfflineQueue: true,
    pingInterval: 10000,
  });
  client.on('ready', () => on.ready());
  client.on('error', (err: unknown) => on.error(reasonOf(err)));
  client.on('end', () => on.end());
  client.connect().catch((err: unknown) => on.error(reasonOf(err)));
  const send = (args: string[]) => client.sendCommand(args) as Promise<unknown>;
  return {
    get ready() {
      return client.isReady;
    },
    send: (_key, args) => send(args),
    // One endpoint: a managed service's replication is its own (see docs/shared-store.md).
    durable: () => Promise.resolve(true),
    async topology() {
      const replicas = replicasOfRole(await send(['ROLE']));
      return replicas
        ? `standalone primary ${a.label}, ${replicas.length} replica(s)`
        : `standalone ${a.label} (a replica)`;
    },
    isReply: (err) => err instanceof redis.ErrorReply,
    destroy: () => client.destroy(),
  };
}

function sentinelBackend(redis: RedisModule, o: BackendOptions, on: BackendEvents): Backend {
  const nodes = o.nodes ?? [];
  const tls = !!o.tls;
  const first = nodes[0] ?? { host: '127.0.0.1', port: 26379 };
  const sentinel = redis.createSentinel({
    name: o.masterName ?? '',
    sentinelRootNodes: nodes,
    nodeClientOptions: {
      socket: socketOptions(o, first.host, first.port, tls),
      username: o.username || undefined,
      password: o.password || undefined,
      disableOfflineQueue: true,
    },
    sentinelClientOptions: {
      socket: socketOptions(o, first.host, first.port, tls),
      username: o.sentinelUsername || undefined,
      password: o.sentinelPassword || undefined,
    },
    masterPoolSize: 1,
    // A command rediscovers the primary a few times; the store's own timeout bounds it anyway.
    maxCommandRediscovers: 4,
  });
  let ready = false;
  let primary: string | undefined;
  sentinel.on('error', (err: unknown) => on.error(reasonOf(err)));
  sentinel.on('topology-change', (event: { type?: string; node?: { host: string; port: number } }) => {
    if (event.type !== 'MASTER_CHANGE' || !event.node) return;
    const now = hostPort(event.node);
    // The first primary found is no failover.
    if (primary !== undefined && primary !== now) on.failover(`primary now ${now}`);
    primary = now;
  });
  sentinel.connect().then(
    () => {
      ready = true;
      on.ready();
    },
    (err: unknown) => on.error(reasonOf(err)),
  );
  const send = (args: string[]) => sentinel.sendCommand(false, args) as Promise<unknown>;
  return {
    get ready() {
      return ready && sentinel.isReady;
    },
    send: (_key, args) => send(args),
    durable: (_key, ms) => durableVia(send, ms),
    async topology() {
      const master = sentinel.getMasterNode();
      const replicas = replicasOfRole(await send(['ROLE'])) ?? [];
      return `sentinel ${o.masterName}: primary ${master ? hostPort(master) : '?'}, replicas ${replicas.join(',') || 'none'}; ${nodes.length} sentinel(s) given (${nodesLabel(nodes)})`;
    },
    isReply: (err) => err instanceof redis.ErrorReply,
    destroy: () => void sentinel.destroy().catch(() => undefined),
  };
}

function clusterBackend(redis: RedisModule, o: BackendOptions, on: BackendEvents): Backend {
  const nodes = o.nodes ?? [];
  const tls = !!o.tls;
  const first = nodes[0] ?? { host: '127.0.0.1', port: 6379 };
  const cluster = redis.createCluster({
    rootNodes: nodes.map((n) => ({ socket: socketOptions(o, n.host, n.port, tls) })),
    defaults: {
      socket: socketOptions(o, first.host, first.port, tls),
      username: o.username || undefined,
      password: o.password || undefined,
      disableOfflineQueue: true,
    },
    maxCommandRedirections: 8,
  });
  let ready = false;
  cluster.on('error', (err: unknown) => on.error(reasonOf(err)));
  cluster.connect().then(
    () => {
      ready = true;
      on.ready();
    },
    (err: unknown) => on.error(reasonOf(err)),
  );
  const send = (key: string | undefined, args: string[]) => cluster.sendCommand(key, false, args) as Promise<unknown>;
  return {
    get ready() {
      return ready && cluster.isOpen;
    },
    send,
    durable: (key, ms) => durableVia((args) => send(key, args), ms),
    async topology() {
      const info = String(await send(undefined, ['CLUSTER', 'INFO']));
      const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
      const state = /^cluster_state:(\w+)/m.exec(info)?.[1] ?? '?';
      const primaries = field('cluster_size');
      return `cluster ${state}: ${primaries} primaries, ${field('cluster_known_nodes') - primaries} replicas, ${field('cluster_slots_ok')} of 16384 slots covered`;
    },
    isReply: (err) => err instanceof redis.ErrorReply,
    destroy: () => void cluster.destroy(),
  };
}

export function reasonOf(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
