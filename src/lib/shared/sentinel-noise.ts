/**
 * node-redis' Sentinel client prints connection errors with `console.log(err)` while it looks
 * for a primary during a failover (sentinel/index.js, #connect), straight to the runtime's
 * stdout. While a Sentinel store is open, such an Error (and only such: its stack runs through
 * @redis/client's sentinel code) goes to that store instead, which reports its outage once in
 * the node's log. Everything else reaches console.log unchanged. (The caller is told by the
 * stack of the console.log call.)
 */
type Sink = (text: string) => void;

const sinks = new Map<object, Sink>();
let original: ((...args: unknown[]) => void) | undefined;

const SENTINEL_CODE = /[\\/]@redis[\\/]client[\\/]dist[\\/]lib[\\/]sentinel[\\/]/;

/** The Error logged, when the call comes from @redis/client's sentinel code. */
function fromSentinel(args: unknown[]): Error | undefined {
  if (args.length !== 1 || !(args[0] instanceof Error)) return undefined;
  // The caller's frames, not the error's (a socket error's stack is Node's own).
  const caller = String(new Error().stack ?? '')
    .split('\n')
    .slice(2, 6)
    .join('\n');
  return SENTINEL_CODE.test(caller) ? args[0] : undefined;
}

/** Route the Sentinel client's console noise to `sink` while `owner` is open (see `release`). */
export function quietSentinelNoise(owner: object, sink: Sink): void {
  sinks.set(owner, sink);
  if (original) return;
  original = console.log;
  const passOn = original;
  console.log = (...args: unknown[]) => {
    const err = fromSentinel(args);
    if (!err || sinks.size === 0) {
      passOn.apply(console, args);
      return;
    }
    for (const s of sinks.values()) s(`sentinel: ${err.message}`);
  };
}

export function releaseSentinelNoise(owner: object): void {
  sinks.delete(owner);
  if (sinks.size === 0 && original) {
    console.log = original;
    original = undefined;
  }
}
