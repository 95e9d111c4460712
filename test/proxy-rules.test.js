'use strict';
// The pure proxy decisions (src/lib/proxy.ts): NO_PROXY matching and proxy URL parsing.
const assert = require('assert');
const { NoProxyList, parseProxyUrl, proxyRoutesFromEnv, proxyFor } = require('../dist/lib/net/proxy');

describe('proxy: NO_PROXY rules and proxy URLs', function () {
  it('matches host names, domain suffixes, IPs, CIDR ranges and ports', function () {
    const list = new NoProxyList([
      'internal.example',
      '.corp.example',
      '*.lab.example',
      '10.0.0.0/8',
      '192.168.1.7',
      'api.example:8443',
      '[::1]',
      'fd00::/8',
    ]);
    const yes = [
      ['internal.example', 443],
      ['svc.internal.example', 80],
      ['INTERNAL.EXAMPLE.', 80],
      ['corp.example', 80],
      ['a.b.corp.example', 80],
      ['lab.example', 80],
      ['x.lab.example', 80],
      ['10.1.2.3', 80],
      ['192.168.1.7', 80],
      ['api.example', 8443],
      ['::1', 80],
      ['[::1]', 80],
      ['fd12::1', 80],
    ];
    const no = [
      ['notinternal.example', 80],
      ['corp.example.org', 80],
      ['11.1.2.3', 80],
      ['192.168.1.70', 80],
      ['api.example', 443],
      ['::2', 80],
      ['example.com', 80],
    ];
    for (const [host, port] of yes) assert.ok(list.matches(host, port), `${host}:${port} should bypass`);
    for (const [host, port] of no) assert.ok(!list.matches(host, port), `${host}:${port} should use the proxy`);
  });

  it('"*" bypasses everything and an empty list nothing', function () {
    assert.ok(new NoProxyList(['*']).matches('anything.example', 80));
    assert.ok(!new NoProxyList([]).matches('anything.example', 80));
  });

  it('parses proxy URLs with default ports, a missing scheme and encoded credentials', function () {
    const p = parseProxyUrl('http://us%40er:p%3Ass@proxy.example', 'HTTP_PROXY');
    assert.strictEqual(p.port, 80);
    assert.strictEqual(p.label, 'http://proxy.example:80');
    assert.strictEqual(p.authorization, 'Basic ' + Buffer.from('us@er:p:ss').toString('base64'));
    assert.strictEqual(parseProxyUrl('https://proxy.example', 'x').port, 443);
    const bare = parseProxyUrl('proxy.example:3128', 'x');
    assert.deepStrictEqual([bare.protocol, bare.port, bare.authorization], ['http:', 3128, undefined]);
    // Credentials given apart (an http proxy node's) win over those in the URL.
    const node = parseProxyUrl('http://a:b@proxy.example:8080', 'proxy', 'node', 'secret');
    assert.strictEqual(node.authorization, 'Basic ' + Buffer.from('node:secret').toString('base64'));
  });

  it('never echoes a bad proxy URL, which may hold a password', function () {
    assert.throws(
      () => parseProxyUrl('http://user:hunter22@[bad', 'HTTPS_PROXY'),
      (e) => e.code === 'CONFIG_ERROR' && /^HTTPS_PROXY: /.test(e.message) && !e.message.includes('hunter22'),
    );
  });

  it('reads the environment per scheme and registers the password for redaction', function () {
    assert.strictEqual(proxyRoutesFromEnv({ NO_PROXY: 'x' }), undefined);
    const routes = proxyRoutesFromEnv({
      HTTP_PROXY: 'http://upper:case@127.0.0.1:1',
      http_proxy: 'http://u:lower-secret@127.0.0.1:2',
      NO_PROXY: 'skip.example',
    });
    assert.strictEqual(routes.http.port, 2, 'lower case wins');
    assert.strictEqual(routes.https, undefined);
    assert.ok(routes.secrets.includes('lower-secret'));
    assert.strictEqual(proxyFor(routes, 'https:', 'api.example', 443), undefined, 'no HTTPS_PROXY: direct');
    assert.strictEqual(proxyFor(routes, 'http:', 'skip.example', 80), undefined);
    assert.strictEqual(proxyFor(routes, 'http:', 'api.example', 80), routes.http);
  });
});
