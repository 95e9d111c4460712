'use strict';
// AWS Signature Version 4 against AWS's published signing test suite (test/fixtures/
// aws-sig-v4-test-suite, data only): for every case, the canonical request, the string to sign
// and the Authorization header must equal AWS's files byte for byte.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const {
  canonicalRequest,
  credentialScope,
  stringToSign,
  authorization,
  canonicalUri,
  signWire,
} = require('../../dist/lib/auth/sigv4');
const { parsePairs } = require('../../dist/lib/auth/percent');

const SUITE = path.join(__dirname, '..', 'fixtures', 'aws-sig-v4-test-suite');
const OPTIONS = {
  region: 'us-east-1',
  service: 'service',
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const DATE = '20150830T123600Z';

/** A `.req` file: request line, headers (a line starting with a space continues the last header), blank line, body. */
function parseReq(text) {
  const lines = text.split('\n');
  const [method, target] = lines[0].split(' ');
  const headers = [];
  let i = 1;
  for (; i < lines.length && lines[i] !== ''; i++) {
    if (/^\s/.test(lines[i])) headers.push([headers[headers.length - 1][0], lines[i]]);
    else {
      const colon = lines[i].indexOf(':');
      headers.push([lines[i].slice(0, colon), lines[i].slice(colon + 1)]);
    }
  }
  const body = i < lines.length ? lines.slice(i + 1).join('\n') : '';
  // The request target as the suite writes it (a space may stand in it): the last word is the version.
  const requestLine = lines[0].slice(method.length + 1, lines[0].lastIndexOf(' '));
  void target;
  const q = requestLine.indexOf('?');
  return {
    method,
    path: q < 0 ? requestLine : requestLine.slice(0, q),
    query: q < 0 ? [] : parsePairs(requestLine.slice(q + 1)),
    headers,
    body,
  };
}

const read = (name, ext) => fs.readFileSync(path.join(SUITE, `${name}.${ext}`), 'utf8');
const cases = [...new Set(fs.readdirSync(SUITE).filter((f) => f.endsWith('.req')))].map((f) => f.slice(0, -4));
const sha256 = (text) => require('crypto').createHash('sha256').update(text).digest('hex');

describe('AWS SigV4: the published aws-sig-v4-test-suite', function () {
  it('has all its cases here', function () {
    assert.strictEqual(cases.length, 31);
  });
  for (const name of cases) {
    it(name, function () {
      const req = parseReq(read(name, 'req'));
      // post-sts-header-after: the token header is added after signing, so it is not signed.
      const headers =
        name === 'post-sts-header-after' ? req.headers.filter(([n]) => !/security-token/i.test(n)) : req.headers;
      const input = { method: req.method, path: req.path, query: req.query, headers, payloadHash: sha256(req.body) };
      const creq = canonicalRequest(input, OPTIONS.service).text;
      assert.strictEqual(creq, read(name, 'creq'));
      const sts = stringToSign(DATE, credentialScope(DATE, OPTIONS.region, OPTIONS.service), creq);
      assert.strictEqual(sts, read(name, 'sts'));
      assert.strictEqual(authorization(input, DATE, OPTIONS), read(name, 'authz'));
    });
  }
});

describe('AWS SigV4: paths and the wire request', function () {
  it('double-encodes and normalizes a non-S3 path, encodes an S3 key once and keeps its slashes', function () {
    assert.strictEqual(canonicalUri('/a%20b/./c//d/../%E1%88%B4', 'execute-api'), '/a%2520b/c/%25E1%2588%25B4');
    assert.strictEqual(canonicalUri('/bucket/a%20b/./c//d/../ü!', 's3'), '/bucket/a%20b/./c//d/../%C3%BC%21');
    assert.strictEqual(canonicalUri('', 'es'), '/');
  });

  it('sends the query exactly as signed: decoded, UriEncoded, order kept; x-amz headers set', function () {
    const wire = {
      method: 'POST',
      origin: 'https://example.amazonaws.com',
      pathname: '/p',
      rawQuery: 'b=x+y&a=%7e!&flag',
      query: [['c', "it's (1)*"]],
      headers: new Map([['content-type', ['Content-Type', 'application/json']]]),
      body: Buffer.from('{"a":1}'),
      explicitHeaders: new Set(),
      explicitParams: new Set(),
    };
    signWire(wire, { ...OPTIONS, sessionToken: 'TOKEN' }, Date.UTC(2015, 7, 30, 12, 36, 0));
    assert.strictEqual(wire.rawQuery, 'b=x%20y&a=~%21&flag&c=it%27s%20%281%29%2A');
    assert.deepStrictEqual(wire.query, []);
    assert.strictEqual(wire.headers.get('x-amz-date')[1], DATE);
    assert.strictEqual(wire.headers.get('x-amz-content-sha256')[1], sha256('{"a":1}'));
    assert.strictEqual(wire.headers.get('x-amz-security-token')[1], 'TOKEN');
    assert.match(
      wire.headers.get('authorization')[1],
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20150830\/us-east-1\/service\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
  });
});
