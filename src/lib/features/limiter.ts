/**
 * Per-datasource admission: at most `concurrency` requests in flight and at most `rate`
 * started per second. Waiters are served strictly in arrival order and are never dropped;
 * on close every waiter is rejected, so each queued message still gets its one error.
 */
import { RestError } from '../errors';

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
}

export class Limiter {
  private active = 0;
  private readonly queue: Waiter[] = [];
  private nextStart = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly concurrency: number,
    private readonly rate: number,
  ) {}

  /** Whether it times request starts (a rate), not only counts them. */
  get paces(): boolean {
    return this.rate > 0;
  }

  get unlimited(): boolean {
    return this.concurrency <= 0 && this.rate <= 0;
  }

  get waiting(): number {
    return this.queue.length;
  }

  acquire(): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ resolve, reject });
      this.pump();
    });
  }

  release(): void {
    this.active--;
    this.pump();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.queue.splice(0)) w.reject(closedError());
  }

  private pump(): void {
    while (this.queue.length && (this.concurrency <= 0 || this.active < this.concurrency)) {
      if (this.rate > 0) {
        const now = Date.now();
        if (now < this.nextStart) {
          if (!this.timer) {
            this.timer = setTimeout(() => {
              this.timer = undefined;
              this.pump();
            }, this.nextStart - now);
          }
          return;
        }
        this.nextStart = Math.max(now, this.nextStart) + 1000 / this.rate;
      }
      this.active++;
      (this.queue.shift() as Waiter).resolve();
    }
  }
}

function closedError(): RestError {
  return new RestError('ABORTED', 'the datasource was redeployed or stopped before this request could start');
}
