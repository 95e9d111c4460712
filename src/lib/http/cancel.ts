/**
 * The abort signal of one exchange. axios accepts any object with `aborted` and
 * add/removeEventListener (its GenericAbortSignal). Node's AbortController/EventTarget pair
 * cost 10-20 µs of CPU per request (creation plus axios' listener bookkeeping); this plain
 * object does the same job for the one or two listeners an exchange ever has.
 */
export interface ExchangeSignal {
  readonly aborted: boolean;
  /** Why it was aborted (TIMEOUT or CLOSED of client.ts). */
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
  /**
   * Which of the datasource's constant headers the lean adapter adds to this exchange, a bit
   * each (axios-adapter.ts, PresetHeaders): set by the client just before it hands the request
   * to axios, which passes the signal through untouched. One exchange at a time per signal.
   */
  presetMask?: number;
  /**
   * Written at once rather than with the event-loop turn's batch (node-adapter.ts): a request
   * whose start a rate limit timed, which must reach the API at that time, not one loop turn
   * later, where a stalled event loop could hold it until it arrives next to the one after it.
   */
  unbatched?: boolean;
}

export class Cancel implements ExchangeSignal {
  aborted = false;
  reason: unknown = undefined;
  presetMask = 0;
  unbatched = false;
  private readonly listeners: Array<() => void> = [];

  /** The signal side, as with AbortController. */
  get signal(): ExchangeSignal {
    return this;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    for (const listener of this.listeners.splice(0)) {
      try {
        listener();
      } catch {
        // one listener's failure must not keep the others from hearing of the abort
      }
    }
  }
}
