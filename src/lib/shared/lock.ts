/**
 * A lock several instances contend for: `SET key owner NX PX ttl` with a random owner token,
 * released by compare-and-delete, so an instance never frees a lock that expired and was taken
 * by another. A holder that dies is covered by the expiry.
 */
import { randomBytes } from 'node:crypto';
import type { SharedStore } from './store';

/** Delete the key only while it still holds our owner token. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export interface HeldLock {
  readonly key: string;
  readonly owner: string;
  release(): Promise<void>;
}

/** Try once to take the lock; undefined when another instance holds it. */
export async function tryLock(
  store: SharedStore,
  key: string,
  ttlMs: number,
  timeoutMs?: number,
): Promise<HeldLock | undefined> {
  const owner = randomBytes(16).toString('base64url');
  const taken = await store.set(key, owner, { ttlMs, onlyIfAbsent: true, timeoutMs });
  if (!taken) return undefined;
  return {
    key,
    owner,
    async release() {
      try {
        await store.script(RELEASE, [key], [owner], timeoutMs);
      } catch {
        // The store went away: the lock expires by itself.
      }
    },
  };
}

/** Whether anybody holds the lock now. */
export async function isLocked(store: SharedStore, key: string, timeoutMs?: number): Promise<boolean> {
  return (await store.get(key, timeoutMs)) !== undefined;
}
