'use strict';
// OAuth 1.0a building blocks against the worked examples of RFC 5849 (§1.2, §3.4.1, §3.4.4),
// and the scheme's own rules (fresh nonce, two-legged, explicit Authorization kept).
const assert = require('assert');
const {
  baseStringUri,
  normalizedParameters,
  signatureBaseString,
  sign,
  authorizationHeader,
  oauth1Auth,
  parseOAuth1Key,
} = require('../../dist/lib/auth/oauth1');
const { parsePairs, strictEncode } = require('../../dist/lib/auth/percent');

const pairs = (text) => parsePairs(text).map((p) => [p.name, p.value]);

describe('OAuth 1.0a: RFC 5849 examples', function () {
  it('§3.4.1: the signature base string of the example request (query, form body, repeated names, encoded %)', function () {
    const params = [
      ...pairs('b5=%3D%253D&a3=a&c%40=&a2=r%20b'),
      ...pairs('c2&a3=2+q'),
      ['oauth_consumer_key', '9djdj82h48djs9d2'],
      ['oauth_token', 'kkk9d7dh3k39sjv7'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131201'],
      ['oauth_nonce', '7d8f3e4a'],
    ];
    assert.strictEqual(
      normalizedParameters(params),
      'a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2&oauth_nonce=7d8f3e4a&' +
        'oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7',
    );
    assert.strictEqual(
      signatureBaseString('POST', baseStringUri('http://example.com', '/request'), params),
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7',
    );
  });

  it('§3.4.1.2: scheme and host lower-case, default ports left out, other ports kept', function () {
    assert.strictEqual(baseStringUri('HTTP://EXAMPLE.COM:80', '/r%20v/X'), 'http://example.com/r%20v/X');
    assert.strictEqual(
      baseStringUri('https://www.example.net:8080', '/?q=1'.slice(0, 1)),
      'https://www.example.net:8080/',
    );
    assert.strictEqual(baseStringUri('https://example.com:443', '/a'), 'https://example.com/a');
  });

  it('§1.2: HMAC-SHA1 of the photos request (three-legged) gives the RFC signature', function () {
    const params = [
      ...pairs('file=vacation.jpg&size=original'),
      ['oauth_consumer_key', 'dpf43f3p2l4k3l03'],
      ['oauth_token', 'nnch734d00sl2jdk'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131202'],
      ['oauth_nonce', 'chapoH'],
    ];
    const base = signatureBaseString('GET', baseStringUri('http://photos.example.net', '/photos'), params);
    assert.strictEqual(sign('HMAC-SHA1', base, 'kd94hf93k423kf44', 'pfkkdhi9sl3r4s00'), 'MdpQcU8iPSUjWoN/UDMsK2sui9I=');
  });

  it('§1.2: HMAC-SHA1 of the temporary-credentials request (no token yet) gives the RFC signature', function () {
    const params = [
      ['oauth_consumer_key', 'dpf43f3p2l4k3l03'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131200'],
      ['oauth_nonce', 'wIjqoS'],
      ['oauth_callback', 'http://printer.example.com/ready'],
    ];
    const base = signatureBaseString('POST', baseStringUri('https://photos.example.net', '/initiate'), params);
    assert.strictEqual(sign('HMAC-SHA1', base, 'kd94hf93k423kf44', ''), '74KNZJeDHnMBp0EMJ9ZHt/XKycU=');
  });

  it('§1.2 / §3.4.4: PLAINTEXT is both secrets, encoded and joined with &', function () {
    assert.strictEqual(
      sign('PLAINTEXT', 'ignored', 'kd94hf93k423kf44', 'hh5s93j4hdidpola'),
      'kd94hf93k423kf44&hh5s93j4hdidpola',
    );
    assert.strictEqual(sign('PLAINTEXT', 'ignored', 'a&b c', ''), 'a%26b%20c&');
  });

  it('§3.6: percent-encoding leaves only unreserved characters', function () {
    assert.strictEqual(strictEncode("ü !'()*~-._+/"), '%C3%BC%20%21%27%28%29%2A~-._%2B%2F');
  });

  it('§3.5.1: the Authorization header carries the realm and encoded values', function () {
    assert.strictEqual(
      authorizationHeader(
        [
          ['oauth_consumer_key', 'k'],
          ['oauth_signature', 'a+b/c='],
        ],
        'Photos',
      ),
      'OAuth realm="Photos", oauth_consumer_key="k", oauth_signature="a%2Bb%2Fc%3D"',
    );
  });
});

describe('OAuth 1.0a: the scheme', function () {
  const wire = (extra = {}) => ({
    method: 'GET',
    origin: 'http://photos.example.net',
    pathname: '/photos',
    rawQuery: 'file=vacation.jpg',
    query: [['size', 'original']],
    headers: new Map(),
    explicitHeaders: new Set(),
    explicitParams: new Set(),
    ...extra,
  });
  const creds = {
    oauth1ConsumerKey: 'dpf43f3p2l4k3l03',
    oauth1ConsumerSecret: 'kd94hf93k423kf44',
    oauth1Token: 'nnch734d00sl2jdk',
    oauth1TokenSecret: 'pfkkdhi9sl3r4s00',
  };

  it('signs every request with a fresh nonce and the current timestamp', function () {
    const scheme = oauth1Auth({ signatureMethod: 'HMAC-SHA1', realm: 'Photos' }, creds);
    const a = wire();
    const b = wire();
    scheme.sign(a);
    scheme.sign(b);
    const header = (w) => w.headers.get('authorization')[1];
    const nonce = (w) => /oauth_nonce="([^"]+)"/.exec(header(w))[1];
    assert.match(header(a), /^OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_nonce="[0-9a-f]{24}"/);
    assert.notStrictEqual(nonce(a), nonce(b));
    const ts = Number(/oauth_timestamp="(\d+)"/.exec(header(a))[1]);
    assert.ok(Math.abs(ts - Date.now() / 1000) < 60);
  });

  it('two-legged: no oauth_token with an empty token; the HMAC key ends in &', function () {
    const scheme = oauth1Auth(
      { signatureMethod: 'HMAC-SHA256', realm: '' },
      { oauth1ConsumerKey: 'ck', oauth1ConsumerSecret: 'cs' },
      () => 1e12,
      () => 'n'.repeat(24),
    );
    const w = wire();
    scheme.sign(w);
    const header = w.headers.get('authorization')[1];
    assert.ok(!header.includes('oauth_token'), header);
    assert.ok(!header.includes('realm'), header);
    const base = signatureBaseString('GET', 'http://photos.example.net/photos', [
      ['file', 'vacation.jpg'],
      ['size', 'original'],
      ['oauth_consumer_key', 'ck'],
      ['oauth_nonce', 'n'.repeat(24)],
      ['oauth_signature_method', 'HMAC-SHA256'],
      ['oauth_timestamp', '1000000000'],
      ['oauth_version', '1.0'],
    ]);
    const expected = require('crypto').createHmac('sha256', 'cs&').update(base).digest('base64');
    assert.ok(header.includes(`oauth_signature="${strictEncode(expected)}"`), header);
  });

  it('leaves an Authorization header the query node or msg set explicitly', function () {
    const scheme = oauth1Auth({ signatureMethod: 'HMAC-SHA1', realm: '' }, creds);
    const w = wire({
      headers: new Map([['authorization', ['Authorization', 'Mine']]]),
      explicitHeaders: new Set(['authorization']),
    });
    scheme.sign(w);
    assert.strictEqual(w.headers.get('authorization')[1], 'Mine');
  });

  it('refuses a private key that is not a PEM RSA key, naming the field and not echoing the text', function () {
    assert.throws(
      () => parseOAuth1Key('-----BEGIN PRIVATE KEY-----\nnot-a-key\n-----END PRIVATE KEY-----'),
      (e) =>
        e.code === 'CONFIG_ERROR' &&
        /^oauth1PrivateKey: is not a PEM private key/.test(e.message) &&
        !e.message.includes('not-a-key'),
    );
    const { privateKey } = require('crypto').generateKeyPairSync('ec', { namedCurve: 'P-256' });
    assert.throws(
      () => parseOAuth1Key(privateKey.export({ type: 'pkcs8', format: 'pem' })),
      /oauth1PrivateKey: must be an RSA key/,
    );
  });
});
