'use strict';
// The printed table and the ratios of rest-query against the other clients.

const TARGETS = { 'core http request': 2.5, axios: 0.6 };

function fmt(n, digits = 0) {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}

function pad(text, width, left = false) {
  const s = String(text);
  return left ? s.padEnd(width) : s.padStart(width);
}

/** rest-query's throughput divided by each other client's, per scenario and window. */
function ratios(runs) {
  const out = [];
  const mine = runs.filter((r) => r.client === 'rest-query');
  for (const a of mine) {
    const row = { scenario: a.scenario, window: a.window };
    row.cpu = {};
    for (const other of runs) {
      if (other.scenario !== a.scenario || other.window !== a.window || other.client === 'rest-query') continue;
      row[other.client] = a.perSecond / other.perSecond;
      // The same ratio for CPU-bound capacity (1 / CPU per message): how many more messages
      // rest-query could push through the same CPU. It moves far less with outside load.
      row.cpu[other.client] = other.cpuUs / a.cpuUs;
    }
    out.push(row);
  }
  return out;
}

function printTable(result) {
  const line = (cols) => console.log(cols.join('  '));
  console.log('');
  line([
    pad('scenario', 16, true),
    pad('client', 18, true),
    pad('window', 6),
    pad('msg/s', 8),
    pad('p50 ms', 7),
    pad('p99 ms', 7),
    pad('CPU µs', 7),
    pad('errors', 6),
  ]);
  for (const r of result.runs) {
    line([
      pad(r.scenario, 16, true),
      pad(r.client, 18, true),
      pad(r.window, 6),
      pad(fmt(r.perSecond), 8),
      pad(fmt(r.p50, 2), 7),
      pad(fmt(r.p99, 2), 7),
      pad(fmt(r.cpuUs), 7),
      pad(r.errors, 6),
    ]);
  }

  console.log('\nrest-query throughput ratios (targets: a/b >= 2.5 at 16 and 64 in flight, a/c >= 0.6)');
  line([pad('scenario', 16, true), pad('window', 6), pad('a/b core', 9), pad('a/c axios', 9), pad('a/d http', 9)]);
  for (const r of result.ratios) {
    line([
      pad(r.scenario, 16, true),
      pad(r.window, 6),
      pad(fmt(r['core http request'], 2), 9),
      pad(fmt(r.axios, 2), 9),
      pad(fmt(r['node:http'], 2), 9),
    ]);
  }

  console.log('\nthe same ratios by CPU per message (other client / rest-query; steadier when the machine is busy)');
  line([pad('scenario', 16, true), pad('window', 6), pad('a/b core', 9), pad('a/c axios', 9), pad('a/d http', 9)]);
  for (const r of result.ratios) {
    line([
      pad(r.scenario, 16, true),
      pad(r.window, 6),
      pad(fmt(r.cpu['core http request'], 2), 9),
      pad(fmt(r.cpu.axios, 2), 9),
      pad(fmt(r.cpu['node:http'], 2), 9),
    ]);
  }

  const o = result.oauth;
  console.log('\nOAuth 2.0 (client_credentials)');
  if (!o || o.skipped) console.log(`  skipped: ${o ? o.skipped : 'not run'}`);
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

  const m = result.memory;
  console.log(
    `\nMemory through rest-query (${m.window} in flight, ${m.gc ? 'after gc' : 'no gc available'}, ${m.errors} errors)`,
  );
  line([pad('requests', 9), pad('RSS MB', 8), pad('heap MB', 8)]);
  for (const c of m.checkpoints) line([pad(c.requests, 9), pad(fmt(c.rssMb, 1), 8), pad(fmt(c.heapUsedMb, 1), 8)]);

  console.log(
    `\nload average before ${result.loadAverageBefore.map((n) => n.toFixed(2)).join(' ')}, ` +
      `after ${result.loadAverageAfter.map((n) => n.toFixed(2)).join(' ')} (high values mean other work shared the CPUs)`,
  );
}

module.exports = { printTable, ratios, TARGETS };
