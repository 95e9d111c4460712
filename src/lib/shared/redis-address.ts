/**
 * Where a shared store connects, checked as the flow gives it: a `redis://` URL (standalone), or
 * a list of `host:port` nodes (the sentinels, or cluster nodes to start from). Nothing here may
 * carry a password: these settings are saved in the flow.
 */
import { configError } from '../errors';

export type StoreMode = 'standalone' | 'sentinel' | 'cluster';
export const STORE_MODES: readonly StoreMode[] = ['standalone', 'sentinel', 'cluster'];

export interface RedisAddress {
  host: string;
  port: number;
  tls: boolean;
  database: number;
  /** The URL without user or password. */
  label: string;
}

export interface HostPort {
  host: string;
  port: number;
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

/**
 * `host:port` entries separated by commas or white space (`[::1]:26379` for IPv6); a missing
 * port is `defaultPort` (26379 for sentinels, 6379 for cluster nodes).
 */
export function parseNodes(text: string, defaultPort: number): HostPort[] {
  const entries = String(text ?? '')
    .split(/[\s,]+/)
    .filter((e) => e !== '');
  if (entries.length === 0) {
    throw configError(
      'nodes',
      `lists no node; give host:port entries such as 10.0.0.5:${defaultPort}, 10.0.0.6:${defaultPort}`,
    );
  }
  return entries.map((entry) => {
    if (/[@/]/.test(entry)) {
      throw configError(
        'nodes',
        // Not echoed: what stands before an @ may be a password.
        'takes host:port entries only (no scheme, user or password): put credentials in the Username and Password fields',
      );
    }
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(entry);
    const port = m && m[3] ? Number(m[3]) : defaultPort;
    if (!m || port < 1 || port > 65535) {
      throw configError('nodes', `${JSON.stringify(entry)} is not host:port, for example 10.0.0.5:${defaultPort}`);
    }
    return { host: m[1] ?? m[2], port };
  });
}

export function checkMode(mode: unknown): StoreMode {
  const m = mode === undefined || mode === '' ? 'standalone' : mode;
  if (!STORE_MODES.includes(m as StoreMode)) {
    throw configError('mode', `must be standalone, sentinel or cluster, got ${JSON.stringify(mode)}`);
  }
  return m as StoreMode;
}

export const nodesLabel = (nodes: HostPort[]): string =>
  nodes.map((n) => (n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`)).join(',');
