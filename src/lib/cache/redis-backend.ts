/**
 * Cached responses in the shared store (Redis), for every instance of a datasource. Nothing is
 * readable there: the key names are keyed digests (HMAC) of the cache key, and each value is
 * sealed with AES-256-GCM under a key derived with HKDF from Node-RED's credential secret, the
 * key name as associated data (a value moved to another key does not open). Each entry lives
 * as long as it is usable (its Redis TTL).
 *
 * Invalidation (a successful unsafe request) writes a new random *generation* for the URL;
 * entries carry the generation they were stored under and count only while it is current.
 *
 * Keys: `<prefix>cache:<datasource id>:<digest>` (entries) and `…:g:<digest>` (generations).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { SharedStore } from '../shared/store';
import { hashTag } from '../shared/store';
import type { StoredRecord, StoredResponse } from './stored';
import { fromRecord, toRecord } from './stored';

const FORMAT = 'c1';
/** How long an invalidation is remembered (entries stored before it stay unusable anyway). */
const GENERATION_TTL_MS = 30 * 24 * 3600 * 1000;

/** The two keys of the shared cache: one seals values, one names keys. */
export interface SharedCacheKeys {
  seal: Buffer;
  names: Buffer;
}

export function deriveCacheKeys(credentialSecret: string): SharedCacheKeys {
  const derive = (info: string) =>
    Buffer.from(hkdfSync('sha256', credentialSecret, 'node-red-contrib-rest-datasource', info, 32));
  return { seal: derive(`shared cache values ${FORMAT}`), names: derive(`shared cache names ${FORMAT}`) };
}

interface SealedEntry {
  /** the URL's generation when stored */
  g: string;
  v: Array<StoredRecord & { b: string }>;
}

export interface SharedRead {
  variants?: StoredResponse[];
  generation: string;
}

/** The shared side of one datasource's cache. Every call may reject (store down): the caller goes on locally. */
export interface SharedCache {
  read(primary: string, urlId: string): Promise<SharedRead>;
  write(primary: string, urlId: string, variants: StoredResponse[], ttlMs: number, generation?: string): Promise<void>;
  invalidate(urlId: string): Promise<void>;
}

export class RedisCacheBackend implements SharedCache {
  constructor(
    private readonly store: SharedStore,
    private readonly datasourceId: string,
    private readonly keys: SharedCacheKeys,
    private readonly timeoutMs: number,
  ) {}

  /** A key name's last part: the keyed digest of a cache key, so no URL shows in Redis. */
  private name(text: string): string {
    return createHmac('sha256', this.keys.names).update(text).digest('base64url');
  }

  private entryKey(primary: string): string {
    return this.store.key('cache', hashTag(this.datasourceId), this.name(primary));
  }

  private generationKey(urlId: string): string {
    return this.store.key('cache', hashTag(this.datasourceId), 'g', this.name(urlId));
  }

  async read(primary: string, urlId: string): Promise<SharedRead> {
    const key = this.entryKey(primary);
    const [sealed, generation = ''] = await Promise.all([
      this.store.get(key, this.timeoutMs),
      this.store.get(this.generationKey(urlId), this.timeoutMs),
    ]);
    if (!sealed) return { generation };
    const entry = open(this.keys.seal, key, sealed);
    if (!entry || entry.g !== generation) return { generation };
    return { generation, variants: entry.v.map((r) => fromRecord(r, Buffer.from(r.b, 'base64'))) };
  }

  async write(
    primary: string,
    urlId: string,
    variants: StoredResponse[],
    ttlMs: number,
    generation?: string,
  ): Promise<void> {
    if (ttlMs <= 0) return;
    const g = generation ?? (await this.store.get(this.generationKey(urlId), this.timeoutMs)) ?? '';
    const key = this.entryKey(primary);
    const entry: SealedEntry = { g, v: variants.map((s) => ({ ...toRecord(s), b: s.body.toString('base64') })) };
    await this.store.set(key, seal(this.keys.seal, key, entry), { ttlMs, timeoutMs: this.timeoutMs });
  }

  async invalidate(urlId: string): Promise<void> {
    await this.store.set(this.generationKey(urlId), randomBytes(12).toString('base64url'), {
      ttlMs: GENERATION_TTL_MS,
      timeoutMs: this.timeoutMs,
    });
  }
}

function seal(key: Buffer, name: string, entry: SealedEntry): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(name, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(entry), 'utf8'), cipher.final()]);
  return `${FORMAT}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

/** The entry, or undefined when sealed with another key (another credential secret) or damaged. */
function open(key: Buffer, name: string, sealed: string): SealedEntry | undefined {
  if (!sealed.startsWith(FORMAT + '.')) return undefined;
  try {
    const raw = Buffer.from(sealed.slice(FORMAT.length + 1), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(name, 'utf8'));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    const parsed = JSON.parse(text) as SealedEntry;
    return parsed && typeof parsed.g === 'string' && Array.isArray(parsed.v) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
