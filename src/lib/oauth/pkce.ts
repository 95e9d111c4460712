/** PKCE (RFC 7636, S256 only) and the one-time `state` values of pending authorizations. */
import { createHash, randomBytes } from 'node:crypto';

export interface Pkce {
  verifier: string;
  challenge: string;
}

export function createPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

/** How long the user has to finish consent in the provider's page. */
export const STATE_TTL_MS = 10 * 60 * 1000;
/** Pending authorizations kept at most; the oldest go first (bounded memory). */
const MAX_PENDING = 200;

export interface PendingAuthorization<T> {
  nodeId: string;
  verifier?: string;
  redirectUri: string;
  /** What the start route captured (the editor's settings) for the exchange. */
  context: T;
  expiresAt: number;
}

/**
 * Random, one-time, expiring `state` values, each bound to one node id. `take` removes the
 * entry whatever happens next, so a state can never be used twice.
 */
export class StateStore<T> {
  private readonly pending = new Map<string, PendingAuthorization<T>>();

  constructor(private readonly ttlMs = STATE_TTL_MS) {}

  create(entry: Omit<PendingAuthorization<T>, 'expiresAt'>, now = Date.now()): string {
    this.sweep(now);
    while (this.pending.size >= MAX_PENDING) {
      const oldest = this.pending.keys().next().value as string;
      this.pending.delete(oldest);
    }
    const state = randomBytes(32).toString('base64url');
    this.pending.set(state, { ...entry, expiresAt: now + this.ttlMs });
    return state;
  }

  /** The pending authorization of `state`, or why there is none. Always one-time. */
  take(
    state: string,
    now = Date.now(),
  ): { ok: true; entry: PendingAuthorization<T> } | { ok: false; reason: 'unknown' | 'expired' } {
    const entry = this.pending.get(state);
    if (!entry) return { ok: false, reason: 'unknown' };
    this.pending.delete(state);
    if (entry.expiresAt <= now) return { ok: false, reason: 'expired' };
    return { ok: true, entry };
  }

  private sweep(now: number): void {
    for (const [k, v] of this.pending) if (v.expiresAt <= now) this.pending.delete(k);
  }

  get size(): number {
    return this.pending.size;
  }
}
