/**
 * The Redis (or Valkey) backend of the shared store, on node-redis' core client
 * (@redis/client). Commands fail at once while the connection is down (no offline queue, so
 * nothing piles up for a server that is gone), every command is bounded by a timeout, and the
 * client reconnects by itself with a capped back-off.
 */
import { createHash } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import type * as Redis from '@redis/client';
import { configError } from '../errors';
import type { SharedStore, StoreState } from './store';
import { StoreUnavailableError } from './store';

/** What a NOAUTH reply means to the person who set up the node. */
const NEEDS_PASSWORD =
  'the server needs a password (NOAUTH): enter the Password of the shared store, and the Username for an ACL user';

/** The default bound of one command. */
export const COMMAND_TIMEOUT_MS = 2000;
const CONNECT_TIMEOUT_MS = 3000;
const MAX_RECONNECT_DELAY_MS = 2000;

export interface RedisStoreOptions {
  url: string;
  keyPrefix: string;
  username?: string;
  password?: string;
  /** TLS options for `rediss://` (CA, client certificate, verification). */
  tls?: ConnectionOptions;
  commandTimeoutMs?: number;
}

export interface RedisAddress {
  host: string;
  port: number;
  tls: boolean;
  database: number;
  /** The URL without user or password. */
  label: string;
}

/** Parse and check a store URL; the URL is part of the flow, so it must not carry a password. */
export function parseStoreUrl(text: string): RedisAddress {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw configError(
      'url',
      `must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379, got ${JSON.stringify(text)}`,
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw configError('url', `must start with redis:// or rediss:// (TLS), got ${url.protocol}//`);
  }
  if (url.password || url.username) {
    throw configError(
      'url',
      'must not contain a user or password (the URL is saved in the flow); use the Username and Password fields',
    );
  }
  if (!url.hostname) throw configError('url', 'names no host, for example redis://127.0.0.1:6379');
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) {
    throw configError('url', `the path must be a database number such as /0, got ${url.pathname}`);
  }
  const port = url.port ? Number(url.port) : 6379;
  const tls = url.protocol === 'rediss:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port, tls, database: db, label: `${url.protocol}//${url.host}${db ? '/' + db : ''}` };
}

type RedisModule = typeof Redis;
type RedisClient = ReturnType<RedisModule['createClient']>;
let redisModule: Promise<RedisModule> | undefined;

/** The client library, loaded with the first store: a flow without one never pays for it. */
function loadRedis(): Promise<RedisModule> {
  if (!redisModule) redisModule = import('@redis/client');
  return redisModule;
}

export class RedisStore implements SharedStore {
  readonly label: string;
  readonly prefix: string;
  private current: StoreState = 'connecting';
  private readonly listeners = new Set<(state: StoreState, reason?: string) => void>();
  private client: RedisClient | undefined;
  private isReply: (err: unknown) => boolean = () => false;
  /** Settles when the client exists (the library is loaded). */
  private readonly started: Promise<void>;
  private readonly timeoutMs: number;
  private readonly shas = new Map<string, string>();
  private closed = false;

  constructor(o: RedisStoreOptions) {
    const address = parseStoreUrl(o.url);
    this.label = address.label;
    this.prefix = o.keyPrefix;
    this.timeoutMs = o.commandTimeoutMs ?? COMMAND_TIMEOUT_MS;
    const reconnectStrategy = (retries: number) => Math.min(100 * 2 ** Math.min(retries, 5), MAX_RECONNECT_DELAY_MS);
    const common = { host: address.host, port: address.port, connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy };
    this.started = loadRedis().then(
      (redis) => {
        if (this.closed) return;
        const client: RedisClient = redis.createClient({
          socket: address.tls
            ? { ...o.tls, ...common, tls: true, servername: o.tls?.servername ?? address.host }
            : { ...common, tls: false },
          username: o.username || undefined,
          password: o.password || undefined,
          database: address.database || undefined,
          disableOfflineQueue: true,
          pingInterval: 10000,
        });
        this.isReply = (err) => err instanceof redis.ErrorReply;
        client.on('ready', () => this.setState('up'));
        client.on('error', (err: unknown) => this.setState('down', reasonOf(err)));
        client.on('end', () => {
          if (!this.closed) this.setState('down', 'connection closed');
        });
        this.client = client;
        client.connect().catch((err: unknown) => this.setState('down', reasonOf(err)));
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
    await this.run((c) => c.ping(), timeoutMs);
  }

  async get(key: string, timeoutMs?: number): Promise<string | undefined> {
    const value = await this.run((c) => c.get(key), timeoutMs);
    return typeof value === 'string' ? value : undefined;
  }

  async set(
    key: string,
    value: string,
    options: { ttlMs?: number; onlyIfAbsent?: boolean; timeoutMs?: number } = {},
  ): Promise<boolean> {
    const answer = await this.run(
      (c) =>
        c.set(key, value, {
          ...(options.ttlMs
            ? { expiration: { type: 'PX' as const, value: Math.max(1, Math.round(options.ttlMs)) } }
            : {}),
          ...(options.onlyIfAbsent ? { condition: 'NX' as const } : {}),
        }),
      options.timeoutMs,
    );
    return answer === 'OK';
  }

  async del(key: string, timeoutMs?: number): Promise<void> {
    await this.run((c) => c.del(key), timeoutMs);
  }

  /** EVALSHA with the script's digest, loading it once when the server does not know it yet. */
  async script(lua: string, keys: string[], args: string[], timeoutMs?: number): Promise<unknown> {
    let sha = this.shas.get(lua);
    if (!sha) {
      sha = createHash('sha1').update(lua).digest('hex');
      this.shas.set(lua, sha);
    }
    const digest = sha;
    try {
      return await this.run((c) => c.evalSha(digest, { keys, arguments: args }), timeoutMs);
    } catch (err) {
      if (!(err instanceof Error) || !/NOSCRIPT/.test(err.message)) throw err;
      return this.run((c) => c.eval(lua, { keys, arguments: args }), timeoutMs);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    try {
      if (this.client) this.client.destroy();
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

  /** One command, refused at once when not connected and bounded by a timeout. */
  private async run<T>(command: (client: RedisClient) => Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    if (this.closed) throw new StoreUnavailableError(this.label, 'closed');
    // Just deployed: give the first connection its chance before calling the store away.
    const started = Date.now();
    await this.started;
    await this.settled(timeoutMs);
    timeoutMs = Math.max(1, timeoutMs - (Date.now() - started));
    const client = this.client;
    if (!client || !client.isReady || this.closed) {
      throw new StoreUnavailableError(this.label, this.reason ?? 'not connected');
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new StoreUnavailableError(this.label, `no answer within ${timeoutMs} ms`)),
        Math.max(1, timeoutMs),
      );
      command(client).then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          // A script error (a reply) is the caller's; anything else means the store is not usable.
          if (this.isReply(err) && /^NOAUTH\b/.test((err as Error).message)) {
            reject(new StoreUnavailableError(this.label, NEEDS_PASSWORD));
          } else if (this.isReply(err)) reject(err);
          else reject(new StoreUnavailableError(this.label, reasonOf(err)));
        },
      );
    });
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

function reasonOf(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
