/**
 * One `rateLimit` for the whole cluster, in two steps run atomically in the store, both on the
 * store's clock:
 *
 * 1. Reserve (GCRA, generic cell rate algorithm): each start reserves the next free slot,
 *    `1000 / rate` ms after the previous one; the answer is how long to wait for it. Starts are
 *    spaced evenly, with no burst, and each instance keeps its queue order.
 * 2. Admit, at wake-up, right before the request goes (a sliding log of the starts of the last
 *    window): a start is admitted only while the window holds fewer than `rate` starts. An
 *    instance whose event loop stalled wakes late and would fire its reserved slot next to the
 *    others' (25 arrivals in one second were seen at a limit of 20); the log makes it wait for
 *    the next free place instead of bursting. A stall between the store's admission and the
 *    instance hearing of it (11 arrivals at a limit of 10 were seen) is caught by the answer's
 *    lateness: the start is admitted again at its real moment.
 *
 * A slot further away than the request's timeout (a hostile or damaged key) ends the request
 * with ETIMEDOUT instead of waiting without bound.
 */
import { randomBytes } from 'node:crypto';
import { RestError } from '../errors';
import type { SharedStore } from './store';

/**
 * KEYS[1] the theoretical arrival time (µs on the store's clock); ARGV[1] interval in µs;
 * ARGV[2] the longest wait in µs a caller accepts (no slot is reserved past it).
 * Answers the wait in µs, or -1 when the next slot is further away than the longest wait.
 */
const RESERVE = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if tat < now then tat = now end
local wait = tat - now
if wait > tonumber(ARGV[2]) then return -1 end
redis.call('SET', KEYS[1], string.format('%.0f', tat + interval), 'PX', math.ceil((wait + interval) / 1000) + 1000)
return wait`;

/**
 * KEYS[1] the log of starts (a sorted set, score = µs on the store's clock); ARGV[1] the most
 * starts per window, ARGV[2] the window in µs, ARGV[3] a unique member for this start.
 * Answers 0 when admitted (and logged), else the µs until the oldest start leaves the window.
 */
const ADMIT = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now - window))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], string.format('%.0f', now), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = tonumber(oldest[2]) + window - now
if wait < 1 then wait = 1 end
return wait`;

/** See the constructor: 50 ms. */
const WINDOW_MARGIN_US = 50_000;

export class ClusterRate {
  private readonly intervalUs: number;
  /** The sliding log's window (1 s, or one interval for rates below 1/s) and its capacity. */
  private readonly windowUs: number;
  private readonly perWindow: number;

  constructor(
    private readonly store: SharedStore,
    private readonly key: string,
    /** starts per second for the whole cluster */
    rate: number,
  ) {
    this.intervalUs = Math.ceil(1e6 / rate);
    // A margin on the window for the way from the store to the API (a start logged at t may
    // arrive a little later than one logged a window before it): R per second still holds
    // where the requests arrive.
    const window = Math.max(1e6, this.intervalUs);
    this.perWindow = Math.max(1, Math.floor((rate * window) / 1e6));
    this.windowUs = window + WINDOW_MARGIN_US;
  }

  /** The log's key: beside the slot's, in the same hash slot. */
  get logKey(): string {
    return this.key + ':log';
  }

  /**
   * Reserve the next start: the ms to wait before starting, or undefined when no slot is free
   * within `maxWaitMs` (the caller asks again later). Rejects when the store is unavailable.
   */
  async reserve(maxWaitMs: number, timeoutMs?: number): Promise<number | undefined> {
    const answer = Number(
      await this.store.script(
        RESERVE,
        [this.key],
        [String(this.intervalUs), String(Math.round(maxWaitMs * 1000))],
        timeoutMs,
      ),
    );
    return answer < 0 ? undefined : answer / 1000;
  }

  /** Admit a start now: 0 when it may go (it is logged), else the ms until a place is free. */
  async admit(timeoutMs?: number): Promise<number> {
    const member = randomBytes(9).toString('base64url');
    const answer = Number(
      await this.store.script(ADMIT, [this.logKey], [String(this.perWindow), String(this.windowUs), member], timeoutMs),
    );
    return answer > 0 ? answer / 1000 : 0;
  }
}

/** An admission answered later than this (and than twice the store's round trip) came through a stall. */
const STALL_MS = WINDOW_MARGIN_US / 1000;
/** How often one start asks again after stalls (each asking logs a start). */
const MAX_READMITS = 2;

/** The longest slot a start reserves ahead; past it, it asks again later. */
const MAX_RESERVE_MS = 5000;

/**
 * The starts of one instance, in their order, paced by the cluster's rate: one reservation at
 * a time, so the instance's queue keeps its order and never holds more than one slot ahead.
 */
export class ClusterPacer {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  constructor(
    private readonly rate: ClusterRate,
    private readonly o: {
      /** Bound of one store command. */
      timeoutMs: number;
      /** The longest a start may wait for its turn when the caller names none (the request timeout). */
      maxWaitMs?: number;
      /** The store as people may read it, for the timeout's message. */
      label?: string;
      /** Told when the store could not be asked (the caller then paces per instance). */
      onUnavailable?: (err: unknown) => void;
      closedError: () => Error;
    },
  ) {}

  /**
   * Wait for this start's turn; false when the store cannot be asked (pace locally instead).
   * Rejects with ETIMEDOUT when the turn is further away than `maxWaitMs` (counted from when
   * this start's reservation is asked for: the instance's queue before it is bounded by the
   * starts ahead of it).
   */
  turn(maxWaitMs = this.o.maxWaitMs ?? 30000): Promise<boolean> {
    const mine = this.chain.then(() => this.take(Date.now() + maxWaitMs, maxWaitMs));
    this.chain = mine.catch(() => undefined);
    return mine;
  }

  close(): void {
    this.closed = true;
    for (const [timer, wake] of this.timers) {
      clearTimeout(timer);
      wake();
    }
    this.timers.clear();
  }

  private tooLate(maxWaitMs: number): RestError {
    return new RestError(
      'ETIMEDOUT',
      `the shared rate limit${this.o.label ? ` in ${this.o.label}` : ''} has no free start within the request timeout (${maxWaitMs} ms); the request was not sent`,
    );
  }

  private async take(deadline: number, maxWaitMs: number): Promise<boolean> {
    const ask = async <T>(command: () => Promise<T>): Promise<T | typeof UNAVAILABLE> => {
      try {
        return await command();
      } catch (err) {
        if (this.o.onUnavailable) this.o.onUnavailable(err);
        return UNAVAILABLE;
      }
    };
    // 1. The reserved slot (GCRA), waited for.
    let roundTrip = 0;
    for (;;) {
      if (this.closed) throw this.o.closedError();
      const left = deadline - Date.now();
      if (left <= 0) throw this.tooLate(maxWaitMs);
      const asked = Date.now();
      const wait = await ask(() => this.rate.reserve(Math.min(MAX_RESERVE_MS, left), this.o.timeoutMs));
      roundTrip = Date.now() - asked;
      if (wait === UNAVAILABLE) return false;
      if (wait === undefined) {
        // No slot within reach: past the deadline, or ask again later (never past it).
        if (left <= MAX_RESERVE_MS) throw this.tooLate(maxWaitMs);
        await this.sleep(Math.min(MAX_RESERVE_MS / 2, left - MAX_RESERVE_MS));
        continue;
      }
      if (wait > 0) await this.sleep(wait);
      break;
    }
    // 2. Admitted at the moment of the start (sliding log): a late wake-up waits its turn.
    for (let readmitted = 0; ;) {
      if (this.closed) throw this.o.closedError();
      const asked = Date.now();
      const wait = await ask(() => this.rate.admit(this.o.timeoutMs));
      if (wait === UNAVAILABLE) return false;
      if (wait === 0) {
        // The log holds this start at the moment the store admitted it. An event loop that
        // stalled before it heard the answer (far longer than the reservation's round trip)
        // would send the request late, beside starts the log places after it: ask again, so
        // the log holds the real moment (the first entry stays: it only makes the log stricter).
        const stalled = Date.now() - asked > Math.max(STALL_MS, 2 * roundTrip);
        if (stalled && readmitted++ < MAX_READMITS) continue;
        return true;
      }
      if (Date.now() + wait > deadline) throw this.tooLate(maxWaitMs);
      await this.sleep(wait);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.set(timer, resolve);
    });
  }
}

const UNAVAILABLE = Symbol('unavailable');
