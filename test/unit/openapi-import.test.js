'use strict';
// The OpenAPI importer on descriptions real services publish, as npm packages ship them:
// GitHub's REST description (@octokit/openapi) and the Petstore 3.0 / 3.1 / Swagger 2.0 and
// other examples of @readme/oas-examples. Read from node_modules at test time, never copied.
const assert = require('assert');
const fs = require('fs');
const { importOpenApi, OpenApiImportError } = require('../../dist/lib/import/openapi');
const { MAX_SPEC_BYTES } = require('../../dist/lib/import/openapi-load');
const { fieldsForOperation } = require('../../dist/lib/import/operation-query');

const read = (name) => fs.readFileSync(require.resolve(name), 'utf8');
const example = (v, file) => read(`@readme/oas-examples/${v}/${file}`);
const op = (result, id) => result.operations.find((o) => o.id === id);

async function rejects(promise, message) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof OpenApiImportError, String(err));
    assert.match(err.message, message);
    return true;
  });
}

describe('import: OpenAPI descriptions', function () {
  this.timeout(60000);

  it("indexes GitHub's REST description (13 MB, 1,000+ operations) into a compact index", async function () {
    const text = read('@octokit/openapi/generated/api.github.com.json');
    const r = await importOpenApi(text);
    assert.strictEqual(r.specVersion, '3.0.3');
    assert.strictEqual(r.datasource.baseUrl, 'https://api.github.com');
    assert.ok(r.operations.length > 1000, String(r.operations.length));
    const create = op(r, 'issues/create');
    assert.deepStrictEqual(
      { method: create.method, path: create.path, tag: create.tag, bodyType: create.bodyType },
      { method: 'POST', path: '/repos/{owner}/{repo}/issues', tag: 'issues', bodyType: 'json' },
    );
    // path parameters come from components/parameters through $ref, with their descriptions
    assert.deepStrictEqual(
      create.params.map((p) => [p.name, p.in, p.required]),
      [
        ['owner', 'path', true],
        ['repo', 'path', true],
      ],
    );
    assert.match(create.params[0].description, /account owner/);
    const list = op(r, 'issues/list-for-repo');
    assert.ok(
      list.params.some((p) => p.name === 'per_page' && p.in === 'query' && p.type === 'integer' && !p.required),
    );
    // the index is a small part of the description: this is what the flow stores
    const indexBytes = Buffer.byteLength(JSON.stringify(r.operations));
    assert.ok(indexBytes < text.length / 10, `${indexBytes} bytes for ${text.length}`);
  });

  it('reads Petstore as Swagger 2.0 (JSON), OpenAPI 3.0 (YAML) and 3.1 alike', async function () {
    const results = await Promise.all([
      importOpenApi(example('2.0', 'json/petstore.json')),
      importOpenApi(example('3.0', 'yaml/petstore.yaml')),
      importOpenApi(example('3.1', 'json/petstore.json')),
    ]);
    assert.deepStrictEqual(
      results.map((r) => r.specVersion),
      ['2.0', '3.0.0', '3.1.0'],
    );
    for (const r of results) {
      assert.strictEqual(r.title, 'Swagger Petstore');
      assert.strictEqual(r.datasource.baseUrl, 'http://petstore.swagger.io/v2');
      assert.deepStrictEqual(
        [r.datasource.authType, r.datasource.apiKeyName, r.datasource.apiKeyIn],
        ['apiKey', 'api_key', 'header'],
      );
      assert.strictEqual(r.operations.length, 20);
      const get = op(r, 'getPetById');
      assert.deepStrictEqual(
        [get.method, get.path, get.tag, get.bodyType, get.params[0].name, get.params[0].type],
        ['GET', '/pet/{petId}', 'pet', 'none', 'petId', 'integer'],
      );
      assert.strictEqual(op(r, 'addPet').bodyType, 'json');
      assert.strictEqual(op(r, 'updatePetWithForm').bodyType, 'form');
      // the 3.1 example uploads the file as application/octet-stream, the others as a form
      assert.strictEqual(op(r, 'uploadFile').bodyType, r.specVersion === '3.1.0' ? 'binary' : 'multipart');
      const status = op(r, 'findPetsByStatus').params[0];
      assert.deepStrictEqual([status.name, status.in, status.required], ['status', 'query', true]);
      // the implicit flow is named, with the reason it is not proposed
      assert.strictEqual(r.security.find((s) => s.name === 'petstore_auth').note.code, 'implicitOnly');
    }
  });

  it('maps every kind of security scheme to the datasource auth it needs', async function () {
    const r = await importOpenApi(example('3.0', 'json/security.json'));
    const by = Object.fromEntries(r.security.map((s) => [s.name, s]));
    assert.deepStrictEqual(by.basic.proposal, { authType: 'basic' });
    assert.deepStrictEqual(by.bearer_jwt.proposal, { authType: 'bearer' });
    assert.deepStrictEqual(by.apiKey_query.proposal, { authType: 'apiKey', apiKeyName: 'apiKey', apiKeyIn: 'query' });
    assert.strictEqual(by.apiKey_cookie.proposal, undefined);
    assert.deepStrictEqual(by.apiKey_cookie.note, {
      code: 'apiKeyCookie',
      vars: { name: 'api_key' },
      text: 'an API key in the cookie "api_key": add it as a secret cookie row of the datasource',
    });
    assert.deepStrictEqual(by.oauth2.proposal, {
      authType: 'oauth2',
      oauth2GrantType: 'authorization_code',
      oauth2TokenUrl: 'http://example.com/oauth/token',
      oauth2AuthUrl: 'http://example.com/oauth/dialog',
      oauth2Scopes: 'write:things',
    });
    assert.match(by.oauth2.note.text, /then Authorize; other flows offered: clientCredentials, implicit, password/);
    assert.strictEqual(by.oauth2_clientCredentials.proposal.oauth2GrantType, 'client_credentials');
    assert.strictEqual(by.oauth2_clientCredentials.proposal.oauth2TokenUrl, 'http://alt.example.com/oauth/token');
  });

  it('fills server variables with their defaults and keeps every server to choose from', async function () {
    const r = await importOpenApi(example('3.0', 'json/server-variables.json'));
    assert.strictEqual(r.servers[0].template, 'https://{name}.example.com:{port}/{basePath}');
    assert.strictEqual(r.servers[0].url, 'https://demo.example.com:443/v2');
    assert.deepStrictEqual(
      r.servers[0].variables.map((v) => [v.name, v.default]),
      [
        ['name', 'demo'],
        ['port', '443'],
        ['basePath', 'v2'],
      ],
    );
    const multi = await importOpenApi(
      'openapi: 3.1.0\ninfo: {title: t, version: "1"}\nservers:\n  - url: https://eu.api.example.com/{v}\n    variables: {v: {default: v2, enum: [v1, v2]}}\n  - url: /relative\npaths: {}\n',
      { sourceUrl: 'https://docs.example.com/spec/openapi.yaml' },
    );
    assert.deepStrictEqual(
      multi.servers.map((s) => s.url),
      ['https://eu.api.example.com/v2', 'https://docs.example.com/relative'],
    );
    assert.deepStrictEqual(multi.servers[0].variables[0].enum, ['v1', 'v2']);
    const pasted = await importOpenApi(
      'openapi: 3.0.0\ninfo: {title: t, version: "1"}\nservers: [{url: /api/v3}]\npaths: {}\n',
    );
    assert.strictEqual(pasted.servers[0].relative, true);
    assert.deepStrictEqual(
      pasted.warnings.map((w) => w.code),
      ['relativeServer', 'noOperations', 'noSecurity'],
    );
  });

  it('handles circular $refs (schemas, request bodies, paths)', async function () {
    for (const file of [
      'circular.json',
      'circular-request-bodies.json',
      'circular-paths.json',
      'schema-circular.json',
    ]) {
      const r = await importOpenApi(example('3.0', `json/${file}`));
      assert.ok(r.operations.length > 0, file);
    }
    // a $ref chain that points at itself ends instead of looping
    const r = await importOpenApi(
      JSON.stringify({
        openapi: '3.0.0',
        info: { title: 'loop', version: '1' },
        paths: { '/a': { get: { parameters: [{ $ref: '#/components/parameters/p' }] } } },
        components: {
          parameters: { p: { $ref: '#/components/parameters/q' }, q: { $ref: '#/components/parameters/p' } },
        },
      }),
    );
    assert.deepStrictEqual(r.operations[0].params, []);
  });

  it('refuses $refs to local files and other origins, reading none of them', async function () {
    const spec = (ref) =>
      `openapi: 3.0.0\ninfo: {title: t, version: "1"}\npaths:\n  /a:\n    get:\n      parameters:\n        - $ref: "${ref}"\n`;
    const fetched = [];
    const fetchRef = async (url) => {
      fetched.push(url);
      return 'name: n\nin: query\n';
    };
    await rejects(importOpenApi(spec('file:///etc/passwd')), /points to a local file; it was not read/);
    await rejects(importOpenApi(spec('/etc/passwd')), /beside pasted text/);
    await rejects(importOpenApi(spec('../../../etc/passwd#/x')), /beside pasted text/);
    const source = { sourceUrl: 'https://docs.example.com/api/openapi.yaml', fetchRef };
    await rejects(importOpenApi(spec('file:///etc/passwd'), source), /local file/);
    await rejects(
      importOpenApi(spec('https://evil.example.com/p.yaml'), source),
      /https:\/\/evil\.example\.com, another origin/,
    );
    await rejects(importOpenApi(spec('http://docs.example.com/p.yaml'), source), /another origin/);
    assert.deepStrictEqual(fetched, []);
    // a document beside the description on its own origin is read, through fetchRef
    const r = await importOpenApi(spec('common.yaml'), source);
    assert.deepStrictEqual(fetched, ['https://docs.example.com/api/common.yaml']);
    assert.deepStrictEqual(r.operations[0].params, [{ name: 'n', in: 'query' }]);
  });

  it(`refuses a description larger than ${MAX_SPEC_BYTES / 1024 / 1024} MB with a clear error`, async function () {
    const big = JSON.stringify({
      openapi: '3.0.0',
      info: { title: 'big', version: '1' },
      paths: { '/a': { get: { description: 'x'.repeat(20 * 1024 * 1024) } } },
    });
    await rejects(importOpenApi(big), /the description is 20\.0 MB, more than the 16\.0 MB the importer reads/);
  });

  it('refuses a YAML alias bomb instead of expanding it', async function () {
    const lines = [
      'openapi: 3.0.0',
      'info: {title: bomb, version: "1"}',
      'x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
    ];
    for (let i = 1; i < 12; i++)
      lines.push(
        `x${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    lines.push('paths:\n  /a:\n    get:\n      summary: ok');
    await rejects(importOpenApi(lines.join('\n')), /expands to more than 2 million objects/);
    // a few aliases, as some hand-written descriptions use them, are fine
    const r = await importOpenApi(lines.slice(0, 4).join('\n') + '\npaths:\n  /a:\n    get:\n      summary: ok');
    assert.strictEqual(r.operations[0].summary, 'ok');
  });

  it('says what is wrong with text that is not a description', async function () {
    await rejects(importOpenApi(''), /empty/);
    await rejects(importOpenApi('{"swagger": "1.2"}'), /version 1\.2 is not supported/);
    await rejects(importOpenApi('just: yaml'), /not an OpenAPI or Swagger description/);
    await rejects(importOpenApi('{ "openapi": '), /could not be read/);
  });
});

describe('import: operation → query fields', function () {
  const ops = {
    get: {
      id: 'getItem',
      method: 'GET',
      path: '/stores/{store-id}/items/{id}',
      summary: '',
      tag: '',
      bodyType: 'none',
      params: [
        { name: 'store-id', in: 'path', required: true, type: 'string' },
        { name: 'id', in: 'path', required: true, type: 'integer' },
        { name: 'fields', in: 'query', required: true, type: 'string' },
        { name: 'lang', in: 'query', required: true, type: 'string', default: 'en' },
        { name: 'limit', in: 'query', required: true, type: 'integer', default: '10' },
        { name: 'verbose', in: 'query', type: 'boolean' },
        { name: 'X-Tenant', in: 'header', required: true, type: 'string' },
      ],
    },
    update: {
      id: 'updateItem',
      method: 'PUT',
      path: '/stores/{store-id}/items/{id}',
      summary: '',
      tag: '',
      bodyType: 'json',
      params: [
        { name: 'store-id', in: 'path', required: true },
        { name: 'id', in: 'path', required: true },
        { name: 'fields', in: 'query', required: true },
        { name: 'x-tenant', in: 'header', required: true },
        { name: 'If-Match', in: 'header', required: true },
      ],
    },
  };

  it('fills method, path placeholders, typed rows for required parameters and the body type', function () {
    const f = fieldsForOperation(ops.get);
    assert.strictEqual(f.method, 'GET');
    assert.strictEqual(f.path, '/stores/{{store_id}}/items/{{id}}');
    assert.deepStrictEqual(f.params, [
      { name: 'fields', value: 'fields', valueType: 'msg' },
      { name: 'lang', value: 'en', valueType: 'str' },
      { name: 'limit', value: '10', valueType: 'num' },
    ]);
    assert.deepStrictEqual(f.headers, [{ name: 'X-Tenant', value: 'X_Tenant', valueType: 'msg' }]);
    assert.strictEqual(f.bodyType, 'none');
  });

  it("changing operation keeps the user's values for parameters that remain and the rows they added", function () {
    const first = fieldsForOperation(ops.get);
    const edited = {
      params: [
        { name: 'fields', value: 'name,price', valueType: 'str' },
        { name: 'lang', value: 'de', valueType: 'str' },
        { name: 'mine', value: '1', valueType: 'str' },
      ],
      headers: [{ name: 'X-Tenant', value: 'acme', valueType: 'str' }],
    };
    assert.ok(first.params.length);
    const next = fieldsForOperation(ops.update, edited, ops.get);
    assert.strictEqual(next.method, 'PUT');
    assert.strictEqual(next.bodyType, 'json');
    assert.deepStrictEqual(next.params, [
      { name: 'fields', value: 'name,price', valueType: 'str' },
      { name: 'mine', value: '1', valueType: 'str' },
    ]);
    assert.deepStrictEqual(next.headers, [
      { name: 'X-Tenant', value: 'acme', valueType: 'str' },
      { name: 'If-Match', value: 'If_Match', valueType: 'msg' },
    ]);
  });
});

describe('import: notices', function () {
  const { CURL_NOTICES, OPENAPI_NOTICES } = require('../../dist/lib/import/notices');
  const catalog = (node) =>
    JSON.parse(fs.readFileSync(require.resolve(`../../locales/en-US/${node}.json`), 'utf8'))[node];

  it("the en-US catalogs hold the importers' notices word for word (the dialogs show the catalog)", function () {
    assert.deepStrictEqual(catalog('rest-query').import.notice, CURL_NOTICES);
    assert.deepStrictEqual(catalog('rest-datasource').openapi.notice, OPENAPI_NOTICES);
  });
});

describe('import: OpenAPI rules the audit broke (issue 23) and errors that say what happened (issue 22)', function () {
  const doc = (paths, extra = {}) =>
    JSON.stringify({ openapi: '3.0.0', info: { title: 't', version: '1' }, paths, ...extra });

  it('stops at 50 other documents: the 51st $ref is refused', async function () {
    const refs = Array.from({ length: 51 }, (_, i) => ({ $ref: `p${i}.yaml` }));
    const fetched = [];
    const source = {
      sourceUrl: 'https://docs.example.com/openapi.json',
      fetchRef: async (url) => {
        fetched.push(url);
        return `name: n${fetched.length}\nin: query\n`;
      },
    };
    await rejects(importOpenApi(doc({ '/a': { get: { parameters: refs } } }), source), /more than 50 other documents/);
    assert.strictEqual(fetched.length, 50);
    // 50 are fine
    fetched.length = 0;
    const r = await importOpenApi(doc({ '/a': { get: { parameters: refs.slice(0, 50) } } }), source);
    assert.strictEqual(r.operations[0].params.length, 50);
  });

  it('lets an operation parameter win over a path-level one of the same name and place (OpenAPI 3 4.8.10)', async function () {
    const r = await importOpenApi(
      doc({
        '/a/{id}': {
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'q', in: 'query', schema: { type: 'string' } },
            { name: 'q', in: 'header', required: true, schema: { type: 'string' } },
          ],
          get: {
            parameters: [
              { name: 'id', in: 'path', required: true, schema: { type: 'integer' } },
              { name: 'q', in: 'query', required: true, schema: { type: 'boolean', default: true } },
            ],
          },
        },
      }),
    );
    const params = r.operations[0].params;
    assert.deepStrictEqual(
      params.find((p) => p.name === 'id' && p.in === 'path'),
      { name: 'id', in: 'path', required: true, type: 'integer' },
    );
    assert.deepStrictEqual(
      params.find((p) => p.name === 'q' && p.in === 'query'),
      { name: 'q', in: 'query', required: true, type: 'boolean', default: 'true' },
    );
    // same name, another place: both stay
    assert.ok(params.some((p) => p.name === 'q' && p.in === 'header'));
  });

  it('keeps descriptions of required parameters only (optional ones never reach the flow)', async function () {
    const r = await importOpenApi(
      doc({
        '/a': {
          get: {
            parameters: [
              { name: 'req', in: 'query', required: true, description: 'REQUIRED-TEXT', schema: { type: 'string' } },
              { name: 'opt', in: 'query', description: 'OPTIONAL-TEXT', schema: { type: 'string' } },
            ],
          },
        },
      }),
    );
    const [req, opt] = r.operations[0].params;
    assert.strictEqual(req.description, 'REQUIRED-TEXT');
    assert.deepStrictEqual(opt, { name: 'opt', in: 'query', type: 'string' });
    assert.ok(!JSON.stringify(r.operations).includes('OPTIONAL-TEXT'));
  });

  it('says an HTML page is not an OpenAPI description', async function () {
    await rejects(
      importOpenApi('<!DOCTYPE html>\n<html><head><title>API docs</title></head><body></body></html>'),
      /this is an HTML page, not an OpenAPI description/,
    );
    await rejects(importOpenApi('\n  <html lang="en"><body>x</body></html>'), /HTML page/);
  });

  it('names the operations the query cannot send (TRACE) and suggests auth when there is no scheme', async function () {
    const r = await importOpenApi(doc({ '/a': { get: {}, trace: {} }, '/b': { trace: {} } }));
    assert.deepStrictEqual(
      r.operations.map((o) => o.method),
      ['GET'],
    );
    const unsendable = r.warnings.find((w) => w.code === 'unsendable');
    assert.deepStrictEqual(unsendable.vars, { operations: 'TRACE /a, TRACE /b' });
    assert.match(r.warnings.find((w) => w.code === 'noSecurity').text, /Bearer token, an API key/);
    const secured = await importOpenApi(
      doc(
        { '/a': { get: {} } },
        {
          servers: [{ url: 'https://api.example.com' }],
          components: { securitySchemes: { k: { type: 'http', scheme: 'bearer' } } },
        },
      ),
    );
    assert.deepStrictEqual(secured.warnings, []);
  });
});
