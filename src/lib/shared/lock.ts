/**
 * A lock several instances contend for: `SET key owner NX PX ttl` with a random owner token,
 * released by compare-and-delete, so an instance never frees a lock that expired and was taken
 * by another. Each acquisition also draws a fencing number (INCR of `<key>:fence`, same hash
 * slot, same script): writes made under the lock name owner and number and are refused once a
 * later holder exists (see token-record.ts). A holder that dies is covered by the expiry; a
 * holder that works longer than one lease extends it while it works (`keepAlive`).
 */
import { randomBytes } from 'node:crypto';
import type { SharedStore } from './store';
import type { LockFence } from './token-record';

/** Take the lock and draw the next fencing number; 0 when another instance holds it. */
const ACQUIRE = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local f = redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  return f
end
return 0`;
/** Delete the key only while it still holds our owner token. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
/** Extend the lease only while the key still holds our owner token. */
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

/** How long the fencing counter outlives its last use. */
const FENCE_TTL_MS = 30 * 24 * 3600 * 1000;

export interface HeldLock extends LockFence {
  /** Extend the lease to `ttlMs` from now; false when the lock is no longer ours (or the store did not answer). */
  extend(ttlMs: number): Promise<boolean>;
  /** Extend the lease every third of it until release; `onLost` is told when an extension finds the lock gone. */
  keepAlive(ttlMs: number, onLost?: () => void): void;
  release(): Promise<void>;
}

export const fenceKey = (lockKey: string): string => lockKey + ':fence';

/** Try once to take the lock; undefined when another instance holds it. */
export async function tryLock(
  store: SharedStore,
  key: string,
  ttlMs: number,
  timeoutMs?: number,
): Promise<HeldLock | undefined> {
  const owner = randomBytes(16).toString('base64url');
  const fence = Number(
    await store.script(
      ACQUIRE,
      [key, fenceKey(key)],
      [owner, String(Math.max(1, Math.round(ttlMs))), String(FENCE_TTL_MS)],
      timeoutMs,
    ),
  );
  if (!(fence > 0)) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  const lock: HeldLock = {
    key,
    owner,
    fence,
    async extend(ms: number) {
      try {
        return Number(await store.script(EXTEND, [key], [owner, String(Math.max(1, Math.round(ms)))])) === 1;
      } catch {
        return false;
      }
    },
    keepAlive(ms: number, onLost?: () => void) {
      stop();
      timer = setInterval(
        () =>
          void lock.extend(ms).then((held) => {
            if (!held && timer && onLost) onLost();
          }),
        Math.max(10, Math.floor(ms / 3)),
      );
      timer.unref();
    },
    async release() {
      stop();
      try {
        await store.script(RELEASE, [key], [owner], timeoutMs);
      } catch {
        // The store went away: the lock expires by itself.
      }
    },
  };
  return lock;
}

/** Whether anybody holds the lock now. */
export async function isLocked(store: SharedStore, key: string, timeoutMs?: number): Promise<boolean> {
  return (await store.get(key, timeoutMs)) !== undefined;
}
