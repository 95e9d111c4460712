'use strict';
// The curl flag mapping and where credentials go (src/lib/import/curl.ts, credentials.ts).
const assert = require('assert');
const { importCurl, CurlImportError } = require('../../dist/lib/import/curl');
const { splitBaseUrl } = require('../../dist/lib/import/base-path');

describe('import: curl flags', function () {
  it('takes -XPOST, clusters like -sSL, --url, a shell prompt and -A / -e / -m', function () {
    const r = importCurl(
      '$ curl -sSLk -XPATCH --url http://h/api/v2/x -A agent/1 -e http://ref -m 2.5 --max-redirs 3 -I',
    );
    assert.strictEqual(r.query.method, 'PATCH');
    assert.strictEqual(r.datasource.baseUrl, 'http://h/api/v2');
    assert.strictEqual(r.query.path, '/x');
    assert.strictEqual(r.query.timeout, 2500);
    assert.strictEqual(r.datasource.tlsVerify, false);
    assert.strictEqual(r.datasource.followRedirects, true);
    assert.strictEqual(r.datasource.maxRedirects, 3);
    assert.deepStrictEqual(
      r.query.headers.map((h) => [h.name, h.value]),
      [
        ['User-Agent', 'agent/1'],
        ['Referer', 'http://ref'],
      ],
    );
    assert.deepStrictEqual(
      r.ignored.map((i) => i.flag),
      ['-s', '-S'],
    );
    assert.deepStrictEqual(
      r.warnings.map((w) => w.code),
      ['insecure'],
    );
  });

  it('picks the method as curl does: -d → POST, -G → GET, -I → HEAD, -T → PUT, -X wins', function () {
    assert.strictEqual(importCurl('curl -d a=1 http://h').query.method, 'POST');
    assert.strictEqual(importCurl('curl -G -d a=1 http://h').query.method, 'GET');
    assert.strictEqual(importCurl('curl -I http://h').query.method, 'HEAD');
    assert.strictEqual(importCurl('curl -T file.bin http://h').query.method, 'PUT');
    assert.strictEqual(importCurl('curl -X DELETE -d a=1 http://h').query.method, 'DELETE');
    assert.deepStrictEqual(importCurl('curl -X GET -d a=1 http://h').warnings, [
      { code: 'bodyIgnored', vars: { method: 'GET' }, text: 'GET with a body: the query sends no body with GET' },
    ]);
  });

  it('maps the body type from the Content-Type, and keeps a Content-Type the body type does not imply', function () {
    let r = importCurl(`curl -H 'Content-Type: application/vnd.api+json' -d '{"a":1}' http://h`);
    assert.strictEqual(r.query.bodyType, 'json');
    assert.deepStrictEqual(r.payload, { a: 1 });
    assert.deepStrictEqual(r.query.headers[0], {
      name: 'Content-Type',
      value: 'application/vnd.api+json',
      valueType: 'str',
    });
    r = importCurl(`curl -H 'Content-Type: application/json' -d '{"a":1}' http://h`);
    assert.deepStrictEqual(r.query.headers, []);
    r = importCurl(`curl -d 'a=1&a=2' http://h`);
    assert.strictEqual(r.query.bodyType, 'form');
    assert.strictEqual(r.payload, 'a=1&a=2', 'repeated names stay as written');
    r = importCurl(`curl --data-binary $'line1\\nline2' -H 'Content-Type: text/csv' http://h`);
    assert.strictEqual(r.query.bodyType, 'text');
    assert.strictEqual(r.payload, 'line1\nline2');
    r = importCurl(`curl -d @body.json --data-urlencode name@file.txt http://h`);
    assert.deepStrictEqual(r.files, [
      { flag: '-d', path: 'body.json' },
      { flag: '--data-urlencode', field: 'name', path: 'file.txt' },
    ]);
  });

  it('moves every credential out of the query: the first becomes the auth, the others secret rows', function () {
    const r = importCurl(
      `curl -H 'Authorization: Bearer t0ken' -H 'X-API-Key: k3y' -H 'Accept: application/json' ` +
        `-b 'sid=s1; pref=p' 'https://h/v1/x?access_token=q1&page=2'`,
    );
    assert.strictEqual(r.datasource.authType, 'bearer');
    assert.deepStrictEqual(r.datasource.headers, [{ name: 'X-API-Key', secret: true }]);
    assert.deepStrictEqual(r.datasource.params, [{ name: 'access_token', secret: true }]);
    assert.deepStrictEqual(r.datasource.cookies, [
      { name: 'sid', secret: true },
      { name: 'pref', secret: true },
    ]);
    assert.strictEqual(r.datasource.credentials.token, 't0ken');
    assert.deepStrictEqual(JSON.parse(r.datasource.credentials.secrets), {
      'headers:x-api-key': 'k3y',
      'params:access_token': 'q1',
      'cookies:sid': 's1',
      'cookies:pref': 'p',
    });
    assert.deepStrictEqual(
      r.query.headers.map((h) => h.name),
      ['Accept'],
    );
    assert.deepStrictEqual(r.query.params, [{ name: 'page', value: '2', valueType: 'str' }]);
    const flowText = JSON.stringify({ ...r.datasource, credentials: undefined }) + JSON.stringify(r.query);
    for (const secret of ['t0ken', 'k3y', 's1', 'q1']) assert.ok(!flowText.includes(secret), secret);
  });

  it('reads Basic from -u, from user:password@ in the URL and from an Authorization: Basic header', function () {
    let r = importCurl('curl -u alice:s3cret http://h');
    assert.deepStrictEqual(
      [r.datasource.authType, r.datasource.credentials],
      ['basic', { username: 'alice', password: 's3cret' }],
    );
    r = importCurl('curl --digest -u alice:s3cret http://h');
    assert.strictEqual(r.datasource.authType, 'digest');
    r = importCurl('curl http://bob:p%40ss@h/x');
    assert.deepStrictEqual(r.datasource.credentials, { username: 'bob', password: 'p@ss' });
    assert.strictEqual(r.url, 'http://h/x');
    r = importCurl(`curl -H "Authorization: Basic ${Buffer.from('carol:pw:x').toString('base64')}" http://h`);
    assert.deepStrictEqual(r.datasource.credentials, { username: 'carol', password: 'pw:x' });
    r = importCurl('curl -u dave http://h');
    assert.match(r.warnings.map((w) => w.text).join(), /without a password/);
    // another scheme (GitHub's "token ...") becomes a secret header row
    r = importCurl('curl -H "Authorization: token ghp_x" http://h');
    assert.strictEqual(r.datasource.authType, 'none');
    assert.deepStrictEqual(r.datasource.headers, [{ name: 'Authorization', secret: true }]);
    r = importCurl('curl --oauth2-bearer abc http://h');
    assert.deepStrictEqual([r.datasource.authType, r.datasource.credentials.token], ['bearer', 'abc']);
  });

  it('names the problem in a clear error', function () {
    const bad = {
      '': /paste a curl command/,
      'curl "x': /double quote/,
      'curl ^\n "http://x': /Windows cmd syntax/,
      'http --json x': /must start with curl/,
      [`curl -d '${'x'.repeat(2 * 1024 * 1024)}' http://h`]: /longer than 2097152 characters/,
    };
    for (const [command, message] of Object.entries(bad)) {
      assert.throws(
        () => importCurl(command),
        (e) => e instanceof CurlImportError && message.test(e.message),
        command,
      );
    }
  });

  it('splits a URL into a base URL and a path: under the datasource, or after the API segments', function () {
    const u = (s) => new URL(s);
    assert.deepStrictEqual(splitBaseUrl(u('https://h/api/v3/pet/1')), {
      baseUrl: 'https://h/api/v3',
      path: '/pet/1',
      underDatasource: false,
    });
    assert.deepStrictEqual(splitBaseUrl(u('https://h/users')), {
      baseUrl: 'https://h',
      path: '/users',
      underDatasource: false,
    });
    assert.deepStrictEqual(splitBaseUrl(u('https://h/api')), {
      baseUrl: 'https://h',
      path: '/api',
      underDatasource: false,
    });
    assert.strictEqual(splitBaseUrl(u('https://h/v1/x'), 'https://h/v1/').path, '/x');
    assert.strictEqual(splitBaseUrl(u('https://h/v1'), 'https://h/v1').path, '');
    assert.strictEqual(splitBaseUrl(u('https://h/v10/x'), 'https://h/v1').underDatasource, false);
    assert.strictEqual(splitBaseUrl(u('https://h:8443/v1/x'), 'https://h/v1').underDatasource, false);
  });
});

describe('import: curl fidelity and secrets (issues 22 and 23)', function () {
  const secrets = (r) => JSON.parse(r.datasource.credentials.secrets || '{}');
  /** What ends up in the flow: datasource settings, query properties and the inject payload. */
  const flowText = (r) =>
    JSON.stringify([{ ...r.datasource, credentials: undefined }, r.query, r.payload, r.asJson, r.ignored]);

  it('keeps every value of a repeated query parameter, in order', function () {
    let r = importCurl(`curl 'http://h/x?a=&a=1'`);
    assert.deepStrictEqual(r.query.params, [{ name: 'a', value: '["","1"]', valueType: 'json' }]);
    r = importCurl(`curl 'http://h/x?key=one&key=two'`);
    assert.strictEqual(r.datasource.authType, 'none');
    assert.deepStrictEqual(r.query.params, [{ name: 'key', value: '["one","two"]', valueType: 'json' }]);
    assert.deepStrictEqual(
      r.warnings.map((w) => w.code),
      ['repeatedSecret'],
    );
    // a name repeated around another: the query as written
    r = importCurl(`curl 'http://h/x?a=1&b=2&a=3'`);
    assert.deepStrictEqual([r.query.path, r.query.params], ['/x?a=1&b=2&a=3', []]);
  });

  it('sends cookies as curl does: -b verbatim, joined with ";", a Cookie header replacing them', function () {
    let r = importCurl(`curl -b 'foo; a="x"' http://h`);
    assert.deepStrictEqual(r.datasource.headers, [{ name: 'Cookie', secret: true }]);
    assert.strictEqual(secrets(r)['headers:cookie'], 'foo; a="x"');
    r = importCurl(`curl -b 'a=1' -b 'b=2' http://h`);
    assert.strictEqual(secrets(r)['headers:cookie'], 'a=1;b=2');
    r = importCurl(`curl -b 'a=1' -H 'Cookie: z=9' http://h`);
    assert.deepStrictEqual(r.datasource.cookies, [{ name: 'z', secret: true }]);
  });

  it('maps -u ":password" to a header that works and lists a Host header with the reason', function () {
    let r = importCurl('curl -u :pw http://h');
    assert.strictEqual(r.datasource.authType, 'none');
    assert.strictEqual(secrets(r)['headers:authorization'], 'Basic ' + Buffer.from(':pw').toString('base64'));
    r = importCurl(`curl -H 'Host: other.example' http://h`);
    assert.deepStrictEqual(r.query.headers, []);
    assert.deepStrictEqual(
      r.ignored.map((i) => i.code),
      ['hostHeader'],
    );
  });

  it('takes a here-document or here-string as the body of @-, and POSTs it', function () {
    let r = importCurl(`curl -H 'Content-Type: application/json' -d @- http://h <<EOF\n{"a": 1}\nEOF`);
    assert.deepStrictEqual([r.query.method, r.payload, r.files], ['POST', { a: 1 }, []]);
    r = importCurl(`curl --data-binary @- http://h <<< 'x=1'`);
    assert.deepStrictEqual([r.query.method, r.payload], ['POST', 'x=1\n']);
    r = importCurl(`curl --data-binary @- http://h <<-'END'\n\tline\n\tEND\n`);
    assert.strictEqual(r.payload, 'line\n');
  });

  it('imports --url-query and --range, skips leading comments and names what it found instead', function () {
    const r = importCurl(`# list\n\ncurl -r 0-99 --url-query 'q=a b' --url-query '+r=%41' http://h/x`);
    assert.strictEqual(r.query.path, '/x?q=a+b&r=%41');
    assert.deepStrictEqual(r.query.headers, [{ name: 'Range', value: 'bytes=0-99', valueType: 'str' }]);
    assert.throws(() => importCurl('# only a comment\n'), /found only comments or blank lines/);
    assert.throws(() => importCurl('wget http://x'), /found "wget"/);
  });

  it('keeps a JSON-looking -d a form, says so, and offers it as JSON', function () {
    const r = importCurl(`curl -d '{"a":1,"password":"pw"}' http://h`);
    assert.deepStrictEqual([r.query.bodyType, r.payload], ['form', '{"a":1,"password":"pw"}']);
    assert.ok(r.warnings.some((w) => w.code === 'jsonAsForm'));
    assert.deepStrictEqual(r.asJson, { bodyType: 'json', payload: { a: 1 } });
  });

  it('moves secret body fields to secret body rows (form, multipart, JSON) and never into the flow', function () {
    let r = importCurl(`curl -d grant_type=client_credentials -d client_secret=CS1 http://h/token`);
    assert.deepStrictEqual(r.payload, { grant_type: 'client_credentials' });
    assert.deepStrictEqual(r.datasource.body, [{ name: 'client_secret', secret: true }]);
    assert.strictEqual(secrets(r)['body:client_secret'], 'CS1');
    assert.ok(r.credentialsFound.some((n) => n.code === 'secretBodyField'));
    r = importCurl(`curl --json '{"user":"u","password":"PW2","auth":{"api_key":"AK3"},"max_tokens":5}' http://h`);
    assert.deepStrictEqual(r.payload, { user: 'u', auth: {}, max_tokens: 5 });
    assert.deepStrictEqual(
      r.credentialsFound.map((n) => n.code),
      ['secretBodyField', 'secretBodyLeftOut'],
    );
    assert.ok(!flowText(r).includes('PW2') && !flowText(r).includes('AK3'));
    r = importCurl(`curl -F api_key=AK4 -F name=x http://h`);
    assert.deepStrictEqual(r.payload, { name: 'x' });
    assert.ok(!flowText(r).includes('AK4'));
    r = importCurl(`curl --data-urlencode 'password=P 6' -d a=1 http://h`);
    assert.deepStrictEqual(r.payload, { a: '1' });
    assert.strictEqual(secrets(r)['body:password'], 'P 6');
    assert.ok(!flowText(r).includes('P+6'));
  });

  it('makes Proxy-Authorization a secret header row, never a plain header or the API key', function () {
    const r = importCurl(`curl -H 'Proxy-Authorization: Basic cHg6cHc=' -H 'X-Api-Key: k' http://h`);
    assert.deepStrictEqual(r.query.headers, []);
    assert.deepStrictEqual(r.datasource.headers, [{ name: 'Proxy-Authorization', secret: true }]);
    assert.strictEqual(secrets(r)['headers:proxy-authorization'], 'Basic cHg6cHc=');
    assert.deepStrictEqual([r.datasource.authType, r.datasource.apiKeyName], ['apiKey', 'X-Api-Key']);
  });

  it('lists credential flags it does not import without their values', function () {
    const r = importCurl(
      'curl --proxy-user bob:S3CRET -U bob:S3CRET --cert c.pem:S3CRET --pass S3CRET -x http://u:S3CRET@p:3128 -E c.pem:S3CRET http://h',
    );
    assert.deepStrictEqual(
      r.ignored.map((i) => i.flag),
      ['--proxy-user', '-U', '--cert', '--pass', '-x', '-E'],
    );
    assert.ok(!JSON.stringify(r).includes('S3CRET'));
    assert.ok(r.ignored.every((i) => i.code === 'unsupportedSecret' && i.value === undefined));
  });
});
