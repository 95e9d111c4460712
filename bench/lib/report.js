'use strict';
// The printed table and the ratios of the rest-query lanes against the other clients.

/**
 * Targets of issue 19 (axios in the request path): rest-query's CPU per message ≥ 0.55 × the
 * raw node's capacity, ≥ 5 × the core node's, at 16 and 64 in flight, plain and realistic.
 */
const TARGETS = { 'raw node': 0.55, 'core http request': 5 };
// `raw node batched`: the raw node writing the way the package's transport does (raw-node.js).
const OTHERS = ['raw node', 'raw node batched', 'core http request', 'axios', 'node:http'];
const HEADS = {
  'raw node': '/raw node',
  'raw node batched': '/raw batch',
  'core http request': '/core',
  axios: '/axios',
  'node:http': '/http',
};

function fmt(n, digits = 0) {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}

function pad(text, width, left = false) {
  const s = String(text);
  return left ? s.padEnd(width) : s.padStart(width);
}

const isRestQuery = (client) => client.startsWith('rest-query');

/**
 * Each rest-query lane's throughput divided by each other client's, per scenario and window;
 * `cpu`: the same for CPU-bound capacity (other client's CPU per message ÷ rest-query's), how
 * many more messages rest-query gets through the same CPU. It moves far less with outside load.
 */
function ratios(runs) {
  const out = [];
  for (const a of runs.filter((r) => isRestQuery(r.client))) {
    const row = { scenario: a.scenario, window: a.window, lane: a.client, cpu: {} };
    for (const other of runs) {
      if (other.scenario !== a.scenario || other.window !== a.window || isRestQuery(other.client)) continue;
      row[other.client] = a.perSecond / other.perSecond;
      row.cpu[other.client] = other.cpuUs / a.cpuUs;
    }
    out.push(row);
  }
  return out;
}

function printRatios(result, title, pick) {
  const line = (cols) => console.log(cols.join('  '));
  console.log(`\n${title}`);
  line([pad('scenario', 16, true), pad('window', 6), pad('lane', 22, true), ...OTHERS.map((o) => pad(HEADS[o], 10))]);
  for (const r of result.ratios) {
    line([
      pad(r.scenario, 16, true),
      pad(r.window, 6),
      pad(r.lane, 22, true),
      ...OTHERS.map((o) => pad(fmt(pick(r)[o], 2), 10)),
    ]);
  }
}

function printTable(result) {
  const line = (cols) => console.log(cols.join('  '));
  console.log('');
  line([
    pad('scenario', 16, true),
    pad('client', 22, true),
    pad('window', 6),
    pad('msg/s', 8),
    pad('p50 ms', 7),
    pad('p99 ms', 7),
    pad('CPU µs', 7),
    pad('min µs', 7),
    pad('errors', 6),
  ]);
  for (const r of result.runs) {
    line([
      pad(r.scenario, 16, true),
      pad(r.client, 22, true),
      pad(r.window, 6),
      pad(fmt(r.perSecond), 8),
      pad(fmt(r.p50, 2), 7),
      pad(fmt(r.p99, 2), 7),
      pad(fmt(r.cpuUs), 7),
      pad(fmt(r.cpuUsMin), 7),
      pad(r.errors, 6),
    ]);
  }

  const targets = `targets at 16 and 64 in flight: /raw node >= ${TARGETS['raw node']}, /core >= ${TARGETS['core http request']}`;
  printRatios(result, 'rest-query throughput ratios, msg/s', (r) => r);
  printRatios(
    result,
    `the same by CPU per message (other client / rest-query; steadier when the machine is busy; ${targets})`,
    (r) => r.cpu,
  );

  const o = result.oauth;
  if (o) {
    console.log('\nOAuth 2.0 (client_credentials)');
    if (o.skipped) console.log(`  skipped: ${o.skipped}`);
    else {
      console.log(
        `  cached token, ${o.cached.window} in flight: ${fmt(o.cached.perSecond)} msg/s, p50 ${fmt(o.cached.p50, 2)} ms, ` +
          `p99 ${fmt(o.cached.p99, 2)} ms, ${o.cached.tokenRequests} token requests`,
      );
      const b = o.expiredBurst;
      console.log(
        `  ${b.messages} concurrent at an expired token: ${b.tokenRequests} token request(s) (must be 1), ` +
          `${b.ok} ok, ${b.failed} failed, ${fmt(b.ms)} ms in all`,
      );
    }
  }

  const m = result.memory;
  if (m) {
    console.log(
      `\nMemory through rest-query (${m.window} in flight, ${m.gc ? 'after gc' : 'no gc available'}, ${m.errors} errors)`,
    );
    line([pad('requests', 9), pad('RSS MB', 8), pad('heap MB', 8)]);
    for (const c of m.checkpoints) line([pad(c.requests, 9), pad(fmt(c.rssMb, 1), 8), pad(fmt(c.heapUsedMb, 1), 8)]);
  }

  console.log(
    `\nload average before ${result.loadAverageBefore.map((n) => n.toFixed(2)).join(' ')}, ` +
      `after ${result.loadAverageAfter.map((n) => n.toFixed(2)).join(' ')} (high values mean other work shared the CPUs)`,
  );
}

module.exports = { printTable, ratios, TARGETS };
