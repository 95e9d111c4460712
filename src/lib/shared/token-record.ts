/**
 * OAuth token sets as the shared store keeps them: AES-256-GCM under a key derived with HKDF
 * from Node-RED's credential secret (the key of flows_cred.json). The authenticated data binds
 * the format, the key prefix, the record's key name (which holds the datasource id and the
 * settings fingerprint), the record's version and when the set was obtained: a record moved to
 * another key, or given another version or time, does not open. The store never sees a token in
 * clear text.
 *
 * Versions only grow: a write names its version (higher than the stored one, or it is refused),
 * and a reader refuses a record older than the newest it has seen for that key, so a Redis
 * writer cannot roll the record back to an older token set (whose refresh token is spent).
 * A write made under the refresh lock is fenced: it lands only while the lock still holds the
 * writer's owner token and no later holder (a higher fencing number) wrote the record.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { TokenSet } from '../oauth/tokens';
import type { SharedStore } from './store';
import { StoreUnavailableError } from './store';

/** A token set and when it was obtained (every instance then refreshes at the same moment). */
export interface SharedTokenSet {
  tokens: TokenSet;
  issuedAt: number;
}

export interface TokenRecord extends SharedTokenSet {
  version: number;
}

/** Read outcome for a record that exists but does not open (another key, damaged, moved, altered). */
export const UNREADABLE = 'unreadable';
/** Read outcome for a record older than one this instance has seen for the key (rolled back). */
export const ROLLED_BACK = 'rolled-back';

/** Who writes under the refresh lock: its key, owner token and fencing number. */
export interface LockFence {
  readonly key: string;
  readonly owner: string;
  readonly fence: number;
}

/** Why a write did not land. */
export type WriteRefusal = 'newer' | 'fenced';

const FORMAT = 'v2';
/** Records nobody refreshed for this long disappear. */
export const RECORD_TTL_MS = 30 * 24 * 3600 * 1000;
const WRITE_TRIES = 3;

/**
 * KEYS[1] the record, KEYS[2] the refresh lock (same hash slot). ARGV: 1 sealed data, 2 ttl,
 * 3 issuedAt, 4 '1' = only when obtained later than the stored set, 5 the new version, 6 the
 * lock owner ('' = not under the lock), 7 the fencing number. Answers {result, stored version}:
 * result is the version written, -1 when the stored version is as high (ask again higher), -2
 * when the stored set is as new, -3 when the write is fenced off (the lock is not ours, or a
 * later holder wrote).
 */
const WRITE = `local cur = tonumber(redis.call('HGET', KEYS[1], 'v') or '0') or 0
if tonumber(ARGV[5]) <= cur then return {-1, cur} end
if ARGV[4] == '1' and (tonumber(redis.call('HGET', KEYS[1], 'i') or '0') or 0) >= tonumber(ARGV[3]) then return {-2, cur} end
if ARGV[6] ~= '' then
  if redis.call('GET', KEYS[2]) ~= ARGV[6] then return {-3, cur} end
  if (tonumber(redis.call('HGET', KEYS[1], 'f') or '0') or 0) > tonumber(ARGV[7]) then return {-3, cur} end
end
redis.call('HSET', KEYS[1], 'v', ARGV[5], 'd', ARGV[1], 'i', ARGV[3], 'f', ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {tonumber(ARGV[5]), cur}`;
const READ = `return redis.call('HMGET', KEYS[1], 'v', 'd')`;

export function deriveRecordKey(credentialSecret: string): Buffer {
  return Buffer.from(
    hkdfSync('sha256', credentialSecret, 'node-red-contrib-rest-datasource', 'shared token record ' + FORMAT, 32),
  );
}

/** The authenticated data of a record: everything a reader relies on besides the tokens. */
function associatedData(prefix: string, recordKey: string, version: number, issuedAt: number): Buffer {
  return Buffer.from(JSON.stringify([FORMAT, prefix, recordKey, version, issuedAt]), 'utf8');
}

export function sealTokens(key: Buffer, prefix: string, recordKey: string, value: TokenRecord): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedData(prefix, recordKey, value.version, value.issuedAt));
  const body = Buffer.concat([cipher.update(JSON.stringify(value.tokens), 'utf8'), cipher.final()]);
  const head = Buffer.from(JSON.stringify([value.version, value.issuedAt]), 'utf8');
  return `${FORMAT}.${head.toString('base64url')}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
}

/** The sealed record, or undefined when it was sealed with another key, elsewhere, or altered. */
export function openTokens(key: Buffer, prefix: string, recordKey: string, sealed: string): TokenRecord | undefined {
  const parts = sealed.split('.');
  if (parts.length !== 3 || parts[0] !== FORMAT) return undefined;
  try {
    const head = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(head) || !Number.isSafeInteger(head[0]) || typeof head[1] !== 'number') return undefined;
    const [version, issuedAt] = head as [number, number];
    const raw = Buffer.from(parts[2], 'base64url');
    if (raw.length < 28) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12), { authTagLength: 16 });
    decipher.setAAD(associatedData(prefix, recordKey, version, issuedAt));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    const tokens = JSON.parse(text) as TokenSet;
    if (!tokens || typeof tokens.accessToken !== 'string') return undefined;
    return { tokens, issuedAt, version };
  } catch {
    return undefined;
  }
}

/**
 * The newest version each instance has seen per record, for the life of the process (a
 * redeploy keeps it): `<store>|<record key>` → version.
 */
const newestSeen = new Map<string, number>();

/** The token records of one store, sealed with one key. */
export class TokenRecords {
  constructor(
    private readonly store: SharedStore,
    private readonly key: Buffer,
  ) {}

  /** The lock key of a record (same hash slot: the write checks it in one script). */
  static lockKey(recordKey: string): string {
    return recordKey + ':lock';
  }

  /** The newest version this process has seen of the record (0: none). */
  newest(recordKey: string): number {
    return newestSeen.get(this.seenKey(recordKey)) ?? 0;
  }

  async read(
    recordKey: string,
    timeoutMs?: number,
  ): Promise<TokenRecord | typeof UNREADABLE | typeof ROLLED_BACK | undefined> {
    const answer = await this.store.script(READ, [recordKey], [], timeoutMs);
    if (!Array.isArray(answer)) return undefined;
    const d = (answer as Array<string | null>)[1];
    if (typeof d !== 'string') return undefined;
    const opened = openTokens(this.key, this.store.prefix, recordKey, d);
    if (!opened) return UNREADABLE;
    if (opened.version < this.newest(recordKey)) return ROLLED_BACK;
    this.saw(recordKey, opened.version);
    return opened;
  }

  /**
   * Store a token set; answers its version, or why it was not written: `newer` (with
   * `onlyIfNewer`, the stored set was obtained at the same time or later), `fenced` (`lock` is
   * no longer held by this writer).
   */
  async write(
    recordKey: string,
    value: SharedTokenSet,
    options: { onlyIfNewer?: boolean; lock?: LockFence; timeoutMs?: number } = {},
  ): Promise<number | WriteRefusal> {
    let version = this.newest(recordKey) + 1;
    for (let i = 0; ; i++) {
      const sealed = sealTokens(this.key, this.store.prefix, recordKey, { ...value, version });
      const args = [
        sealed,
        String(RECORD_TTL_MS),
        String(value.issuedAt),
        options.onlyIfNewer ? '1' : '0',
        String(version),
        options.lock?.owner ?? '',
        String(options.lock?.fence ?? 0),
      ];
      const keys = [recordKey, options.lock?.key ?? TokenRecords.lockKey(recordKey)];
      const answer = await this.store.script(WRITE, keys, args, options.timeoutMs);
      const [result, stored] = Array.isArray(answer) ? answer.map(Number) : [NaN, NaN];
      if (result > 0) {
        this.saw(recordKey, result);
        return result;
      }
      if (result === -2) return 'newer';
      if (result === -3) return 'fenced';
      // -1: another writer got there first (or a Redis writer raised the clear version): the
      // next version above it, sealed again.
      if (!(stored >= 0) || i + 1 >= WRITE_TRIES)
        throw new StoreUnavailableError(this.store.label, `the token record ${recordKey} kept changing`);
      version = Math.max(version, stored) + 1;
    }
  }

  private seenKey(recordKey: string): string {
    return `${this.store.label}|${recordKey}`;
  }

  private saw(recordKey: string, version: number): void {
    if (version > this.newest(recordKey)) newestSeen.set(this.seenKey(recordKey), version);
  }
}
