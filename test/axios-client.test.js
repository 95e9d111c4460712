'use strict';
// HttpClient sends through its axios instance, with either adapter: the package's node:http
// transport (the default) or axios' own http adapter (the bench's comparison lane). Against
// real servers on 127.0.0.1: both put the same bytes on the wire (path, query, headers as
// AxiosHeaders normalizes them, axios' default Accept, no invented Content-Type), and every
// failure comes out as a RestError with a stable code, never as an AxiosError.
const assert = require('assert');
const zlib = require('zlib');
const net = require('net');
const { AxiosError, AxiosHeaders, CanceledError } = require('axios');
const { HttpClient, CLOSED, TIMEOUT } = require('../dist/lib/http/client');
const { fromAxiosError } = require('../dist/lib/http/axios-errors');
const { Cancel } = require('../dist/lib/http/cancel');
const { RestError } = require('../dist/lib/errors');
const { buildTlsOptions } = require('../dist/lib/net/tls');
const { startServer, closedPort } = require('./lib/server');

const ADAPTERS = ['lean', 'http'];

function wire(origin, { method = 'GET', pathname = '/', rawQuery = '', query = [], headers = [], body } = {}) {
  return {
    method,
    origin,
    pathname,
    rawQuery,
    query,
    headers: new Map(headers.map(([name, value]) => [name.toLowerCase(), [name, value]])),
    body,
    explicitHeaders: new Set(),
    explicitParams: new Set(),
  };
}

const client = (adapter, limits = {}) =>
  new HttpClient({
    tls: buildTlsOptions({ verify: true }),
    maxResponseBytes: limits.maxResponseBytes || 1e6,
    maxRequestBytes: limits.maxRequestBytes || 1e6,
    adapter,
  });

/** What an error must look like when it leaves the client: ours, with nothing of axios on it. */
function assertMapped(err, code) {
  assert.ok(err instanceof RestError, `a RestError, not ${err && err.name}: ${err && err.message}`);
  assert.strictEqual(err.code, code, err.message);
  for (const key of ['config', 'request', 'response', 'isAxiosError', 'cause']) {
    assert.ok(!(key in err), `no ${key} on the error`);
  }
  return true;
}

describe('HttpClient through axios: the wire and the errors, with both adapters', function () {
  let api;
  before(async function () {
    api = await startServer((req, res) => {
      const path = req.url.split('?')[0];
      if (path === '/hang') return; // never answers
      if (path === '/big') {
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Encoding': 'gzip' });
        return res.end(zlib.gzipSync(Buffer.alloc(5000, 'x')));
      }
      if (path === '/cut') {
        // Announces 1000 bytes, sends 10 and closes the connection.
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '1000' });
        res.write('0123456789');
        return setTimeout(() => res.socket.destroy(), 20);
      }
      if (path === '/gz') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
        return res.end(zlib.gzipSync('{"ok":true}'));
      }
      res.writeHead(201, { 'Content-Type': 'application/json', 'X-Reply': 'yes' });
      res.end(JSON.stringify({ url: req.url, headers: req.headers, body: req.body.toString('utf8') }));
    });
  });
  after(async function () {
    await api.close();
  });

  for (const adapter of ADAPTERS) {
    describe(`adapter: ${adapter}`, function () {
      let c;
      beforeEach(function () {
        api.requests.length = 0;
        c = client(adapter);
      });
      afterEach(function () {
        c.close();
      });

      it('sends the path and query byte for byte and the headers as AxiosHeaders normalizes them', async function () {
        const res = await c.exchange(
          wire(api.url, {
            pathname: "/a/%C3%A9/o'neil",
            rawQuery: 'x=1&y=%20',
            query: [["q'", "it's"]],
            headers: [
              ['Authorization', 'Bearer t '],
              ['X-Ctl', 'a\x01b\r\nc'],
              ['X-Tab', '\tkept\tinside\t'],
            ],
          }),
          new Cancel(),
        );
        assert.strictEqual(res.statusCode, 201);
        assert.strictEqual(res.headers['x-reply'], 'yes');
        const seen = api.requests[0];
        assert.strictEqual(seen.url, "/a/%C3%A9/o'neil?x=1&y=%20&q%27=it%27s");
        assert.strictEqual(seen.headers.authorization, 'Bearer t');
        assert.strictEqual(seen.headers['x-ctl'], 'abc');
        assert.strictEqual(seen.headers['x-tab'], 'kept\tinside');
        // axios' default Accept, the package's user agent, the encodings the client decodes.
        assert.strictEqual(seen.headers.accept, 'application/json, text/plain, */*');
        assert.strictEqual(seen.headers['user-agent'], 'node-red-contrib-rest-datasource');
        assert.strictEqual(seen.headers['accept-encoding'], 'gzip, deflate, br');
        // The response URL is the request's as the datasource built it (encodeURIComponent keeps ').
        assert.strictEqual(res.url, `${api.url}/a/%C3%A9/o'neil?x=1&y=%20&q'=it's`);
      });

      it('keeps headers the request sets itself, and invents no Content-Type for a body without one', async function () {
        await c.exchange(
          wire(api.url, {
            method: 'POST',
            body: Buffer.from('raw bytes'),
            headers: [
              ['accept', 'text/csv'],
              ['User-Agent', 'mine'],
            ],
          }),
          new Cancel(),
        );
        const seen = api.requests[0];
        assert.strictEqual(seen.body.toString(), 'raw bytes');
        assert.strictEqual(seen.headers['content-length'], '9');
        assert.strictEqual(seen.headers['content-type'], undefined, 'no form type made up by axios');
        assert.strictEqual(seen.headers.accept, 'text/csv');
        assert.strictEqual(seen.headers['user-agent'], 'mine');
      });

      it("sends the datasource's constant headers as axios would, and only those a request still carries", async function () {
        // A datasource tells its header rows and static Authorization once per deploy.
        c.presetHeaders([
          ['Authorization', 'Bearer t '],
          ['X-Ctl', 'a\x01b'],
          ['X-Replaced', 'constant'],
          ['X-Dropped', 'constant'],
          ['Accept', 'text/csv'],
        ]);
        const cancel = new Cancel();
        await c.exchange(
          wire(api.url, {
            headers: [
              ['Authorization', 'Bearer t '],
              ['X-Ctl', 'a\x01b'],
              ['X-Replaced', 'from the msg'],
              ['Accept', 'text/csv'],
            ],
          }),
          cancel,
        );
        // The same signal again (a redirect hop) for a request that carries none of them.
        await c.exchange(wire(api.url, { pathname: '/next', headers: [['X-Own', 'mine']] }), cancel);
        const [first, second] = api.requests;
        assert.strictEqual(first.headers.authorization, 'Bearer t');
        assert.strictEqual(first.headers['x-ctl'], 'ab');
        assert.strictEqual(first.headers['x-replaced'], 'from the msg');
        assert.ok(!('x-dropped' in first.headers), 'a constant header the request does not carry is not sent');
        // The constant Accept replaces axios' default, and each header goes out once.
        assert.strictEqual(first.headers.accept, 'text/csv');
        const names = first.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
        assert.deepStrictEqual(
          names.filter((n, i) => names.indexOf(n) !== i),
          [],
          `${names}`,
        );
        assert.strictEqual(first.headers['user-agent'], 'node-red-contrib-rest-datasource');
        for (const name of ['authorization', 'x-ctl', 'x-replaced']) {
          assert.ok(!(name in second.headers), `${name} stays off the second request`);
        }
        assert.strictEqual(second.headers['x-own'], 'mine');
        assert.strictEqual(second.headers.accept, 'application/json, text/plain, */*');
      });

      it('hands back the body as a Buffer, decompressed, without the Content-Encoding', async function () {
        const res = await c.exchange(wire(api.url, { pathname: '/gz' }), new Cancel());
        assert.ok(Buffer.isBuffer(res.body));
        assert.deepStrictEqual(JSON.parse(res.body.toString()), { ok: true });
        assert.strictEqual(res.headers['content-encoding'], undefined);
      });

      it('reports a refused connection as ECONNREFUSED', async function () {
        const port = await closedPort();
        await assert.rejects(c.exchange(wire(`http://127.0.0.1:${port}`), new Cancel()), (e) =>
          assertMapped(e, 'ECONNREFUSED'),
        );
      });

      it('reports a body over maxResponseBytes after decompression as RESPONSE_TOO_LARGE', async function () {
        const small = client(adapter, { maxResponseBytes: 1000 });
        try {
          await assert.rejects(small.exchange(wire(api.url, { pathname: '/big' }), new Cancel()), (e) =>
            assertMapped(e, 'RESPONSE_TOO_LARGE'),
          );
        } finally {
          small.close();
        }
      });

      it('reports a connection closed in the middle of the body as ECONNRESET', async function () {
        await assert.rejects(c.exchange(wire(api.url, { pathname: '/cut' }), new Cancel()), (e) =>
          assertMapped(e, 'ECONNRESET'),
        );
      });

      it('reports an exchange aborted in flight as ABORTED, or ETIMEDOUT when the timeout aborted it', async function () {
        for (const [reason, code] of [
          [CLOSED, 'ABORTED'],
          [TIMEOUT, 'ETIMEDOUT'],
        ]) {
          const cancel = new Cancel();
          const sent = c.exchange(wire(api.url, { pathname: '/hang' }), cancel);
          const before = api.requests.length;
          while (api.requests.length === before) await new Promise((r) => setTimeout(r, 5));
          cancel.abort(reason);
          await assert.rejects(sent, (e) => assertMapped(e, code));
        }
      });

      it('sends nothing for an exchange aborted before it starts', async function () {
        const cancel = new Cancel();
        cancel.abort(TIMEOUT);
        await assert.rejects(c.exchange(wire(api.url), cancel), (e) => assertMapped(e, 'ETIMEDOUT'));
        // Give a request that should not exist the time to arrive.
        await new Promise((r) => setTimeout(r, 50));
        assert.strictEqual(api.requests.length, 0);
      });
    });
  }

  it('answers a request with an absolute URL for a path with an error, not a request elsewhere', async function () {
    // allowAbsoluteUrls: false: an absolute `url` never replaces the datasource's origin.
    const other = await startServer();
    const c = client('lean');
    try {
      await assert.rejects(
        c.axios.request({ baseURL: api.url, url: `${other.url}/x`, signal: new Cancel() }),
        /needs an origin and a path/,
      );
      assert.strictEqual(other.requests.length, 0);
    } finally {
      c.close();
      await other.close();
    }
  });
});

describe('response headers as node:http parses them', function () {
  it('are already what AxiosHeaders normalize() makes of them, which the lean adapter relies on', async function () {
    // Raw bytes, so the blanks, obs-text and repeats reach the parser as a server could send them.
    const server = net.createServer((socket) => {
      socket.once('data', () => {
        socket.end(
          Buffer.from(
            'HTTP/1.1 200 OK\r\n' +
              'X-Pad:   padded\t \r\n' +
              'X-Inner: a  \t b\r\n' +
              'X-Obs: caf\xe9 \xff\r\n' +
              'X-Empty:\r\n' +
              'X-UPPER: V\r\n' +
              'Set-Cookie: a=1\r\n' +
              'Set-Cookie:  b=2 \r\n' +
              'x-dup: 1\r\n' +
              'X-Dup: 2\r\n' +
              'Content-Length: 2\r\nConnection: close\r\n\r\nok',
            'latin1',
          ),
        );
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const c = client('lean');
    try {
      const origin = `http://127.0.0.1:${server.address().port}`;
      const res = await c.axios.request({ baseURL: origin, url: '/', signal: new Cancel() });
      const parsed = res.headers.toJSON();
      assert.strictEqual(parsed['x-pad'], 'padded');
      assert.deepStrictEqual(parsed['set-cookie'], ['a=1', 'b=2']);
      assert.deepStrictEqual(
        parsed,
        AxiosHeaders.from({ ...parsed })
          .normalize()
          .toJSON(),
        'normalize() would change nothing',
      );
      // Title-cased names on request still come from AxiosHeaders itself.
      assert.ok('X-Pad' in res.headers.normalize(true).toJSON());
    } finally {
      c.close();
      server.close();
    }
  });
});

describe('axios errors as stable codes', function () {
  const limits = { maxResponseBytes: 10, maxRequestBytes: 20 };
  const idle = { aborted: false };
  const url = 'http://api.example/x';

  it('maps each AxiosError code to a RestError and drops the axios error', function () {
    const cases = [
      [new AxiosError('Maximum number of redirects exceeded', 'ERR_FR_TOO_MANY_REDIRECTS'), 'TOO_MANY_REDIRECTS'],
      [new AxiosError('maxContentLength size of 10 exceeded', 'ERR_BAD_RESPONSE'), 'RESPONSE_TOO_LARGE'],
      [new AxiosError('stream has been aborted', 'ERR_BAD_RESPONSE'), 'ECONNRESET'],
      [new AxiosError('Request body larger than maxBodyLength limit', 'ERR_BAD_REQUEST'), 'REQUEST_TOO_LARGE'],
      [new AxiosError('timeout of 5ms exceeded', 'ECONNABORTED'), 'ETIMEDOUT'],
      [new AxiosError('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'), 'ECONNREFUSED'],
      [new AxiosError('socket hang up', 'ECONNRESET'), 'ECONNRESET'],
      [new AxiosError('Invalid URL', 'ERR_INVALID_URL'), 'CONFIG_ERROR'],
      [new AxiosError('Unsupported protocol ftp:', 'ERR_NOT_SUPPORT'), 'CONFIG_ERROR'],
      [new AxiosError('Network Error', 'ERR_NETWORK'), 'NETWORK_ERROR'],
      [new CanceledError('canceled'), 'ABORTED'],
    ];
    for (const [err, code] of cases) {
      err.config = { headers: { Authorization: 'Bearer secret' } };
      const mapped = fromAxiosError(err, url, limits, idle);
      assertMapped(mapped, code);
      assert.ok(!mapped.message.includes('secret'), mapped.message);
    }
    assert.strictEqual(
      fromAxiosError(new AxiosError('Invalid URL', 'ERR_INVALID_URL'), url, limits, idle).field,
      'baseUrl',
    );
  });

  it('reports whatever error an abort caused as the abort', function () {
    const err = new AxiosError('socket hang up', 'ECONNRESET');
    assertMapped(fromAxiosError(err, url, limits, { aborted: true, reason: TIMEOUT }), 'ETIMEDOUT');
    assertMapped(fromAxiosError(err, url, limits, { aborted: true, reason: CLOSED }), 'ABORTED');
    assertMapped(fromAxiosError(new CanceledError(), url, limits, { aborted: true, reason: TIMEOUT }), 'ETIMEDOUT');
  });

  it('keeps the TLS hints of a certificate error axios wrapped', function () {
    const cause = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const err = AxiosError.from(cause, undefined, {}, {});
    const mapped = fromAxiosError(err, url, limits, idle);
    assertMapped(mapped, 'TLS_ERROR');
    assert.match(mapped.message, /self-signed/);
  });
});
