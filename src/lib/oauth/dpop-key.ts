/**
 * Where a datasource's DPoP key comes from. A key pasted into the `dpopKey` credential wins.
 * Otherwise one is generated once and kept in the user directory (next to the token vault,
 * encrypted the same way), so a restart proves with the same key and bound tokens stay valid;
 * with a shared store the first instance's key is adopted by every other one.
 */
import type { KeyObject } from 'node:crypto';
import { DpopProver, generateDpopKey, parseDpopKey } from './dpop';

/** The key kept for one datasource across restarts (a JWK as JSON text). */
export interface DpopKeyPersistence {
  load(): string | undefined;
  save(jwk: string): void;
}

/** The cluster's key: offer ours, answer the one every instance uses (maybe another's). */
export interface DpopKeySharing {
  adopt(jwk: string): Promise<string>;
}

export interface DpopKeyOptions {
  /** The `dpopKey` credential. */
  configured?: string;
  persistence?: DpopKeyPersistence;
  sharing?: DpopKeySharing;
  /** Told when the store could not be asked (this instance then proves with its own key). */
  warn?: (text: string) => void;
}

/** The prover of a datasource, made once: the configured key is checked at deploy. */
export function dpopProverSource(o: DpopKeyOptions): () => Promise<DpopProver> {
  const configured: KeyObject | undefined = o.configured ? parseDpopKey(o.configured) : undefined;
  let pending: Promise<DpopProver> | undefined;
  const resolve = async (): Promise<DpopProver> => {
    if (configured) return new DpopProver(configured);
    let local = o.persistence?.load();
    if (local) {
      try {
        parseDpopKey(local);
      } catch {
        local = undefined;
      }
    }
    if (!local) {
      local = generateDpopKey();
      o.persistence?.save(local);
    }
    if (o.sharing) {
      try {
        const shared = await o.sharing.adopt(local);
        if (shared !== local) {
          parseDpopKey(shared);
          o.persistence?.save(shared);
          local = shared;
        }
      } catch (err) {
        if (o.warn) o.warn(`the DPoP key could not be shared (${(err as Error).message}); this instance uses its own`);
      }
    }
    return new DpopProver(parseDpopKey(local));
  };
  return () => (pending ??= resolve());
}
