/**
 * Request coalescing: while one exchange for a key is in flight, identical requests wait for
 * it instead of sending their own. The first caller gets the result as it is; the others get
 * it marked `shared`, each its own result object (headers copied, the body Buffer shared and
 * copied by whoever hands it to a flow). A failure rejects every waiting caller.
 */
import type { HttpResult } from '../types';

export class Coalescer {
  private readonly inflight = new Map<string, Promise<HttpResult>>();

  get pending(): number {
    return this.inflight.size;
  }

  run(key: string, exchange: () => Promise<HttpResult>): Promise<HttpResult> {
    const running = this.inflight.get(key);
    if (running) return running.then(sharedCopy);
    const started = exchange().finally(() => this.inflight.delete(key));
    this.inflight.set(key, started);
    return started;
  }
}

function sharedCopy(result: HttpResult): HttpResult {
  const headers: HttpResult['headers'] = {};
  for (const [name, value] of Object.entries(result.headers))
    headers[name] = Array.isArray(value) ? value.slice() : value;
  return { ...result, headers, cache: 'shared' };
}
