/**
 * The stored responses one instance keeps in memory: a few variants (Vary) per key, the least
 * recently used key dropped first once the bodies and headers exceed `maxBytes`. A hit hands
 * out the stored Buffer itself (no copy here); whoever gives it to a flow copies it.
 */
import type { StoredResponse } from './stored';

/** Variants of one URL kept at once (different Accept, Accept-Language ... values). */
export const MAX_VARIANTS = 4;

interface Slot {
  urlId: string;
  variants: StoredResponse[];
  bytes: number;
}

export class MemoryLru {
  /** Insertion order is recency: a used key is moved to the end. */
  private readonly slots = new Map<string, Slot>();
  private readonly byUrl = new Map<string, Set<string>>();
  private total = 0;

  constructor(private readonly maxBytes: number) {}

  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.slots.size;
  }

  variants(primary: string): readonly StoredResponse[] | undefined {
    const slot = this.slots.get(primary);
    if (!slot) return undefined;
    this.slots.delete(primary);
    this.slots.set(primary, slot);
    return slot.variants;
  }

  /** Store `entry`, replacing `replaces` (the variant it updates) or the variant with the same Vary values. */
  put(primary: string, urlId: string, entry: StoredResponse, replaces?: StoredResponse): void {
    if (entry.bytes > this.maxBytes) {
      if (replaces) this.remove(primary, replaces);
      return;
    }
    let slot = this.slots.get(primary);
    if (slot) this.slots.delete(primary);
    else slot = { urlId, variants: [], bytes: 0 };
    const kept = slot.variants.filter((v) => v !== replaces);
    kept.unshift(entry);
    if (kept.length > MAX_VARIANTS) kept.length = MAX_VARIANTS;
    this.total -= slot.bytes;
    slot.variants = kept;
    slot.bytes = kept.reduce((n, v) => n + v.bytes, 0);
    this.total += slot.bytes;
    this.slots.set(primary, slot);
    let ids = this.byUrl.get(urlId);
    if (!ids) this.byUrl.set(urlId, (ids = new Set()));
    ids.add(primary);
    this.evict();
  }

  /** Set every variant of `primary` at once (as read from the shared store). */
  replaceAll(primary: string, urlId: string, variants: StoredResponse[]): void {
    this.drop(primary);
    for (const v of variants.slice().reverse()) this.put(primary, urlId, v);
  }

  remove(primary: string, entry: StoredResponse): void {
    const slot = this.slots.get(primary);
    if (!slot) return;
    const kept = slot.variants.filter((v) => v !== entry);
    if (!kept.length) return this.drop(primary);
    this.total -= slot.bytes;
    slot.variants = kept;
    slot.bytes = kept.reduce((n, v) => n + v.bytes, 0);
    this.total += slot.bytes;
  }

  /** Forget every entry of a URL (an unsafe request changed it). */
  invalidate(urlId: string): void {
    const ids = this.byUrl.get(urlId);
    if (!ids) return;
    for (const primary of [...ids]) this.drop(primary);
  }

  clear(): void {
    this.slots.clear();
    this.byUrl.clear();
    this.total = 0;
  }

  private drop(primary: string): void {
    const slot = this.slots.get(primary);
    if (!slot) return;
    this.slots.delete(primary);
    this.total -= slot.bytes;
    const ids = this.byUrl.get(slot.urlId);
    if (ids) {
      ids.delete(primary);
      if (!ids.size) this.byUrl.delete(slot.urlId);
    }
  }

  private evict(): void {
    for (const primary of this.slots.keys()) {
      if (this.total <= this.maxBytes) return;
      this.drop(primary);
    }
  }
}
