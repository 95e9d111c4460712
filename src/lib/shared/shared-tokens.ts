/**
 * Single-flight token requests across instances. A datasource that needs a token first reads
 * the shared record: a usable set another instance obtained is taken as it is. Otherwise it
 * takes the cluster lock, reads again (the holder before it may just have finished), runs the
 * token request with the newest shared set (so only the newest refresh token is ever
 * presented) and writes the answer. Instances that find the lock taken wait, bounded, for the
 * holder's new version. Without the store an instance keeps a still-valid access token and
 * never presents a refresh token on its own.
 */
import { GrantRevokedError } from '../oauth/client';
import type { ObtainedTokens, SharingRequest, TokenSharing } from '../oauth/manager';
import { RestError } from '../errors';
import type { TokenSet } from '../oauth/tokens';
import { needsRenewal } from '../oauth/tokens';
import { tryLock, isLocked } from './lock';
import type { HeldLock } from './lock';
import type { SharedStore } from './store';
import { StoreUnavailableError } from './store';
import type { TokenRecord, TokenRecords } from './token-record';
import { ROLLED_BACK, UNREADABLE } from './token-record';

const POLL_MS = 50;
/** How often a holder writes a record no replica acknowledged yet. */
const SETTLE_MS = 250;

export interface SharedTokensOptions {
  store: SharedStore;
  records: TokenRecords;
  /** The record's key (datasource id and settings fingerprint) and the lock's. */
  recordKey: string;
  lockKey: string;
  /** How long a request may wait for tokens (the request timeout). */
  waitMs: number;
  /** How long one token request may take (the lock's lease covers two, and is extended while the holder works). */
  requestMs: number;
  /** Told once per cause: a record sealed with another credential secret. */
  warn?: (text: string) => void;
}

type ReadResult = TokenRecord | typeof UNREADABLE | typeof ROLLED_BACK | undefined;

const notARecord = (r: ReadResult): boolean => r === undefined || r === UNREADABLE || r === ROLLED_BACK;

export class SharedTokens implements TokenSharing {
  /** A set this instance obtained but could not write: written when the store is back. */
  private unpublished: ObtainedTokens | undefined;
  /** The newest set this instance knows: offered again after an outage (a restarted store may be empty). */
  private known: ObtainedTokens | undefined;
  private warnedUnreadable = false;
  private warnedRolledBack = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly o: SharedTokensOptions) {
    this.unsubscribe = o.store.onState((state) => {
      if (state !== 'up') return;
      if (!this.unpublished && this.known) this.unpublished = this.known;
      void this.republish();
    });
  }

  close(): void {
    this.unsubscribe();
  }

  publish(tokens: ObtainedTokens): void {
    this.known = tokens;
    this.unpublished = tokens;
    void this.republish();
  }

  async obtain(req: SharingRequest): Promise<ObtainedTokens> {
    const obtained = await this.obtainShared(req);
    if (!this.known || obtained.issuedAt >= this.known.issuedAt) this.known = obtained;
    return obtained;
  }

  private async obtainShared(req: SharingRequest): Promise<ObtainedTokens> {
    const deadline = Date.now() + this.o.waitMs;
    try {
      for (;;) {
        const first = await this.read(deadline);
        if (this.usable(first, req)) return first as TokenRecord;
        // One refresh may make two token requests (refresh, invalid_grant, re-read, again):
        // the lease covers both, and is extended while the holder works.
        const lease = 2 * this.o.requestMs + 2000;
        const lock = await tryLock(this.o.store, this.o.lockKey, lease, this.timeout(deadline));
        if (lock) {
          lock.keepAlive(lease);
          let settling: Promise<void> | undefined;
          try {
            // A lock a failover could lose is no lock: held only once a replica has it.
            if (!(await this.durable(lock.key, deadline))) {
              throw new StoreUnavailableError(
                this.o.store.label,
                'the refresh lock reached no replica (WAIT); the primary may be failing over',
              );
            }
            const got = await this.underLock(req, deadline, lock, lease);
            settling = got.settling;
            return got.obtained;
          } finally {
            if (settling) void settling.finally(() => lock.release());
            else await lock.release();
          }
        }
        const adopted = await this.waitForHolder(first, req, deadline);
        if (adopted) return adopted;
      }
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      return this.offline(req, err);
    }
  }

  /** Holding the lock: the newest shared set, or a token request based on it, shared. */
  private async underLock(
    req: SharingRequest,
    deadline: number,
    lock: HeldLock,
    lease: number,
  ): Promise<{ obtained: ObtainedTokens; settling?: Promise<void> }> {
    const latest = await this.read(deadline);
    // A set this instance obtained while the store was away, newer than the stored one (or
    // than a record rolled back behind what this instance has seen).
    const mine =
      this.unpublished &&
      (latest === undefined ||
        latest === ROLLED_BACK ||
        (latest !== UNREADABLE && latest.issuedAt < this.unpublished.issuedAt))
        ? this.unpublished
        : undefined;
    if (mine) {
      await this.republish();
      if (this.usable(mine, req)) return { obtained: mine };
    } else if (this.usable(latest, req)) return { obtained: latest as TokenRecord };
    // The newest refresh token: this instance's unshared one, the store's, or with no record yet
    // this instance's own tokens (restored or pasted), which start the shared history. An
    // unreadable record is not replaced by a possibly older local refresh token; a rolled-back
    // one gives way to the newest set this instance has seen (its refresh token is spent).
    let base: TokenSet | undefined = mine
      ? mine.tokens
      : latest === UNREADABLE
        ? undefined
        : latest === ROLLED_BACK
          ? this.known?.tokens
          : (latest?.tokens ?? req.current?.tokens);
    let tokens: TokenSet;
    try {
      tokens = await req.fetch(base);
    } catch (err) {
      if (!(err instanceof GrantRevokedError)) throw err;
      // invalid_grant: another instance may have rotated the refresh token meanwhile.
      const again = await this.read(deadline);
      if (notARecord(again) || (again as TokenRecord).tokens.refreshToken === base?.refreshToken) throw err;
      if (this.usable(again, req)) return { obtained: again as TokenRecord };
      base = (again as TokenRecord).tokens;
      tokens = await req.fetch(base);
    }
    const obtained = { tokens, issuedAt: Date.now() };
    try {
      const written = await this.o.records.write(this.o.recordKey, obtained, {
        lock,
        timeoutMs: this.timeout(deadline),
      });
      if (written === 'fenced') {
        // The lock was lost meanwhile (expired while this instance stalled, or lost in a
        // failover) and a later holder may have written: its record wins.
        this.unpublished = obtained;
        const now = await this.read(deadline);
        if (this.usable(now, req)) return { obtained: now as TokenRecord };
        return { obtained };
      }
      if (!(await this.durable(this.o.recordKey, deadline))) {
        // Written to a primary that may lose it: keep the lock (others wait for it) and write
        // again, to whichever primary there is, until a replica has the new refresh token.
        this.unpublished = obtained;
        return { obtained, settling: this.settle(obtained, lock, Date.now() + lease) };
      }
      this.unpublished = undefined;
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      // The new refresh token exists only here now: shared as soon as the store is back (and
      // written again under the lock while it is held).
      this.unpublished = obtained;
      return { obtained, settling: this.settle(obtained, lock, Date.now() + lease) };
    }
    return { obtained };
  }

  /**
   * Until `until` (the lock's lease), write `obtained` again under the lock until a replica has
   * it: the lock, extended meanwhile, keeps the other instances from presenting the refresh
   * token this set replaced.
   */
  private async settle(obtained: ObtainedTokens, lock: HeldLock, until: number): Promise<void> {
    while (Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      try {
        const written = await this.o.records.write(this.o.recordKey, obtained, { lock, onlyIfNewer: true });
        if (written === 'fenced') return;
        if (await this.durable(this.o.recordKey, until)) {
          if (this.unpublished === obtained) this.unpublished = undefined;
          return;
        }
      } catch {
        // still failing over
      }
    }
  }

  private async durable(key: string, deadline: number): Promise<boolean> {
    if (!this.o.store.durable) return true;
    return this.o.store.durable(key, this.timeout(deadline));
  }

  /** The lock is taken: wait for the holder's new version, or for the lock to go. */
  private async waitForHolder(
    seen: ReadResult,
    req: SharingRequest,
    deadline: number,
  ): Promise<TokenRecord | undefined> {
    const seenVersion = notARecord(seen) ? 0 : (seen as TokenRecord).version;
    for (;;) {
      if (Date.now() + POLL_MS > deadline) {
        throw new RestError(
          'TOKEN_ERROR',
          `another instance is refreshing the OAuth token through the shared store ${this.o.store.label} and did not finish within ${this.o.waitMs} ms; the request was not sent`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const record = await this.read(deadline);
      if (!notARecord(record) && (record as TokenRecord).version !== seenVersion && this.usable(record, req)) {
        return record as TokenRecord;
      }
      if (!(await isLocked(this.o.store, this.o.lockKey, this.timeout(deadline)))) return undefined;
    }
  }

  /** The store cannot be reached: a still-valid token, or a token request that presents no refresh token. */
  private async offline(req: SharingRequest, err: StoreUnavailableError): Promise<ObtainedTokens> {
    const current = req.current;
    const t = current?.tokens;
    if (
      t &&
      t.accessToken &&
      t.accessToken !== req.rejected &&
      (t.expiresAt === undefined || t.expiresAt > Date.now())
    ) {
      return current;
    }
    const tokens = await req.fetch(current?.tokens, { message: err.message });
    const obtained = { tokens, issuedAt: Date.now() };
    this.unpublished = obtained;
    return obtained;
  }

  private usable(
    record: ObtainedTokens | typeof UNREADABLE | typeof ROLLED_BACK | undefined,
    req: SharingRequest,
  ): boolean {
    if (!record || record === UNREADABLE || record === ROLLED_BACK) return false;
    const t = record.tokens;
    return t.accessToken !== req.rejected && !needsRenewal(t, record.issuedAt);
  }

  private async read(deadline: number): Promise<ReadResult> {
    const record = await this.o.records.read(this.o.recordKey, this.timeout(deadline));
    if (record === UNREADABLE && !this.warnedUnreadable && this.o.warn) {
      this.warnedUnreadable = true;
      this.o.warn(
        `the shared OAuth token in ${this.o.store.label} was sealed with another credential secret; every instance must use the same credential secret (settings.js credentialSecret, or the same .config.runtime.json)`,
      );
    }
    if (record === ROLLED_BACK && !this.warnedRolledBack && this.o.warn) {
      this.warnedRolledBack = true;
      this.o.warn(
        `the shared OAuth token in ${this.o.store.label} is older than one this instance has already seen (rolled back); it is not used, and the newest token set this instance knows replaces it`,
      );
    }
    return record;
  }

  /** A store command may take the time left, at most the store's own bound. */
  private timeout(deadline: number): number | undefined {
    const left = deadline - Date.now();
    return left < 2000 ? Math.max(1, left) : undefined;
  }

  private async republish(): Promise<void> {
    const pending = this.unpublished;
    if (!pending) return;
    try {
      await this.o.records.write(this.o.recordKey, pending, { onlyIfNewer: true });
      if (this.unpublished === pending) this.unpublished = undefined;
    } catch {
      // Still down: tried again when the store is back.
    }
  }
}
