'use strict';
// The datasource's HTTP cache (cache: http) and request coalescing (coalesce), against a real
// origin server that counts every request and the conditional headers it carried. Freshness is
// set up with Age, Date and Expires (an entry stale from the start) rather than by waiting.
const assert = require('assert');
const { helper, loadQuery, collect, useRuntime, statusTexts } = require('./lib/nr');
const { startServer, closedPort } = require('./lib/server');
const { secret } = require('./lib/secrets');

const SIG_KEY = secret('cache-signature-key-of-32-characters');

/** "200 (cached)"; the test runtime has no catalogs, so RED._ answers the key. */
const isCachedStatus = (text) => text === '200 rest-query.status.cached' || text === '200 (cached)';

describe('HTTP cache', function () {
  let api;
  /** path (without query) → handler(req, res, n) where n counts that path's requests so far */
  let routes;
  useRuntime();
  beforeEach(async function () {
    routes = {};
    const counts = {};
    api = await startServer((req, res) => {
      const path = req.url.split('?')[0];
      counts[path] = (counts[path] || 0) + 1;
      const route = routes[path];
      if (!route) {
        res.statusCode = 404;
        return res.end('no route');
      }
      return route(req, res, counts[path]);
    });
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
  });

  /** The requests the origin received for a path (any query, any method unless given). */
  const seen = (path, method) =>
    api.requests.filter((r) => r.url.split('?')[0] === path && (!method || r.method === method));

  /** A JSON route answering {n} (which request of this path it is) with these headers. */
  const json =
    (headers = {}, status = 200) =>
    (req, res, n) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify({ n }));
    };

  const load = (ds = {}, query = {}, credentials = {}) =>
    loadQuery({
      ds: { baseUrl: api.url, cache: 'http', ...ds },
      query: { method: 'msg', path: '', ...query },
      credentials,
    });

  async function twice(ctx, msg = {}) {
    const a = await ctx.run({ path: 'r', ...msg });
    const b = await ctx.run({ path: 'r', ...msg });
    return [a, b];
  }

  describe('off (the default)', function () {
    it('sends every request and sets no msg.cache, as before', async function () {
      routes['/r'] = json({ 'Cache-Control': 'max-age=3600' });
      const ctx = await loadQuery({ ds: { baseUrl: api.url }, query: { path: 'r' } });
      const a = await ctx.run({});
      const b = await ctx.run({});
      assert.strictEqual(seen('/r').length, 2);
      assert.ok(!('cache' in a.msg) && !('cache' in b.msg));
      assert.deepStrictEqual(b.msg.payload, { n: 2 });
    });
  });

  describe('freshness (RFC 9111 §4.2)', function () {
    it('max-age: a fresh response answers without a request; the status says cached', async function () {
      routes['/r'] = json({ 'Cache-Control': 'max-age=3600' });
      const ctx = await load();
      const [a, b] = await twice(ctx);
      assert.strictEqual(seen('/r').length, 1);
      assert.strictEqual(a.msg.cache, 'miss');
      assert.strictEqual(b.msg.cache, 'hit');
      assert.deepStrictEqual(b.msg.payload, { n: 1 });
      assert.strictEqual(b.msg.statusCode, 200);
      assert.strictEqual(b.msg.headers['cache-control'], 'max-age=3600');
      assert.match(b.msg.headers.age, /^\d+$/);
      assert.ok(statusTexts(ctx.q).some(isCachedStatus), statusTexts(ctx.q).join(' | '));
    });

    it('no-store: never stored', async function () {
      routes['/r'] = json({ 'Cache-Control': 'no-store, max-age=3600' });
      const [a, b] = await twice(await load());
      assert.strictEqual(seen('/r').length, 2);
      assert.strictEqual(a.msg.cache, 'miss');
      assert.strictEqual(b.msg.cache, 'miss');
      assert.deepStrictEqual(b.msg.payload, { n: 2 });
    });

    it('Age counts against max-age: a response already older than max-age is stale at once', async function () {
      routes['/r'] = json({ 'Cache-Control': 'max-age=60', Age: '61' });
      const ctx = await load();
      const [, b] = await twice(ctx);
      assert.strictEqual(seen('/r').length, 2);
      assert.deepStrictEqual(b.msg.payload, { n: 2 });
      // ... and with Age below max-age it is fresh
      routes['/s'] = json({ 'Cache-Control': 'max-age=60', Age: '30' });
      await ctx.run({ path: 's' });
      const c = await ctx.run({ path: 's' });
      assert.strictEqual(seen('/s').length, 1);
      assert.strictEqual(c.msg.cache, 'hit');
    });

    it('Expires against Date: fresh until then; an Expires in the past or invalid is stale', async function () {
      const date = new Date();
      routes['/r'] = json({ Date: date.toUTCString(), Expires: new Date(+date + 3600e3).toUTCString() });
      const ctx = await load();
      const [, b] = await twice(ctx);
      assert.strictEqual(seen('/r').length, 1);
      assert.strictEqual(b.msg.cache, 'hit');
      routes['/old'] = json({ Date: date.toUTCString(), Expires: new Date(+date - 1000).toUTCString() });
      routes['/zero'] = json({ Expires: '0' });
      for (const path of ['old', 'old', 'zero', 'zero']) await ctx.run({ path });
      assert.strictEqual(seen('/old').length, 2);
      assert.strictEqual(seen('/zero').length, 2);
    });

    it('HEAD is stored apart from GET; OPTIONS is never stored', async function () {
      routes['/r'] = json({ 'Cache-Control': 'max-age=3600' });
      const ctx = await load();
      const h1 = await ctx.run({ path: 'r', method: 'HEAD' });
      const h2 = await ctx.run({ path: 'r', method: 'HEAD' });
      const g1 = await ctx.run({ path: 'r' });
      await ctx.run({ path: 'r', method: 'OPTIONS' });
      await ctx.run({ path: 'r', method: 'OPTIONS' });
      assert.deepStrictEqual([h1.msg.cache, h2.msg.cache, g1.msg.cache], ['miss', 'hit', 'miss']);
      assert.strictEqual(h2.msg.payload, '');
      assert.deepStrictEqual(g1.msg.payload, { n: 2 });
      assert.deepStrictEqual(
        seen('/r').map((r) => r.method),
        ['HEAD', 'GET', 'OPTIONS', 'OPTIONS'],
      );
    });

    it('max-age wins over Expires (RFC 9111 §5.3)', async function () {
      routes['/r'] = json({ 'Cache-Control': 'max-age=3600', Expires: 'Thu, 01 Jan 1970 00:00:00 GMT' });
      const [, b] = await twice(await load());
      assert.strictEqual(seen('/r').length, 1);
      assert.strictEqual(b.msg.cache, 'hit');
    });

    it('must-revalidate: fresh answers from the cache, stale is never served (not even on error)', async function () {
      routes['/r'] = json({ 'Cache-Control': 'max-age=3600, must-revalidate' });
      const ctx = await load({ staleIfError: 3600 });
      const [, b] = await twice(ctx);
      assert.strictEqual(seen('/r').length, 1, 'a fresh must-revalidate response is a hit');
      assert.strictEqual(b.msg.cache, 'hit');
      // stale from the start, then the API fails: the error reaches Catch
      routes['/s'] = (req, res, n) =>
        n === 1
          ? json({ 'Cache-Control': 'max-age=1, must-revalidate', Age: '5' })(req, res, n)
          : json({}, 503)(req, res, n);
      await ctx.run({ path: 's' });
      const c = await ctx.run({ path: 's', headers: { 'Cache-Control': 'max-stale=3600' } });
      assert.strictEqual(seen('/s').length, 2);
      assert.strictEqual(c.error && c.error.error.code, 'HTTP_ERROR');
      assert.strictEqual(c.error.statusCode, 503);
    });

    it('no heuristic freshness: a response with only Last-Modified is revalidated every time', async function () {
      const lm = new Date(Date.now() - 86400e3 * 365).toUTCString();
      routes['/r'] = (req, res, n) => {
        if (req.headers['if-modified-since'] === lm) {
          res.writeHead(304, { 'Last-Modified': lm });
          return res.end();
        }
        json({ 'Last-Modified': lm })(req, res, n);
      };
      const ctx = await load();
      const [, b] = await twice(ctx);
      const reqs = seen('/r');
      assert.strictEqual(reqs.length, 2);
      assert.strictEqual(reqs[0].headers['if-modified-since'], undefined);
      assert.strictEqual(reqs[1].headers['if-modified-since'], lm);
      assert.strictEqual(b.msg.cache, 'revalidated');
      assert.deepStrictEqual(b.msg.payload, { n: 1 });
    });
  });

  describe('validation (RFC 9111 §4.3)', function () {
    it('no-cache with an ETag: revalidated with If-None-Match; the 304 refreshes the stored headers', async function () {
      routes['/r'] = (req, res, n) => {
        if (req.headers['if-none-match'] === '"v1"') {
          res.writeHead(304, { ETag: '"v1"', 'X-Seen': String(n), 'Cache-Control': 'max-age=3600' });
          return res.end();
        }
        json({ ETag: '"v1"', 'Cache-Control': 'no-cache', 'X-Seen': String(n) })(req, res, n);
      };
      const ctx = await load();
      const a = await ctx.run({ path: 'r' });
      const b = await ctx.run({ path: 'r' });
      const reqs = seen('/r');
      assert.strictEqual(reqs.length, 2);
      assert.strictEqual(reqs[0].headers['if-none-match'], undefined);
      assert.strictEqual(reqs[1].headers['if-none-match'], '"v1"');
      assert.strictEqual(a.msg.cache, 'miss');
      assert.strictEqual(b.msg.cache, 'revalidated');
      assert.strictEqual(b.msg.statusCode, 200);
      assert.deepStrictEqual(b.msg.payload, { n: 1 });
      assert.strictEqual(b.msg.headers['x-seen'], '2');
      // The 304 said max-age=3600: now fresh, answered without a request.
      const c = await ctx.run({ path: 'r' });
      assert.strictEqual(seen('/r').length, 2);
      assert.strictEqual(c.msg.cache, 'hit');
      assert.strictEqual(c.msg.headers['x-seen'], '2');
      assert.ok(statusTexts(ctx.q).some(isCachedStatus));
    });

    it('a changed resource answers 200 to the revalidation: stored anew, a miss', async function () {
      routes['/r'] = (req, res, n) => json({ ETag: `"v${n}"`, 'Cache-Control': 'no-cache' })(req, res, n);
      const ctx = await load();
      const [, b] = await twice(ctx);
      assert.strictEqual(seen('/r')[1].headers['if-none-match'], '"v1"');
      assert.strictEqual(b.msg.cache, 'miss');
      assert.deepStrictEqual(b.msg.payload, { n: 2 });
      await ctx.run({ path: 'r' });
      assert.strictEqual(seen('/r')[2].headers['if-none-match'], '"v2"');
    });

    it('a msg with its own If-None-Match is passed through: the flow gets the 304', async function () {
      routes['/r'] = (req, res, n) => {
        if (req.headers['if-none-match'] === '"v1"') {
          res.writeHead(304, { ETag: '"v1"' });
          return res.end();
        }
        json({ ETag: '"v1"', 'Cache-Control': 'max-age=3600' })(req, res, n);
      };
      const ctx = await load({}, { failOnHttpError: false });
      await ctx.run({ path: 'r' });
      const b = await ctx.run({ path: 'r', headers: { 'If-None-Match': '"v1"' } });
      assert.strictEqual(seen('/r').length, 2);
      assert.strictEqual(b.msg.statusCode, 304);
    });
  });

  describe('Vary (RFC 9111 §4.1)', function () {
    it('keeps one variant per Accept-Language and answers each from its own', async function () {
      routes['/r'] = (req, res, n) => {
        res.writeHead(200, {
          'Content-Type': 'application/json',
          'Cache-Control': 'max-age=3600',
          Vary: 'Accept-Language',
        });
        res.end(JSON.stringify({ n, lang: req.headers['accept-language'] }));
      };
      const ctx = await load();
      // fresh msgs each time: an output msg's headers are the response's
      const en = () => ({ path: 'r', headers: { 'Accept-Language': 'en' } });
      const de = () => ({ path: 'r', headers: { 'Accept-Language': 'de' } });
      await ctx.run(en());
      const b = await ctx.run(de());
      const c = await ctx.run(en());
      const d = await ctx.run(de());
      assert.strictEqual(seen('/r').length, 2);
      assert.deepStrictEqual(b.msg.payload, { n: 2, lang: 'de' });
      assert.deepStrictEqual([c.msg.cache, c.msg.payload], ['hit', { n: 1, lang: 'en' }]);
      assert.deepStrictEqual([d.msg.cache, d.msg.payload], ['hit', { n: 2, lang: 'de' }]);
    });

    it('Vary: * is never answered from the cache', async function () {
      routes['/r'] = json({ 'Cache-Control': 'max-age=3600', Vary: '*' });
      await twice(await load());
      assert.strictEqual(seen('/r').length, 2);
    });
  });

  describe('invalidation (RFC 9111 §4.4)', function () {
    it('a successful POST, PUT, PATCH or DELETE forgets the stored responses of its URL', async function () {
      routes['/r'] = (req, res, n) => {
        if (req.method !== 'GET') {
          res.statusCode = req.url.includes('fail') ? 500 : 204;
          return res.end();
        }
        json({ 'Cache-Control': 'max-age=3600' })(req, res, n);
      };
      const ctx = await load({}, { failOnHttpError: false });
      let gets = 1;
      await ctx.run({ path: 'r' });
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const hit = await ctx.run({ path: 'r' });
        assert.strictEqual(hit.msg.cache, 'hit');
        const changed = await ctx.run({ path: 'r', method, payload: { a: 1 } });
        assert.strictEqual(changed.msg.statusCode, 204);
        const after = await ctx.run({ path: 'r' });
        gets++;
        assert.strictEqual(after.msg.cache, 'miss', method);
        assert.deepStrictEqual(after.msg.payload, { n: gets * 2 - 1 });
      }
      assert.strictEqual(seen('/r', 'GET').length, gets);
      // A failed POST (500) changes nothing: still a hit.
      await ctx.run({ path: 'r?fail=1', method: 'POST' });
      assert.strictEqual((await ctx.run({ path: 'r' })).msg.cache, 'hit');
    });

    it('also forgets the Location a POST answers with, on the same origin', async function () {
      routes['/items/7'] = json({ 'Cache-Control': 'max-age=3600' });
      routes['/items'] = (req, res) => {
        res.writeHead(201, { Location: '/items/7' });
        res.end();
      };
      const ctx = await load();
      await ctx.run({ path: 'items/7' });
      await ctx.run({ path: 'items', method: 'POST', payload: {} });
      const again = await ctx.run({ path: 'items/7' });
      assert.strictEqual(again.msg.cache, 'miss');
      assert.strictEqual(seen('/items/7').length, 2);
    });
  });

  describe('request directives from msg.headers (RFC 9111 §5.2.1)', function () {
    const etagged = (req, res, n) => {
      if (req.headers['if-none-match'] === '"e"') {
        res.writeHead(304, { ETag: '"e"' });
        return res.end();
      }
      json({ ETag: '"e"', 'Cache-Control': 'max-age=3600' })(req, res, n);
    };

    it('no-cache and max-age=0 revalidate a fresh entry; Pragma: no-cache too', async function () {
      routes['/r'] = etagged;
      const ctx = await load();
      await ctx.run({ path: 'r' });
      for (const headers of [
        { 'Cache-Control': 'no-cache' },
        { 'Cache-Control': 'max-age=0' },
        { Pragma: 'no-cache' },
      ]) {
        const r = await ctx.run({ path: 'r', headers });
        assert.strictEqual(r.msg.cache, 'revalidated', JSON.stringify(headers));
        assert.deepStrictEqual(r.msg.payload, { n: 1 });
      }
      assert.deepStrictEqual(
        seen('/r').map((r) => r.headers['if-none-match']),
        [undefined, '"e"', '"e"', '"e"'],
      );
    });

    it('no-store goes to the API and stores nothing', async function () {
      routes['/r'] = json({ 'Cache-Control': 'max-age=3600' });
      const ctx = await load();
      const a = await ctx.run({ path: 'r', headers: { 'Cache-Control': 'no-store' } });
      const b = await ctx.run({ path: 'r' });
      assert.strictEqual(a.msg.cache, 'miss');
      assert.strictEqual(b.msg.cache, 'miss');
      assert.strictEqual(seen('/r').length, 2);
      // the request directive went to the API as asked
      assert.strictEqual(seen('/r')[0].headers['cache-control'], 'no-store');
    });

    it('min-fresh asks for more freshness than is left; max-stale accepts a stale entry', async function () {
      routes['/r'] = json({ 'Cache-Control': 'max-age=3600' });
      routes['/old'] = json({ 'Cache-Control': 'max-age=60', Age: '120' });
      const ctx = await load();
      await ctx.run({ path: 'r' });
      const a = await ctx.run({ path: 'r', headers: { 'Cache-Control': 'min-fresh=7200' } });
      assert.strictEqual(a.msg.cache, 'miss');
      assert.strictEqual(seen('/r').length, 2);
      await ctx.run({ path: 'old' });
      const b = await ctx.run({ path: 'old', headers: { 'Cache-Control': 'max-stale=3600' } });
      assert.strictEqual(b.msg.cache, 'hit');
      assert.deepStrictEqual(b.msg.payload, { n: 1 });
      const c = await ctx.run({ path: 'old', headers: { 'Cache-Control': 'max-stale=10' } });
      assert.strictEqual(c.msg.cache, 'miss');
      assert.strictEqual(seen('/old').length, 2);
    });

    it('only-if-cached: a stored response, or 504 without a request (a Catch gets HTTP_ERROR 504)', async function () {
      routes['/r'] = json({ 'Cache-Control': 'max-age=3600' });
      const ctx = await load();
      const none = await ctx.run({ path: 'r', headers: { 'Cache-Control': 'only-if-cached' } });
      assert.strictEqual(seen('/r').length, 0);
      assert.strictEqual(none.error.error.code, 'HTTP_ERROR');
      assert.strictEqual(none.error.statusCode, 504);
      assert.strictEqual(none.error.cache, 'miss');
      await ctx.run({ path: 'r' });
      const hit = await ctx.run({ path: 'r', headers: { 'Cache-Control': 'only-if-cached' } });
      assert.strictEqual(hit.msg.cache, 'hit');
      assert.strictEqual(seen('/r').length, 1);
    });
  });

  describe('cacheTtl (query)', function () {
    it('makes a 200 GET without freshness information fresh that long; never a no-store one', async function () {
      routes['/plain'] = json();
      routes['/nostore'] = json({ 'Cache-Control': 'no-store' });
      routes['/short'] = json({ 'Cache-Control': 'max-age=0' });
      const ctx = await load({}, { cacheTtl: 60 });
      for (const path of ['plain', 'plain', 'nostore', 'nostore', 'short', 'short']) await ctx.run({ path });
      assert.strictEqual(seen('/plain').length, 1, 'no freshness information: cacheTtl applies');
      assert.strictEqual(seen('/nostore').length, 2, 'no-store: never stored');
      assert.strictEqual(seen('/short').length, 2, 'the API said max-age=0: cacheTtl does not override it');
    });

    it('without cacheTtl the same response is not kept', async function () {
      routes['/plain'] = json();
      const ctx = await load();
      for (const path of ['plain', 'plain']) await ctx.run({ path });
      assert.strictEqual(seen('/plain').length, 2);
    });
  });

  describe('keyed by credentials', function () {
    it("a msg with its own Authorization never gets another's response", async function () {
      routes['/r'] = (req, res, n) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=3600' });
        res.end(JSON.stringify({ n, who: req.headers.authorization || 'datasource' }));
      };
      const token = secret('cache-ds-token');
      const ctx = await load({ authType: 'bearer' }, {}, { token });
      const alice = () => ({ path: 'r', headers: { Authorization: 'Bearer alice' } });
      const bob = () => ({ path: 'r', headers: { Authorization: 'Bearer bob' } });
      const a1 = await ctx.run(alice());
      const b1 = await ctx.run(bob());
      const d1 = await ctx.run({ path: 'r' });
      const a2 = await ctx.run(alice());
      const b2 = await ctx.run(bob());
      const d2 = await ctx.run({ path: 'r' });
      assert.strictEqual(seen('/r').length, 3);
      assert.strictEqual(a1.msg.payload.who, 'Bearer alice');
      assert.strictEqual(b1.msg.payload.who, 'Bearer bob');
      assert.strictEqual(d1.msg.payload.who, 'Bearer ' + token);
      assert.deepStrictEqual([a2.msg.cache, a2.msg.payload], ['hit', a1.msg.payload]);
      assert.deepStrictEqual([b2.msg.cache, b2.msg.payload], ['hit', b1.msg.payload]);
      assert.deepStrictEqual([d2.msg.cache, d2.msg.payload], ['hit', d1.msg.payload]);
    });

    it('another datasource on the same origin (other credentials) has its own entries', async function () {
      routes['/r'] = (req, res, n) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=3600' });
        res.end(JSON.stringify({ n, key: req.headers['x-api-key'] }));
      };
      const k1 = secret('cache-key-one');
      const k2 = secret('cache-key-two');
      await helper.load(
        require('./lib/nr').NODES,
        [
          { id: 'f1', type: 'tab' },
          { id: 'd1', type: 'rest-datasource', baseUrl: api.url, cache: 'http', authType: 'apiKey' },
          { id: 'd2', type: 'rest-datasource', baseUrl: api.url, cache: 'http', authType: 'apiKey' },
          { id: 'q1', type: 'rest-query', z: 'f1', datasource: 'd1', path: 'r', wires: [['o']] },
          { id: 'q2', type: 'rest-query', z: 'f1', datasource: 'd2', path: 'r', wires: [['o']] },
          { id: 'o', type: 'helper', z: 'f1' },
        ],
        { d1: { apiKey: k1 }, d2: { apiKey: k2 } },
      );
      const o = helper.getNode('o');
      const run = (id) =>
        new Promise((resolve) => {
          o.once('input', resolve);
          helper.getNode(id).receive({});
        });
      const r1 = await run('q1');
      const r2 = await run('q2');
      const r3 = await run('q2');
      assert.strictEqual(seen('/r').length, 2);
      assert.strictEqual(r1.payload.key, k1);
      assert.strictEqual(r2.payload.key, k2);
      assert.deepStrictEqual([r3.cache, r3.payload.key], ['hit', k2]);
    });
  });

  describe('staleIfError (RFC 5861)', function () {
    const staleThen503 =
      (extra = '') =>
      (req, res, n) =>
        n === 1 ? json({ 'Cache-Control': `max-age=1${extra}`, Age: '5' })(req, res, n) : json({}, 503)(req, res, n);

    it('a 503 while the stale entry is within the window: the stored response, msg.cache stale', async function () {
      routes['/r'] = staleThen503();
      const ctx = await load({ staleIfError: 60 });
      const [, b] = await twice(ctx);
      assert.strictEqual(seen('/r').length, 2);
      assert.strictEqual(b.msg.cache, 'stale');
      assert.strictEqual(b.msg.statusCode, 200);
      assert.deepStrictEqual(b.msg.payload, { n: 1 });
      // (the test runtime has no catalogs: RED._ answers the key)
      assert.ok(statusTexts(ctx.q).includes('200 rest-query.status.stale'), statusTexts(ctx.q).join(' | '));
    });

    it('after the window the 503 reaches Catch as before', async function () {
      routes['/r'] = staleThen503();
      const ctx = await load({ staleIfError: 2 });
      const [, b] = await twice(ctx);
      assert.strictEqual(b.error.error.code, 'HTTP_ERROR');
      assert.strictEqual(b.error.statusCode, 503);
    });

    it("the response's own stale-if-error works without the setting", async function () {
      routes['/r'] = staleThen503(', stale-if-error=60');
      const ctx = await load();
      const [, b] = await twice(ctx);
      assert.strictEqual(b.msg.cache, 'stale');
      assert.deepStrictEqual(b.msg.payload, { n: 1 });
    });

    it('a refused connection while stale: the stored response; after the window ECONNREFUSED', async function () {
      routes['/r'] = json({ 'Cache-Control': 'max-age=1', Age: '5' });
      const ctx = await load({ staleIfError: 60 });
      await ctx.run({ path: 'r' });
      await api.close();
      const b = await ctx.run({ path: 'r' });
      assert.strictEqual(b.msg.cache, 'stale');
      assert.deepStrictEqual(b.msg.payload, { n: 1 });
      await helper.unload();
      const port = await closedPort();
      const ctx2 = await loadQuery({
        ds: { baseUrl: `http://127.0.0.1:${port}`, cache: 'http', staleIfError: 3 },
        query: { path: 'r' },
      });
      const c = await ctx2.run({});
      assert.strictEqual(c.error.error.code, 'ECONNREFUSED');
    });
  });

  describe('coalesce', function () {
    /** Hold every response until released; resolves `arrived` at the first request. */
    function held(body, headers = {}) {
      let release;
      const gate = new Promise((r) => (release = r));
      let arrived;
      const first = new Promise((r) => (arrived = r));
      const route = async (req, res, n) => {
        arrived();
        await gate;
        if (body === 'destroy') return res.socket.destroy();
        res.writeHead(200, { 'Content-Type': headers['Content-Type'] || 'application/json', ...headers });
        res.end(typeof body === 'function' ? body(n) : body);
      };
      return { route, release, first };
    }

    /** Send `count` msgs at once; release the origin once all of them are inside the node. */
    async function burst(ctx, count, h, msg = {}) {
      const got = collect(ctx);
      let inside = 0;
      const allInside = new Promise((resolve) => {
        ctx.q.on('input', () => {
          if (++inside === count) setImmediate(resolve);
        });
      });
      for (let i = 0; i < count; i++) ctx.q.receive({ path: 'r', i, ...msg });
      await allInside;
      await h.first;
      h.release();
      while (got.outputs.length + got.errors.length < count) await new Promise((r) => setTimeout(r, 5));
      return got;
    }

    it('50 identical GETs in flight: one upstream request, 50 outputs with their own payloads', async function () {
      const h = held((n) => JSON.stringify({ n, items: [1, 2] }));
      routes['/r'] = h.route;
      const ctx = await load({ cache: 'off', coalesce: true });
      const { outputs, errors } = await burst(ctx, 50, h);
      assert.strictEqual(errors.length, 0);
      assert.strictEqual(seen('/r').length, 1);
      assert.strictEqual(outputs.length, 50);
      assert.deepStrictEqual(new Set(outputs.map((m) => m.i)).size, 50, 'each msg its own output');
      assert.strictEqual(outputs.filter((m) => m.cache === 'shared').length, 49);
      assert.strictEqual(outputs.filter((m) => m.cache === 'miss').length, 1);
      // One flow changing its payload does not change another's.
      outputs[0].payload.items.push(3);
      outputs[0].headers['x-mine'] = '1';
      for (const m of outputs.slice(1)) {
        assert.deepStrictEqual(m.payload, { n: 1, items: [1, 2] });
        assert.strictEqual(m.headers['x-mine'], undefined);
      }
    });

    it('binary payloads are copies: writing into one Buffer leaves the others', async function () {
      const h = held(Buffer.from([1, 2, 3, 4]), { 'Content-Type': 'application/octet-stream' });
      routes['/r'] = h.route;
      const ctx = await load({ coalesce: true }, { responseType: 'binary' });
      const { outputs } = await burst(ctx, 5, h);
      assert.strictEqual(seen('/r').length, 1);
      outputs[0].payload[0] = 99;
      for (const m of outputs.slice(1)) assert.deepStrictEqual([...m.payload], [1, 2, 3, 4]);
    });

    it('with cache: the stored Buffer is never handed out; a hit gets its own copy', async function () {
      routes['/r'] = (req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Cache-Control': 'max-age=3600' });
        res.end(Buffer.from([5, 6]));
      };
      const ctx = await load({}, { responseType: 'binary' });
      const a = await ctx.run({ path: 'r' });
      a.msg.payload[0] = 0;
      const b = await ctx.run({ path: 'r' });
      b.msg.payload[1] = 0;
      const c = await ctx.run({ path: 'r' });
      assert.deepStrictEqual([...c.msg.payload], [5, 6]);
      assert.strictEqual(seen('/r').length, 1);
    });

    it('a failure reaches the Catch node of every msg that waited', async function () {
      const h = held('destroy');
      routes['/r'] = h.route;
      const ctx = await load({ cache: 'off', coalesce: true });
      const { outputs, errors } = await burst(ctx, 10, h);
      assert.strictEqual(outputs.length, 0);
      assert.strictEqual(errors.length, 10);
      assert.strictEqual(new Set(errors.map((m) => m.i)).size, 10);
      assert.strictEqual(seen('/r').length, 1);
    });

    it('requests that differ in a header are not joined', async function () {
      const h = held('{}');
      routes['/r'] = h.route;
      const ctx = await load({ cache: 'off', coalesce: true });
      const got = collect(ctx);
      ctx.q.receive({ path: 'r', headers: { 'X-A': '1' } });
      ctx.q.receive({ path: 'r', headers: { 'X-A': '2' } });
      while (seen('/r').length < 2) await new Promise((r) => setTimeout(r, 5));
      h.release();
      while (got.outputs.length < 2) await new Promise((r) => setTimeout(r, 5));
      assert.deepStrictEqual(
        got.outputs.map((m) => m.cache),
        ['miss', 'miss'],
      );
    });
  });

  describe('memory', function () {
    it('200 distinct 100 KB responses under cacheMaxBytes 1 MB: the heap grows far less than 10 MB', async function () {
      const body = Buffer.alloc(100 * 1024, 'x');
      routes['/big'] = (req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Cache-Control': 'max-age=3600' });
        res.end(body);
      };
      const ctx = await load({ cacheMaxBytes: 1024 * 1024 }, { responseType: 'binary' });
      // warm up (first requests allocate the runtime's own buffers)
      for (let i = 0; i < 5; i++) await ctx.run({ path: 'big', params: { i: 'warm' + i } });
      // Buffers are freed by collections and the finalizers after them: a few rounds of both.
      const settle = async () => {
        for (let i = 0; i < 4; i++) {
          global.gc();
          await new Promise((r) => setImmediate(r));
        }
      };
      helper._sandbox.resetHistory();
      await settle();
      const before = process.memoryUsage();
      for (let i = 0; i < 200; i++) {
        const r = await ctx.run({ path: 'big', params: { i } });
        assert.strictEqual(r.msg.payload.length, body.length);
      }
      // The test helper's spies keep every msg a node sent (with its 100 KB payload): forget them.
      helper._sandbox.resetHistory();
      await settle();
      const after = process.memoryUsage();
      const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
      const memory = ctx.ds.datasource.cache.memory;
      assert.ok(memory.bytes <= 1024 * 1024, `cache holds ${memory.bytes} bytes`);
      assert.ok(memory.size >= 8, `the bound keeps the most recent entries (${memory.size})`);
      assert.ok(grown < 10 * 1024 * 1024, `grew ${(grown / 1048576).toFixed(1)} MB`);
      // the most recent one is still a hit, the first one was evicted
      assert.strictEqual((await ctx.run({ path: 'big', params: { i: 199 } })).msg.cache, 'hit');
      assert.strictEqual((await ctx.run({ path: 'big', params: { i: 0 } })).msg.cache, 'miss');
    });
  });

  describe('with the rest of the pipeline', function () {
    it('pagination: every page is cached under its own URL', async function () {
      routes['/pages'] = (req, res) => {
        const page = Number(new URL(req.url, api.url).searchParams.get('page') || 1);
        const headers = { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=3600' };
        if (page < 3) headers.Link = `<${api.url}/pages?page=${page + 1}>; rel="next"`;
        res.writeHead(200, headers);
        res.end(JSON.stringify([page]));
      };
      const ctx = await load({}, { path: 'pages', paginate: 'link', pageOutput: 'all' });
      const a = await ctx.run({});
      const b = await ctx.run({});
      assert.deepStrictEqual(a.msg.payload, [1, 2, 3]);
      assert.deepStrictEqual(b.msg.payload, [1, 2, 3]);
      assert.strictEqual(seen('/pages').length, 3);
      assert.strictEqual(b.msg.cache, 'hit');
    });

    it('signed requests are cached by what they ask, not by their signature', async function () {
      routes['/r'] = json({ 'Cache-Control': 'max-age=3600' });
      const ctx = await load({ signatureEnabled: true }, {}, { signatureKey: SIG_KEY });
      const [a, b] = await twice(ctx);
      assert.ok(seen('/r')[0].headers['x-signature']);
      assert.strictEqual(seen('/r').length, 1);
      assert.deepStrictEqual([a.msg.cache, b.msg.cache], ['miss', 'hit']);
    });

    it('AWS SigV4 and OAuth 1.0a: signed at the wire, cached by what they ask', async function () {
      routes['/r'] = json({ 'Cache-Control': 'max-age=3600' });
      const aws = await load(
        { authType: 'awsSigV4', awsRegion: 'eu-west-1', awsService: 'execute-api' },
        {},
        { awsAccessKeyId: 'AKIDEXAMPLE', awsSecretAccessKey: secret('cache-aws-secret') },
      );
      const [a1, a2] = await twice(aws);
      assert.match(seen('/r')[0].headers.authorization, /^AWS4-HMAC-SHA256 /);
      assert.deepStrictEqual([a1.msg.cache, a2.msg.cache], ['miss', 'hit']);
      assert.strictEqual(seen('/r').length, 1);
      await helper.unload();
      const oauth1 = await load(
        { authType: 'oauth1' },
        {},
        { oauth1ConsumerKey: 'consumer', oauth1ConsumerSecret: secret('cache-oauth1-secret') },
      );
      const [o1, o2] = await twice(oauth1);
      assert.match(seen('/r')[1].headers.authorization, /^OAuth /);
      assert.deepStrictEqual([o1.msg.cache, o2.msg.cache], ['miss', 'hit']);
      assert.strictEqual(seen('/r').length, 2, 'another datasource (other credentials): its own entry');
    });

    it('{{$token}} slots: the key holds the slot, not the token', async function () {
      routes['/r'] = json({ 'Cache-Control': 'max-age=3600' });
      const token = secret('cache-slot-token');
      const ctx = await load(
        { authType: 'bearer', headers: [{ name: 'X-Token', value: '{{$token}}' }] },
        {},
        { token },
      );
      const [, b] = await twice(ctx);
      assert.strictEqual(seen('/r')[0].headers['x-token'], token);
      assert.strictEqual(b.msg.cache, 'hit');
      assert.strictEqual(seen('/r').length, 1);
    });

    it('a hit takes no rate-limit slot', async function () {
      routes['/r'] = json({ 'Cache-Control': 'max-age=3600' });
      const ctx = await load({ rateLimit: 1 });
      await ctx.run({ path: 'r' });
      const got = collect(ctx);
      for (let i = 0; i < 20; i++) ctx.q.receive({ path: 'r' });
      while (got.outputs.length < 20) await new Promise((r) => setTimeout(r, 5));
      assert.ok(got.outputs.every((m) => m.cache === 'hit'));
      assert.strictEqual(seen('/r').length, 1);
    });
  });
});
