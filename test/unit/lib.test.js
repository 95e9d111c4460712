'use strict';
// Direct tests of the pure request-pipeline modules (src/lib has no Node-RED import).
const assert = require('assert');
const { Redactor, MASK } = require('../../dist/lib/redact');
const { parseRetryAfter, backoff, retryableStatus, retryableError } = require('../../dist/lib/http/retry');
const { joinPath, resolveUrl, fillPath } = require('../../dist/lib/http/url');
const { parseBaseUrl } = require('../../dist/lib/base-url');
const { parseDigestChallenge } = require('../../dist/lib/auth/digest');
const { parseSetCookies, decodeBody } = require('../../dist/lib/http/response');
const { parseSettings } = require('../../dist/lib/settings');
const { Limiter } = require('../../dist/lib/features/limiter');
const { wireHeaders, normalizeHeaderValue } = require('../../dist/lib/http/client');
const { AxiosHeaders } = require('axios');

describe('lib: redaction', function () {
  it('masks every secret and its URL-encoded form, longest first', function () {
    const r = new Redactor().add('abc', 'abcdef', 'p@ss word', undefined, '', 'xy');
    assert.strictEqual(r.redact('x abcdef y abc z'), `x ${MASK} y ${MASK} z`);
    assert.strictEqual(r.redact('q=p%40ss%20word'), `q=${MASK}`);
    // two-character values are not treated as secrets (they would mask ordinary text)
    assert.strictEqual(r.redact('xy'), 'xy');
  });

  it('masks the forms an echo gives a secret: form-encoded, JSON-escaped, whitespace squeezed', function () {
    const value = 'a "b"\\c\td  e/f!';
    const r = new Redactor().add(value);
    for (const form of [
      value,
      encodeURIComponent(value),
      new URLSearchParams({ k: value }).toString().slice(2),
      JSON.stringify(value).slice(1, -1),
      JSON.stringify(value).slice(1, -1).replace(/\//g, '\\/'),
      value.replace(/\s+/g, ' '),
    ]) {
      assert.strictEqual(r.redact(`<${form}>`), `<${MASK}>`, form);
    }
  });
});

describe('lib: HTTP client', function () {
  it('never sends a Host header, whatever put it on the request', async function () {
    const { HttpClient } = require('../../dist/lib/http/client');
    const { buildTlsOptions } = require('../../dist/lib/net/tls');
    const { startServer } = require('../lib/server');
    const api = await startServer();
    const client = new HttpClient({
      tls: buildTlsOptions({ verify: true }),
      maxResponseBytes: 1e6,
      maxRequestBytes: 1e6,
    });
    try {
      const req = (headers) => ({
        method: 'GET',
        origin: api.url,
        pathname: '/',
        rawQuery: '',
        query: [],
        headers: new Map(headers),
        explicitHeaders: new Set(),
        explicitParams: new Set(),
      });
      const signal = new AbortController().signal;
      await assert.rejects(
        client.exchange(req([['host', ['Host', 'other.example']]]), signal),
        (e) => e.code === 'CONFIG_ERROR',
      );
      assert.strictEqual(api.requests.length, 0);
      assert.strictEqual((await client.exchange(req([]), signal)).statusCode, 200);
      assert.strictEqual(api.requests[0].headers.host, api.url.slice('http://'.length));
    } finally {
      client.close();
      await api.close();
    }
  });
});

describe('lib: retry policy', function () {
  it('reads Retry-After as seconds or as an HTTP date', function () {
    assert.strictEqual(parseRetryAfter('3'), 3000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.strictEqual(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now), 5000);
    assert.strictEqual(parseRetryAfter('soon'), undefined);
    assert.strictEqual(parseRetryAfter(undefined), undefined);
  });

  it('backs off exponentially with jitter, and caps Retry-After', function () {
    for (let i = 0; i < 50; i++) {
      const d = backoff(100, 3);
      assert.ok(d >= 200 && d <= 400, String(d));
    }
    // The documented cap (README: Retry-After is honoured up to 60 s), not the module's constant.
    assert.strictEqual(backoff(100, 1, 3_600_000), 60_000);
    assert.strictEqual(backoff(100, 1, 59_000), 59_000);
  });

  it('retries idempotent methods on 429/5xx, POST only when nothing was sent', function () {
    assert.ok(retryableStatus('GET', 503));
    assert.ok(retryableStatus('PUT', 429));
    assert.ok(!retryableStatus('GET', 501));
    assert.ok(!retryableStatus('POST', 503));
    assert.ok(retryableError('POST', 'ECONNREFUSED'));
    assert.ok(!retryableError('POST', 'ECONNRESET'));
    assert.ok(retryableError('GET', 'ETIMEDOUT'));
    assert.ok(!retryableError('GET', 'TLS_ERROR'));
  });
});

describe('lib: URLs', function () {
  const base = parseBaseUrl('https://api.example.com:8443/v1/');

  it('appends paths as text, never as URL references', function () {
    assert.deepStrictEqual(joinPath(base, 'users?x=1'), {
      origin: 'https://api.example.com:8443',
      pathname: '/v1/users',
      rawQuery: 'x=1',
    });
    assert.strictEqual(joinPath(base, '//evil.com/a').origin, base.origin);
    assert.strictEqual(joinPath(base, 'http://evil.com/a').origin, base.origin);
    assert.strictEqual(joinPath(base, '').pathname, '/v1');
    assert.strictEqual(joinPath(base, 'a#frag').pathname, '/v1/a');
  });

  it('joins every path exactly as URL parsing of base + path would', function () {
    const paths = [
      'users',
      '/users/42',
      'a//b/',
      "o'neil/(x)*!~$&+,;=:@",
      'v1.0/a.b/.hidden/..x/x..',
      '.',
      '..',
      'a/./b',
      'a/../b',
      'a/%2e%2e/b',
      'a b/c"d<e>`f{g}|h^i[j]',
      'a\\b',
      'tab\there',
      'é/ü',
      '%41%zz',
      '',
      '/',
      '?x=1',
      'a?b=c d',
    ];
    for (const b of ['https://api.example.com:8443/v1/', 'http://127.0.0.1:1880', 'http://[::1]:8080/x/y']) {
      const baseUrl = parseBaseUrl(b);
      const basePath = baseUrl.pathname.replace(/\/$/, '');
      for (const p of paths) {
        const rel = p === '' || p.startsWith('?') ? p : '/' + p.replace(/^\/+/, '');
        const u = new URL(baseUrl.origin + basePath + rel);
        if (basePath && u.pathname !== basePath && !u.pathname.startsWith(basePath + '/')) {
          // A path that URL parsing would take out of the base path is refused instead.
          assert.throws(() => joinPath(baseUrl, p), /leaves the base path/, `${b} + ${JSON.stringify(p)}`);
          continue;
        }
        const expected = { origin: u.origin, pathname: u.pathname, rawQuery: u.search.slice(1) };
        assert.deepStrictEqual(joinPath(baseUrl, p), expected, `${b} + ${JSON.stringify(p)}`);
      }
    }
  });

  it('accepts absolute msg.url only on the same origin', function () {
    assert.strictEqual(resolveUrl(base, 'https://api.example.com:8443/x').pathname, '/x');
    assert.throws(() => resolveUrl(base, 'https://api.example.com/x'), /ORIGIN|differs/);
    assert.throws(
      () => resolveUrl(base, 'http://api.example.com:8443/x'),
      (e) => e.code === 'ORIGIN_REFUSED',
    );
    assert.strictEqual(resolveUrl(base, 'rel/path').pathname, '/v1/rel/path');
  });

  it('fills placeholders with URL-encoded values and names the missing one', function () {
    assert.strictEqual(
      fillPath('a/{{ x }}/{{y.z}}', (n) => ({ x: 'a/b', 'y.z': 5 })[n]),
      'a/a%2Fb/5',
    );
    assert.throws(() => fillPath('{{id}}', () => undefined), /set msg\.id/);
  });

  it('fills the same path again with new values, and lets an empty value through only after the ?', function () {
    const path = 'items/{{id}}/x?q={{q}}&r={{q}}';
    assert.strictEqual(
      fillPath(path, (n) => ({ id: 1, q: 'a b' })[n]),
      'items/1/x?q=a%20b&r=a%20b',
    );
    assert.strictEqual(
      fillPath(path, (n) => ({ id: 'é', q: '' })[n]),
      'items/%C3%A9/x?q=&r=',
    );
    assert.throws(
      () => fillPath(path, (n) => ({ id: '..', q: 'x' })[n]),
      (e) => e.code === 'CONFIG_ERROR' && /\{\{id\}\} makes the path segment "\.\."/.test(e.message),
    );
  });
});

describe('lib: Digest challenges and cookies', function () {
  it('parses a Digest challenge among several WWW-Authenticate headers', function () {
    const c = parseDigestChallenge([
      'Basic realm="x"',
      'Digest realm="r, s", nonce="n1", qop="auth,auth-int", algorithm=SHA-256, opaque="o"',
    ]);
    assert.strictEqual(c.realm, 'r, s');
    assert.strictEqual(c.nonce, 'n1');
    assert.strictEqual(c.qop, 'auth');
    assert.strictEqual(c.algorithm, 'SHA-256');
    assert.strictEqual(c.opaque, 'o');
    assert.strictEqual(parseDigestChallenge('Basic realm="x"'), undefined);
  });

  it('parses Set-Cookie headers like the core node', function () {
    const c = parseSetCookies(['sid=a%20b; Path=/; HttpOnly', 'theme=dark; Max-Age=10']);
    assert.deepStrictEqual(c.sid, { value: 'a b', path: '/', httponly: true });
    assert.strictEqual(c.theme['max-age'], '10');
  });

  it('decodes text in the charset the response names', function () {
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]);
    assert.strictEqual(decodeBody(latin1, { 'content-type': 'text/plain; charset=ISO-8859-1' }, 'auto'), 'café');
    assert.deepStrictEqual(decodeBody(Buffer.from([0xff, 0x00]), {}, 'auto'), Buffer.from([0xff, 0x00]));
  });
});

describe('lib: settings', function () {
  it('applies the contract defaults', function () {
    const s = parseSettings({ baseUrl: 'http://h' });
    assert.strictEqual(s.authType, 'none');
    assert.strictEqual(s.timeout, 30000);
    assert.strictEqual(s.maxRedirects, 5);
    assert.strictEqual(s.maxResponseBytes, 52428800);
    assert.strictEqual(s.apiKeyName, 'X-API-Key');
    assert.strictEqual(s.oauth2.headerPrefix, 'Bearer');
    assert.deepStrictEqual(s.oauth2.expiredStatus, [401]);
    assert.strictEqual(s.tlsVerify, true);
  });

  it('fills secret rows from the secrets credential', function () {
    const s = parseSettings(
      {
        baseUrl: 'http://h',
        headers: [
          { name: 'X-Key', secret: true },
          { name: 'X-Open', value: '1' },
        ],
      },
      { secrets: JSON.stringify({ 'headers:x-key': 'hidden' }) },
    );
    assert.deepStrictEqual(s.headers, [
      { name: 'X-Key', value: 'hidden' },
      { name: 'X-Open', value: '1' },
    ]);
    assert.deepStrictEqual(s.secretValues, ['hidden']);
    assert.deepStrictEqual(s.secretHeaderNames, ['x-key']);
  });
});

describe('lib: limiter', function () {
  it('admits in arrival order within the concurrency limit and rejects waiters on close', async function () {
    const l = new Limiter(2, 0);
    const order = [];
    const a = l.acquire().then(() => order.push('a'));
    const b = l.acquire().then(() => order.push('b'));
    const c = l.acquire().then(() => order.push('c'));
    await Promise.all([a, b]);
    assert.deepStrictEqual(order, ['a', 'b']);
    assert.strictEqual(l.waiting, 1);
    l.release();
    await c;
    assert.deepStrictEqual(order, ['a', 'b', 'c']);
    const d = l.acquire();
    l.close();
    await assert.rejects(d, (e) => e.code === 'ABORTED');
  });
});

describe('lib: request headers on the wire', function () {
  it("normalizes values exactly as axios' AxiosHeaders does on every request", function () {
    const values = [
      'plain',
      'Bearer abc.def-ghi',
      ' lead',
      'trail \t',
      '\t both \t',
      'in  side\tkept',
      'token\n',
      'a\r\nb',
      '\x00nul\x07bel\x1fus\x7fdel',
      ' \n ',
      '',
      'obs-text é ü',
      'x\x0by',
    ];
    for (const value of values) {
      const axios = AxiosHeaders.from({ 'X-Test': value }).normalize().toJSON(true)['X-Test'];
      assert.strictEqual(normalizeHeaderValue(value), axios, JSON.stringify(value));
    }
  });

  it('normalizes a megabyte of spaces and tabs in linear time, as AxiosHeaders does', function () {
    // A trim written as /^[\t ]+|[\t ]+$/g takes time quadratic in a run of blanks that does
    // not reach the end: this input takes it minutes. Index loops take milliseconds.
    const run = ' \t'.repeat(256 * 1024);
    const value = `\x01${run}a${run}a${run}`;
    const expected = `a${run}a`;
    let started = Date.now();
    const ours = normalizeHeaderValue(value);
    const oursMs = Date.now() - started;
    assert.ok(ours === expected, `normalizeHeaderValue gave ${ours.length} characters, not ${expected.length}`);
    assert.ok(oursMs < 1000, `normalizeHeaderValue took ${oursMs} ms`);
    started = Date.now();
    const axios = AxiosHeaders.from({ 'X-Long': value }).normalize().toJSON(true)['X-Long'];
    const axiosMs = Date.now() - started;
    assert.ok(axios === expected, `AxiosHeaders gave ${axios.length} characters, not ${expected.length}`);
    assert.ok(axiosMs < 1000, `AxiosHeaders took ${axiosMs} ms`);
  });

  it('hands axios the map in order, then User-Agent, Accept and Accept-Encoding unless the map has them', function () {
    // Values as the flow set them: AxiosHeaders normalizes them on the way out (test/axios-client.test.js).
    const map = new Map([
      ['authorization', ['Authorization', 'Bearer t ']],
      ['x-client', ['X-Client', 'bench']],
    ]);
    assert.deepStrictEqual(Object.entries(wireHeaders(map)), [
      ['Authorization', 'Bearer t '],
      ['X-Client', 'bench'],
      ['User-Agent', 'node-red-contrib-rest-datasource'],
      ['Accept', 'application/json, text/plain, */*'],
      ['Accept-Encoding', 'gzip, deflate, br'],
    ]);
    const own = new Map([
      ['accept', ['accept', 'text/csv']],
      ['user-agent', ['User-Agent', 'mine']],
      ['accept-encoding', ['Accept-Encoding', 'identity']],
    ]);
    assert.deepStrictEqual(wireHeaders(own), {
      accept: 'text/csv',
      'User-Agent': 'mine',
      'Accept-Encoding': 'identity',
    });
  });
});
