'use strict';
const assert = require('assert');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');

/** Parse a multipart body the way a server would, independently of the encoder. */
function parseMultipart(body, contentType) {
  const boundary = /boundary=(.+)$/.exec(contentType)[1];
  const parts = {};
  for (const chunk of body.toString('latin1').split('--' + boundary)) {
    if (!chunk.startsWith('\r\n')) continue;
    const [head, ...rest] = chunk.slice(2).split('\r\n\r\n');
    const data = rest.join('\r\n\r\n').replace(/\r\n$/, '');
    const name = /name="([^"]+)"/.exec(head)[1];
    const filename = /filename="([^"]+)"/.exec(head);
    const type = /Content-Type: (.+)/i.exec(head);
    parts[name] = {
      data: Buffer.from(data, 'latin1'),
      filename: filename && filename[1],
      type: type && type[1].trim(),
    };
  }
  return parts;
}

describe('request bodies', function () {
  let api;
  useRuntime();
  beforeEach(async function () {
    api = await startServer((req, res) => res.end('ok'));
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
  });

  const send = async (bodyType, payload, method = 'POST', headers) => {
    const ctx = await loadQuery({ ds: { baseUrl: api.url }, query: { method, bodyType, path: 'in' } });
    const result = await ctx.run({ payload, headers });
    return { result, req: api.requests[api.requests.length - 1] };
  };

  it('json: an object arrives as JSON with its content type and exact length', async function () {
    const { req } = await send('json', { a: 1, s: 'ü' });
    assert.strictEqual(req.headers['content-type'], 'application/json');
    assert.strictEqual(req.body.toString(), '{"a":1,"s":"ü"}');
    assert.strictEqual(Number(req.headers['content-length']), req.body.length);
  });

  it('form: an object arrives urlencoded, arrays repeating the key', async function () {
    const { req } = await send('form', { q: 'a b&c', tag: ['x', 'y'] });
    assert.strictEqual(req.headers['content-type'], 'application/x-www-form-urlencoded');
    const p = new URLSearchParams(req.body.toString());
    assert.strictEqual(p.get('q'), 'a b&c');
    assert.deepStrictEqual(p.getAll('tag'), ['x', 'y']);
  });

  it('multipart: text fields and Buffer parts with filename and content type', async function () {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    const { req } = await send('multipart', {
      title: 'report',
      file: { value: png, options: { filename: 'pic.png', contentType: 'image/png' } },
      raw: Buffer.from('abc'),
    });
    assert.match(req.headers['content-type'], /^multipart\/form-data; boundary=/);
    const parts = parseMultipart(req.body, req.headers['content-type']);
    assert.strictEqual(parts.title.data.toString(), 'report');
    assert.deepStrictEqual(parts.file.data, png);
    assert.strictEqual(parts.file.filename, 'pic.png');
    assert.strictEqual(parts.file.type, 'image/png');
    assert.strictEqual(parts.raw.data.toString(), 'abc');
    assert.strictEqual(parts.raw.type, 'application/octet-stream');
  });

  it('text: sent as UTF-8 text/plain', async function () {
    const { req } = await send('text', 'hello ✓');
    assert.strictEqual(req.headers['content-type'], 'text/plain; charset=utf-8');
    assert.strictEqual(req.body.toString('utf8'), 'hello ✓');
  });

  it('binary: a Buffer arrives byte for byte as application/octet-stream', async function () {
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
    const { req } = await send('binary', bytes, 'PUT');
    assert.strictEqual(req.headers['content-type'], 'application/octet-stream');
    assert.deepStrictEqual(req.body, bytes);
  });

  it('auto: object → JSON, string → text, Buffer → binary', async function () {
    let r = await send('auto', { x: 1 });
    assert.strictEqual(r.req.headers['content-type'], 'application/json');
    await helper.unload();
    r = await send('auto', 'plain');
    assert.strictEqual(r.req.headers['content-type'], 'text/plain; charset=utf-8');
    await helper.unload();
    r = await send('auto', Buffer.from([1, 2]));
    assert.strictEqual(r.req.headers['content-type'], 'application/octet-stream');
  });

  it('a Content-Type header set by the msg wins over the body type default', async function () {
    const { req } = await send('json', { a: 1 }, 'POST', { 'content-type': 'application/vnd.api+json' });
    assert.strictEqual(req.headers['content-type'], 'application/vnd.api+json');
  });

  it('none, GET and HEAD send no body', async function () {
    let r = await send('none', { a: 1 });
    assert.strictEqual(r.req.body.length, 0);
    assert.strictEqual(r.req.headers['content-type'], undefined);
    await helper.unload();
    r = await send('json', { a: 1 }, 'GET');
    assert.strictEqual(r.req.body.length, 0);
    assert.strictEqual(r.req.headers['content-length'], undefined);
    await helper.unload();
    r = await send('json', { a: 1 }, 'HEAD');
    assert.strictEqual(r.req.method, 'HEAD');
    assert.strictEqual(r.req.body.length, 0);
  });

  it('a binary body that is neither Buffer nor string is a CONFIG_ERROR naming msg.payload', async function () {
    const { result } = await send('binary', { not: 'bytes' });
    assert.strictEqual(result.error.error.code, 'CONFIG_ERROR');
    assert.match(result.error.error.message, /msg\.payload/);
    assert.strictEqual(api.requests.length, 0);
  });
});
