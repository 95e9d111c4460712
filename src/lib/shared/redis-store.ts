/**
 * The Redis (or Valkey) backend of the shared store, on node-redis' core client
 * (@redis/client), in one of three modes: one server, a primary found through Redis Sentinel,
 * or a Redis Cluster. Commands fail at once while the connection is down (no offline queue, so
 * nothing piles up for a server that is gone), every command is bounded by a timeout, and the
 * client reconnects by itself with a capped back-off. When commands keep failing in Sentinel or
 * Cluster mode, the store drops its client and discovers the topology again (node-redis'
 * cluster client refreshes its slot map only on MOVED/ASK: after a primary dies a long-lived
 * client may not recover by itself, a fresh one does).
 */
import { createHash } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import type { SharedStore, StoreState } from './store';
import { StoreUnavailableError } from './store';
import type { HostPort, RedisAddress, StoreMode } from './redis-address';
import { checkMode, nodesLabel, parseNodes, parseStoreUrl } from './redis-address';
import { configError } from '../errors';
import type { Backend, RedisModule } from './redis-backends';
import { createBackend, reasonOf } from './redis-backends';
import { quietSentinelNoise, releaseSentinelNoise } from './sentinel-noise';

export { parseStoreUrl };
export type { RedisAddress };

/** What a NOAUTH reply means to the person who set up the node. */
const NEEDS_PASSWORD =
  'the server needs a password (NOAUTH): enter the Password of the shared store, and the Username for an ACL user';

/** The default bound of one command. */
export const COMMAND_TIMEOUT_MS = 2000;
const CONNECT_TIMEOUT_MS = 3000;
const MAX_RECONNECT_DELAY_MS = 2000;
/** Sentinel / Cluster: after this many failed commands in a row, over at least REDISCOVER_MS, start over. */
const REDISCOVER_AFTER = 3;
const REDISCOVER_MS = 2000;

export interface RedisStoreOptions {
  /** [`standalone`] */
  mode?: StoreMode | string;
  /** standalone: the server's URL */
  url?: string;
  /** sentinel: the sentinels; cluster: nodes to start from (`host:port, host:port`) */
  nodes?: string;
  /** sentinel: the primary's group name */
  masterName?: string;
  keyPrefix: string;
  username?: string;
  password?: string;
  sentinelUsername?: string;
  sentinelPassword?: string;
  /** TLS options: for `rediss://`, and for every connection in Sentinel and Cluster mode when set. */
  tls?: ConnectionOptions;
  commandTimeoutMs?: number;
}

let redisModule: Promise<RedisModule> | undefined;

/** The client library, loaded with the first store: a flow without one never pays for it. */
function loadRedis(): Promise<RedisModule> {
  if (!redisModule) redisModule = import('@redis/client');
  return redisModule;
}

export class RedisStore implements SharedStore {
  readonly label: string;
  readonly prefix: string;
  readonly mode: StoreMode;
  private current: StoreState = 'connecting';
  private readonly listeners = new Set<(state: StoreState, reason?: string) => void>();
  private backend: Backend | undefined;
  /** Settles when the client exists (the library is loaded). */
  private readonly started: Promise<void>;
  private readonly timeoutMs: number;
  private readonly shas = new Map<string, string>();
  private closed = false;
  private failures = 0;
  private failingSince = 0;
  private redis: RedisModule | undefined;
  private readonly build: (redis: RedisModule) => Backend;
  /** Failovers seen (the status and the Test route show them). */
  failovers = 0;

  constructor(o: RedisStoreOptions) {
    this.mode = checkMode(o.mode);
    this.prefix = o.keyPrefix;
    this.timeoutMs = o.commandTimeoutMs ?? COMMAND_TIMEOUT_MS;
    let address: RedisAddress | undefined;
    let nodes: HostPort[] | undefined;
    if (this.mode === 'standalone') {
      address = parseStoreUrl(o.url ?? '');
      this.label = address.label;
    } else {
      nodes = parseNodes(o.nodes ?? '', this.mode === 'sentinel' ? 26379 : 6379);
      if (this.mode === 'sentinel') {
        const name = (o.masterName ?? '').trim();
        if (!/^[A-Za-z0-9._-]+$/.test(name)) {
          throw configError('masterName', 'names the primary group the sentinels watch, for example mymaster');
        }
        this.label = `sentinel ${name}@${nodesLabel(nodes)}`;
      } else {
        this.label = `cluster ${nodesLabel(nodes)}`;
      }
    }
    const backendOptions = {
      mode: this.mode,
      address,
      nodes,
      masterName: (o.masterName ?? '').trim(),
      username: o.username,
      password: o.password,
      sentinelUsername: o.sentinelUsername,
      sentinelPassword: o.sentinelPassword,
      tls: this.mode === 'standalone' ? (address?.tls ? (o.tls ?? {}) : undefined) : o.tls,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      maxReconnectDelayMs: MAX_RECONNECT_DELAY_MS,
    };
    this.build = (redis) => {
      let me: Backend | undefined = undefined;
      const mine = () => me !== undefined && me === this.backend;
      me = createBackend(redis, backendOptions, {
        ready: () => mine() && this.setState('up'),
        error: (reason) => mine() && this.setState('down', reason),
        end: () => mine() && !this.closed && this.setState('down', 'connection closed'),
        failover: (text) => mine() && this.failover(text),
      });
      return me;
    };
    if (this.mode === 'sentinel') quietSentinelNoise(this, (text) => this.setState('down', text));
    this.started = loadRedis().then(
      (redis) => {
        if (this.closed) return;
        this.redis = redis;
        this.backend = undefined;
        const b = this.build(redis);
        this.backend = b;
      },
      (err: unknown) => this.setState('down', `the Redis client library could not be loaded: ${reasonOf(err)}`),
    );
  }

  get state(): StoreState {
    return this.current;
  }

  onState(listener: (state: StoreState, reason?: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  async ping(timeoutMs?: number): Promise<void> {
    await this.run(undefined, ['PING'], timeoutMs);
  }

  async get(key: string, timeoutMs?: number): Promise<string | undefined> {
    const value = await this.run(key, ['GET', key], timeoutMs);
    return typeof value === 'string' ? value : undefined;
  }

  async set(
    key: string,
    value: string,
    options: { ttlMs?: number; onlyIfAbsent?: boolean; timeoutMs?: number } = {},
  ): Promise<boolean> {
    const args = ['SET', key, value];
    if (options.ttlMs) args.push('PX', String(Math.max(1, Math.round(options.ttlMs))));
    if (options.onlyIfAbsent) args.push('NX');
    return (await this.run(key, args, options.timeoutMs)) === 'OK';
  }

  async del(key: string, timeoutMs?: number): Promise<void> {
    await this.run(key, ['DEL', key], timeoutMs);
  }

  /** EVALSHA with the script's digest, loading it once when the server does not know it yet. */
  async script(lua: string, keys: string[], args: string[], timeoutMs?: number): Promise<unknown> {
    let sha = this.shas.get(lua);
    if (!sha) {
      sha = createHash('sha1').update(lua).digest('hex');
      this.shas.set(lua, sha);
    }
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await this.run(keys[0], ['EVALSHA', sha, ...tail], timeoutMs);
    } catch (err) {
      if (!(err instanceof Error) || !/NOSCRIPT/.test(err.message)) throw err;
      return this.run(keys[0], ['EVAL', lua, ...tail], timeoutMs);
    }
  }

  /**
   * Whether the writes made so far on `key`'s primary survive a failover (a replica has them,
   * or there is no replica to promote). Standalone: true (one endpoint; see the docs).
   */
  async durable(key: string, timeoutMs?: number): Promise<boolean> {
    if (this.mode === 'standalone') return true;
    // WAIT answers within its own bound; ROLE before it is one round trip.
    const ms = Math.max(1, Math.floor((timeoutMs ?? this.timeoutMs) * 0.7));
    return this.use(key, (b) => b.durable(key, ms), timeoutMs);
  }

  /** The topology found, in one line (the Test button shows it). */
  async topology(timeoutMs?: number): Promise<string> {
    const text = await this.use(undefined, (b) => b.topology(), timeoutMs);
    return this.failovers ? `${text}; ${this.failovers} failover(s) seen` : text;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    releaseSentinelNoise(this);
    try {
      if (this.backend) this.backend.destroy();
    } catch {
      // already closed
    }
  }

  /** Resolves when the first connection attempt has ended (connected or not), or after `ms`. */
  private settled(ms: number): Promise<void> {
    if (this.current !== 'connecting') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const off = this.onState(done);
      function done() {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  }

  private run(firstKey: string | undefined, args: string[], timeoutMs?: number): Promise<unknown> {
    return this.use(firstKey, (b) => b.send(firstKey, args), timeoutMs);
  }

  /** One command, refused at once when not connected and bounded by a timeout. */
  private async use<T>(
    _firstKey: string | undefined,
    command: (backend: Backend) => Promise<T>,
    timeoutMs = this.timeoutMs,
  ): Promise<T> {
    if (this.closed) throw new StoreUnavailableError(this.label, 'closed');
    // Just deployed: give the first connection its chance before calling the store away.
    const started = Date.now();
    await this.started;
    await this.settled(timeoutMs);
    timeoutMs = Math.max(1, timeoutMs - (Date.now() - started));
    const backend = this.backend;
    if (!backend || !backend.ready || this.closed) {
      this.failed();
      throw new StoreUnavailableError(this.label, this.reason ?? 'not connected');
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.failed();
          reject(new StoreUnavailableError(this.label, `no answer within ${timeoutMs} ms`));
        },
        Math.max(1, timeoutMs),
      );
      // Attach both handlers before anything can settle: a late rejection is never unhandled.
      command(backend).then(
        (value) => {
          clearTimeout(timer);
          this.failures = 0;
          if (this.current !== 'up' && backend.ready) this.setState('up');
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          // A script error (a reply) is the caller's; anything else means the store is not usable.
          if (backend.isReply(err) && /^NOAUTH\b/.test((err as Error).message)) {
            reject(new StoreUnavailableError(this.label, NEEDS_PASSWORD));
          } else if (
            backend.isReply(err) &&
            !/^(READONLY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|LOADING)\b/.test((err as Error).message)
          ) {
            this.failures = 0;
            reject(err);
          } else {
            this.failed();
            reject(new StoreUnavailableError(this.label, reasonOf(err)));
          }
        },
      );
    });
  }

  /** A command failed for want of a usable server: after a run of them, discover the topology again. */
  private failed(): void {
    if (this.failures++ === 0) this.failingSince = Date.now();
    if (
      this.mode === 'standalone' ||
      this.closed ||
      !this.redis ||
      this.failures < REDISCOVER_AFTER ||
      Date.now() - this.failingSince < REDISCOVER_MS
    ) {
      return;
    }
    this.failures = 0;
    const old = this.backend;
    this.backend = undefined;
    this.backend = this.build(this.redis);
    if (old) {
      try {
        old.destroy();
      } catch {
        // gone already
      }
    }
  }

  private failover(text: string): void {
    this.failovers++;
    for (const l of this.listeners) l('up', `failover: ${text}`);
  }

  private reason: string | undefined;

  private setState(state: StoreState, reason?: string): void {
    if (this.closed) return;
    if (reason) this.reason = reason;
    if (state === this.current) return;
    this.current = state;
    for (const l of this.listeners) l(state, reason);
  }
}
