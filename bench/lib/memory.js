'use strict';
// Memory after N requests through rest-query: RSS and V8 heap at each checkpoint, after a
// forced garbage collection when global.gc is available. A leak shows as a heap that keeps
// climbing from checkpoint to checkpoint; a flat heap after the first one is the goal.

async function runCount(request, window, n) {
  let issued = 0;
  let errors = 0;
  async function worker() {
    while (issued < n) {
      issued++;
      try {
        await request();
      } catch {
        errors++;
      }
    }
  }
  const workers = [];
  for (let i = 0; i < window; i++) workers.push(worker());
  await Promise.all(workers);
  return errors;
}

function snapshot() {
  if (global.gc) {
    global.gc();
    global.gc();
  }
  const m = process.memoryUsage();
  return { rssMb: m.rss / 2 ** 20, heapUsedMb: m.heapUsed / 2 ** 20 };
}

async function memoryScenario(drive, checkpoints, window) {
  const rows = [];
  let done = 0;
  let errors = 0;
  const started = performance.now();
  for (const target of checkpoints) {
    errors += await runCount(() => drive({}), window, target - done);
    done = target;
    rows.push({ requests: done, ...snapshot() });
    process.stdout.write(`  memory: ${done} requests through rest-query\n`);
  }
  return { window, gc: !!global.gc, errors, seconds: (performance.now() - started) / 1000, checkpoints: rows };
}

module.exports = { memoryScenario, runCount };
