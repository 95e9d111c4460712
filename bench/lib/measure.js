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
async function measure(request, { window, warmupMs, measureMs, keepLatencies = false }) {
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
  const cpuStart = process.cpuUsage();
  await new Promise((r) => setTimeout(r, measureMs));
  phase = 'done';
  const elapsed = performance.now() - measureStart;
  const cpu = process.cpuUsage(cpuStart);
  await Promise.all(workers);
  if (errors && count === 0) throw firstError;
  const sorted = latencies.slice(0, count).sort();
  return {
    window,
    requests: count,
    seconds: elapsed / 1000,
    perSecond: count / (elapsed / 1000),
    // CPU time of this process per completed request: steadier than rates on a busy machine.
    cpuUs: (cpu.user + cpu.system) / count,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    errors,
    firstError: firstError ? String(firstError.message || firstError) : undefined,
    ...(keepLatencies ? { latencies: sorted } : {}),
  };
}

/**
 * Measure several clients in turns: each round gives every client one slice, so a burst of
 * other work on the machine hits all of them alike. Per client: the median of the rounds'
 * rates, and p50/p99 over all the rounds' latencies.
 * @param {Record<string, () => Promise<void>>} clients
 */
async function measureInTurns(clients, { window, rounds, warmupMs, measureMs }) {
  const slices = Object.fromEntries(Object.keys(clients).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, request] of Object.entries(clients)) {
      slices[name].push(await measure(request, { window, warmupMs, measureMs, keepLatencies: true }));
    }
  }
  const out = {};
  for (const [name, list] of Object.entries(slices)) {
    const rates = list.map((r) => r.perSecond).sort((a, b) => a - b);
    const all = new Float64Array(list.reduce((n, r) => n + r.latencies.length, 0));
    let at = 0;
    for (const r of list) {
      all.set(r.latencies, at);
      at += r.latencies.length;
    }
    all.sort();
    out[name] = {
      window,
      rounds,
      requests: all.length,
      perSecond: rates[Math.floor(rates.length / 2)],
      perSecondRounds: list.map((r) => Math.round(r.perSecond)),
      cpuUs: list.map((r) => r.cpuUs).sort((a, b) => a - b)[Math.floor(list.length / 2)],
      // The least CPU a round needed: the estimate least disturbed by other processes.
      cpuUsMin: Math.min(...list.map((r) => r.cpuUs)),
      p50: percentile(all, 50),
      p99: percentile(all, 99),
      errors: list.reduce((n, r) => n + r.errors, 0),
      firstError: list.map((r) => r.firstError).find(Boolean),
    };
  }
  return out;
}

module.exports = { measure, measureInTurns, percentile };
