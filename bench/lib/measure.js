'use strict';
// Closed-loop load: `window` workers each keep one request in flight, starting the next as
// soon as the previous one completes. Warm-up completions are not counted; after it, every
// completion's latency is recorded until the measuring time is over.

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/**
 * @param {() => Promise<void>} request one request, resolved when its response is complete
 * @param {{window: number, warmupMs: number, measureMs: number}} options
 */
async function measure(request, { window, warmupMs, measureMs }) {
  let phase = 'warmup';
  let latencies = new Float64Array(4096);
  let count = 0;
  let errors = 0;
  let firstError;
  let measureStart = 0;

  const record = (ms) => {
    if (count === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[count++] = ms;
  };

  async function worker() {
    while (phase !== 'done') {
      const started = performance.now();
      try {
        await request();
      } catch (e) {
        errors++;
        if (!firstError) firstError = e;
        continue;
      }
      if (phase === 'measure') record(performance.now() - started);
    }
  }

  const workers = [];
  for (let i = 0; i < window; i++) workers.push(worker());
  await new Promise((r) => setTimeout(r, warmupMs));
  phase = 'measure';
  measureStart = performance.now();
  await new Promise((r) => setTimeout(r, measureMs));
  phase = 'done';
  const elapsed = performance.now() - measureStart;
  await Promise.all(workers);
  if (errors && count === 0) throw firstError;
  const sorted = latencies.slice(0, count).sort();
  return {
    window,
    requests: count,
    seconds: elapsed / 1000,
    perSecond: count / (elapsed / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    errors,
    firstError: firstError ? String(firstError.message || firstError) : undefined,
  };
}

module.exports = { measure, percentile };
