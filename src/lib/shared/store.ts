/**
 * The shared store as the rest of the package sees it: a few Redis-shaped primitives on keys
 * below one prefix, each bounded in time. A backend that cannot answer (down, slow, not yet
 * connected) rejects with StoreUnavailableError and never waits past the given timeout.
 */

/** [`rest-datasource:`] the contract's default `keyPrefix`. */
export const DEFAULT_KEY_PREFIX = 'rest-datasource:';

/**
 * A Redis Cluster hash tag: keys that contain the same `{tag}` (the first braces of the key)
 * live in the same slot, so one Lua script may use them all. Every key of one datasource carries
 * its id so: `<prefix>oauth:{<id>}:…`, `<prefix>rate:{<id>}`. A prefix with braces of its own
 * puts every key in one slot (still correct, only not spread over the cluster).
 */
export function hashTag(id: string): string {
  return `{${id.replace(/[{}]/g, '_')}}`;
}

export type StoreState = 'connecting' | 'up' | 'down';

export class StoreUnavailableError extends Error {
  constructor(
    /** The store as people may read it (URL without credentials). */
    readonly store: string,
    reason: string,
  ) {
    super(`the shared store ${store} is unavailable (${reason})`);
    this.name = 'StoreUnavailableError';
  }
}

export interface SharedStore {
  /** The store for messages: its URL without credentials. */
  readonly label: string;
  /** The prefix every key of this package starts with. */
  readonly prefix: string;
  readonly state: StoreState;
  /** Be told when the state changes (`reason` names the cause of an outage, never a secret). */
  onState(listener: (state: StoreState, reason?: string) => void): () => void;
  ping(timeoutMs?: number): Promise<void>;
  get(key: string, timeoutMs?: number): Promise<string | undefined>;
  /** SET; with `onlyIfAbsent` it is SET NX and answers whether it was set. */
  set(
    key: string,
    value: string,
    options?: { ttlMs?: number; onlyIfAbsent?: boolean; timeoutMs?: number },
  ): Promise<boolean>;
  del(key: string, timeoutMs?: number): Promise<void>;
  /** Run a Lua script atomically on `keys` (full key names, see `key`). */
  script(lua: string, keys: string[], args: string[], timeoutMs?: number): Promise<unknown>;
  /**
   * Whether the writes made so far on `key`'s primary would survive a failover (WAIT: a replica
   * acknowledged them, or the primary has none to promote). Absent or true for one endpoint.
   */
  durable?(key: string, timeoutMs?: number): Promise<boolean>;
  /** The topology found (primary and replicas, or cluster nodes and slots), in one line. */
  topology?(timeoutMs?: number): Promise<string>;
  /** The full key name of `name`: the prefix and the name. */
  key(...parts: string[]): string;
  close(): Promise<void>;
}
