'use strict';
// The datasource's HTTP cache through rest-query, beside the raw node's request (the ceiling
// of a node that sends one GET): a *hit* (the query's cacheTtl makes /small fresh: no request
// at all) and a *miss* (every msg asks another URL, so every msg is fetched and stored, the
// LRU evicting as it goes). The bar: a hit costs less CPU per msg than the raw node's
// request. Also: identical GETs in flight with `coalesce` (one request per wave).
const { measureInTurns } = require('./measure');

async function cacheScenarios(api, flow, { window, timing }) {
  const nr = await flow.load(
    [
      { id: 'c-raw', node: { type: 'bench-raw-get', url: `${api.base}/small` } },
      { id: 'c-plain', node: { type: 'rest-query', datasource: 'ds-plain', method: 'GET', path: 'small' } },
      {
        id: 'c-hit',
        node: { type: 'rest-query', datasource: 'ds-cache', method: 'GET', path: 'small', cacheTtl: 3600 },
      },
      {
        id: 'c-miss',
        node: { type: 'rest-query', datasource: 'ds-cache', method: 'GET', path: 'small?n={{n}}', cacheTtl: 3600 },
      },
    ],
    [
      { id: 'ds-plain', type: 'rest-datasource', name: 'bench api', baseUrl: api.base },
      // 1 MB: the miss lane stores ~60-byte bodies, so eviction runs all the time.
      {
        id: 'ds-cache',
        type: 'rest-datasource',
        name: 'bench cached',
        baseUrl: api.base,
        cache: 'http',
        cacheMaxBytes: 1048576,
      },
    ],
  );
  try {
    const ds = nr.node('ds-cache');
    if (!ds || ds.configError || !ds.datasource || !ds.datasource.cache) {
      const why = ds && ds.configError ? ds.configError.message : 'this build has no HTTP cache';
      console.log(`  cache: skipped (${why})`);
      return { skipped: why };
    }
    const drive = (id) => nr.driver(id);
    const raw = drive('c-raw');
    const plain = drive('c-plain');
    const hit = drive('c-hit');
    const miss = drive('c-miss');
    let n = 0;
    const expect = (cache) => (msg) => {
      if (msg.cache !== cache) throw new Error(`expected msg.cache ${cache}, got ${msg.cache}`);
    };
    const isHit = expect('hit');
    const isMiss = expect('miss');
    await hit({}); // stores /small
    isHit(await hit({}));
    isMiss(await miss({ n: ++n }));
    const clients = {
      'raw node': () => raw({}),
      'rest-query': () => plain({}),
      'rest-query cache hit': async () => isHit(await hit({})),
      'rest-query cache miss': async () => isMiss(await miss({ n: ++n })),
    };
    const measured = await measureInTurns(clients, { window, ...timing });
    for (const [client, r] of Object.entries(measured)) {
      console.log(
        `  cache / ${client} / ${window} in flight: ${Math.round(r.perSecond)} msg/s, ${Math.round(r.cpuUs)} µs CPU/msg`,
      );
    }
    const hitVsRaw = measured['rest-query cache hit'].cpuUs / measured['raw node'].cpuUs;
    const missVsPlain = measured['rest-query cache miss'].cpuUs / measured['rest-query'].cpuUs;
    console.log(
      `  cache: a hit costs ${hitVsRaw.toFixed(2)} of the raw node's CPU per msg ` +
        `(${hitVsRaw < 1 ? 'below' : 'NOT below'} the raw node); a miss ${missVsPlain.toFixed(2)} of rest-query without cache`,
    );
    return {
      window,
      runs: measured,
      hitVsRawCpu: hitVsRaw,
      missVsPlainCpu: missVsPlain,
      entries: ds.datasource.cache.memory.size,
      storedBytes: ds.datasource.cache.memory.bytes,
    };
  } finally {
    await flow.unload();
  }
}

module.exports = { cacheScenarios };
