'use strict';
// One long-lived /usr/bin/python3 process per test file, asked over stdin/stdout JSON lines
// (one request, one answer, in order). It runs an independent verifier: botocore recomputing
// AWS signatures, oauthlib validating OAuth 1.0a requests. Debian's python3 carries those
// modules (python3-botocore, python3-oauthlib; .ci/run installs them), the `python3` on PATH
// may not.
const { spawn, spawnSync } = require('child_process');
const path = require('path');
const readline = require('readline');

const PYTHON = '/usr/bin/python3';

/** True when /usr/bin/python3 can import every module named. */
function hasPythonModules(...modules) {
  const r = spawnSync(PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore' });
  return r.status === 0;
}

/** Skip the enclosing describe when the verifier cannot run here (say why, once); fail under CI. */
function skipWithoutPython(suite, ...modules) {
  if (hasPythonModules(...modules)) return false;
  // CI installs the verifiers (.ci/run): there a missing one is a failure, never a quiet skip.
  if (process.env.CI)
    throw new Error(`${PYTHON} cannot import ${modules.join(', ')}: .ci/run should have installed them`);
  console.warn(`  (skipped: ${PYTHON} cannot import ${modules.join(', ')}; .ci/run installs them)`);
  suite.pending = true;
  return true;
}

/** Start `test/lib/python/<script>` with a JSON config argument; `ask(obj)` resolves with its answer. */
function startPython(script, config = {}) {
  const child = spawn(PYTHON, [path.join(__dirname, 'python', script), JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const waiting = [];
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    const next = waiting.shift();
    if (next) next.resolve(JSON.parse(line));
  });
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`${script} exited (${code}): ${stderr}`));
  });
  return {
    ask: (obj) =>
      new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(JSON.stringify(obj) + '\n');
      }),
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

module.exports = { PYTHON, hasPythonModules, skipWithoutPython, startPython };
