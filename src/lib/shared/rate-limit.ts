/**
 * One `rateLimit` for the whole cluster: a GCRA (generic cell rate algorithm) run atomically in
 * the store. Each start reserves the next free slot, `1000 / rate` ms after the previous one,
 * measured on the store's clock; the answer is how long to wait for it. There is no burst:
 * starts are spaced evenly, as the per-instance limiter spaces them.
 */
import type { SharedStore } from './store';

/**
 * KEYS[1] the theoretical arrival time (µs on the store's clock); ARGV[1] interval in µs;
 * ARGV[2] the longest wait in µs a caller accepts (no slot is reserved past it).
 * Answers the wait in µs, or -1 when the next slot is further away than the longest wait.
 */
const RESERVE = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - now
if wait > tonumber(ARGV[2]) then return -1 end
redis.call('SET', KEYS[1], string.format('%.0f', tat + interval), 'PX', math.ceil((wait + interval) / 1000) + 1000)
return wait`;

export class ClusterRate {
  private readonly intervalUs: number;

  constructor(
    private readonly store: SharedStore,
    private readonly key: string,
    /** starts per second for the whole cluster */
    rate: number,
  ) {
    this.intervalUs = Math.ceil(1e6 / rate);
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
}

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
      /** Told when the store could not be asked (the caller then paces per instance). */
      onUnavailable?: (err: unknown) => void;
      closedError: () => Error;
    },
  ) {}

  /** Wait for this start's turn; false when the store cannot be asked (pace locally instead). */
  turn(): Promise<boolean> {
    const mine = this.chain.then(() => this.take());
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

  private async take(): Promise<boolean> {
    for (;;) {
      if (this.closed) throw this.o.closedError();
      let wait: number | undefined;
      try {
        wait = await this.rate.reserve(MAX_RESERVE_MS, this.o.timeoutMs);
      } catch (err) {
        if (this.o.onUnavailable) this.o.onUnavailable(err);
        return false;
      }
      if (wait === undefined) {
        await this.sleep(MAX_RESERVE_MS / 2);
        continue;
      }
      if (wait > 0) await this.sleep(wait);
      if (this.closed) throw this.o.closedError();
      return true;
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
