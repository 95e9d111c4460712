/**
 * OAuth token sets as the shared store keeps them: AES-256-GCM under a key derived with HKDF
 * from Node-RED's credential secret (the key of flows_cred.json), bound to the record's key
 * name, with a version the store increments atomically on every write so a reader can tell a
 * newer token set from its own. The store never sees a token in clear text.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { TokenSet } from '../oauth/tokens';
import type { SharedStore } from './store';

/** A token set and when it was obtained (every instance then refreshes at the same moment). */
export interface SharedTokenSet {
  tokens: TokenSet;
  issuedAt: number;
}

export interface TokenRecord extends SharedTokenSet {
  version: number;
}

/** Read outcome for a record that exists but was sealed with another key. */
export const UNREADABLE = 'unreadable';

const FORMAT = 'v1';
/** Records nobody refreshed for this long disappear. */
const RECORD_TTL_MS = 30 * 24 * 3600 * 1000;

/**
 * Increment the version and store the sealed data (and, in clear, when the set was obtained)
 * in one step; answers the new version. With ARGV[4] = '1' only a set obtained later than the
 * stored one is written (republishing after an outage), else answers -1.
 */
const WRITE = `if ARGV[4] == '1' and tonumber(redis.call('HGET', KEYS[1], 'i') or '0') >= tonumber(ARGV[3]) then return -1 end
local v = redis.call('HINCRBY', KEYS[1], 'v', 1)
redis.call('HSET', KEYS[1], 'd', ARGV[1], 'i', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return v`;
const READ = `return redis.call('HMGET', KEYS[1], 'v', 'd')`;

export function deriveRecordKey(credentialSecret: string): Buffer {
  return Buffer.from(
    hkdfSync('sha256', credentialSecret, 'node-red-contrib-rest-datasource', 'shared token record ' + FORMAT, 32),
  );
}

export function sealTokens(key: Buffer, recordKey: string, value: SharedTokenSet): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(recordKey, 'utf8'));
  const plain = JSON.stringify({ tokens: value.tokens, issuedAt: value.issuedAt });
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${FORMAT}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

/** The sealed set, or undefined when it was sealed with another key or is damaged. */
export function openTokens(key: Buffer, recordKey: string, sealed: string): SharedTokenSet | undefined {
  if (!sealed.startsWith(FORMAT + '.')) return undefined;
  try {
    const raw = Buffer.from(sealed.slice(FORMAT.length + 1), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(recordKey, 'utf8'));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    const parsed = JSON.parse(text) as Partial<SharedTokenSet>;
    const tokens = parsed.tokens;
    if (!tokens || typeof tokens.accessToken !== 'string' || typeof parsed.issuedAt !== 'number') return undefined;
    return { tokens, issuedAt: parsed.issuedAt };
  } catch {
    return undefined;
  }
}

/** The token records of one store, sealed with one key. */
export class TokenRecords {
  constructor(
    private readonly store: SharedStore,
    private readonly key: Buffer,
  ) {}

  async read(recordKey: string, timeoutMs?: number): Promise<TokenRecord | typeof UNREADABLE | undefined> {
    const answer = await this.store.script(READ, [recordKey], [], timeoutMs);
    if (!Array.isArray(answer)) return undefined;
    const [v, d] = answer as Array<string | null>;
    if (typeof d !== 'string') return undefined;
    const opened = openTokens(this.key, recordKey, d);
    if (!opened) return UNREADABLE;
    return { ...opened, version: Number(v) || 0 };
  }

  /**
   * Store a token set; answers its version. `onlyIfNewer`: unless the stored set was obtained
   * at the same time or later (answers undefined then).
   */
  async write(
    recordKey: string,
    value: SharedTokenSet,
    onlyIfNewer = false,
    timeoutMs?: number,
  ): Promise<number | undefined> {
    const sealed = sealTokens(this.key, recordKey, value);
    const args = [sealed, String(RECORD_TTL_MS), String(value.issuedAt), onlyIfNewer ? '1' : '0'];
    const version = Number(await this.store.script(WRITE, [recordKey], args, timeoutMs));
    return version < 0 ? undefined : version;
  }
}
