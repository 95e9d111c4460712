'use strict';
// Wait for an event instead of sleeping a fixed time: under load a fixed sleep is either too
// short (a flaky failure) or longer than needed.

/** Resolve once `check()` is true; reject naming `what` after `timeoutMs`. */
async function until(check, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

module.exports = { until };
