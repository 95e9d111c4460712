'use strict';
// Issue 23: no regular expression (or loop) of the importers runs in more than linear time on
// what a user pastes. Each input path gets 1 MB of its worst character; each import must end in
// milliseconds. The bound (3 s) is generous on purpose (the machine running the suite may be
// busy): the quadratic versions took seconds at 60,000 characters and take minutes to hours at
// 1 MB, so even a loaded machine tells them apart.
const assert = require('assert');
const { importCurl } = require('../../dist/lib/import/curl');
const { importOpenApi } = require('../../dist/lib/import/openapi');

const MB = 1024 * 1024;
const BOUND_MS = 3000;

/** Run fn, which may throw a CurlImportError; return how long it took. */
async function timed(fn) {
  const start = process.hrtime.bigint();
  try {
    await fn();
  } catch {
    // a refusal is fine; only the time matters here
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

describe('import: linear time on 1 MB of the worst character', function () {
  this.timeout(60000);
  const run = (cmd) => () => importCurl(cmd);
  const cases = {
    'an Authorization: Basic value with a run of "="': run(`curl -H 'Authorization: Basic ${'='.repeat(MB)}' http://h`),
    'a -F value with a run of ";"': run(`curl -F 'a=x${';'.repeat(MB)}' http://h`),
    'a -F file with a run of ";"': run(`curl -F 'a=@f${';'.repeat(MB)}' http://h`),
    'a -F value with a run of ";type="': run(`curl -F 'a=x${';type='.repeat(MB / 6)}' http://h`),
    // Many items rather than one character: each item costs a row and a notice, so 256 KB.
    'a cookie text of many distinct cookies': run(
      `curl -b '${Array.from({ length: MB / 40 }, (_, i) => `c${i}=1`).join('; ')}' http://h`,
    ),
    'a query of many distinct parameters': run(
      `curl 'http://h/?${Array.from({ length: MB / 40 }, (_, i) => `p${i}=1`).join('&')}'`,
    ),
    'a query of one secret-looking name repeated': run(`curl 'http://h/?${'key=1&'.repeat(MB / 6)}'`),
    'a -d value of line breaks': run(`curl -d '${'\n'.repeat(MB)}' http://h`),
    "a $'…' string of \\x escapes": run(`curl -d $'${'\\x41'.repeat(MB / 4)}' http://h`),
    'a here-document of 1 MB of lines': run(`curl -d @- http://h <<EOF\n${'a\n'.repeat(MB / 2)}EOF`),
    'leading comment lines': run(`${'#\n'.repeat(MB / 2)}curl http://h`),
    'a form body of many fields with a secret one': run(
      `curl -d 'password=x&${Array.from({ length: MB / 40 }, (_, i) => `f${i}=a b`).join('&')}' http://h`,
    ),
    'a JSON body nested deeply': run(`curl -H 'Content-Type: application/json' -d '${'['.repeat(MB / 2)}' http://h`),
    'a --url-query of "%" escapes': run(`curl --url-query 'a=${'%41'.repeat(MB / 3)}' http://h`),
    'a Referer of ";"': run(`curl -e '${';'.repeat(MB)}' http://h`),
    'OpenAPI servers[].url with a run of "/"': () =>
      importOpenApi(
        JSON.stringify({
          openapi: '3.0.0',
          info: { title: 't', version: '1' },
          servers: [{ url: 'https://h' + '/'.repeat(MB) + 'x' }, { url: 'https://h' + '/'.repeat(MB) }],
          paths: {},
        }),
      ),
    'OpenAPI summaries of whitespace': () =>
      importOpenApi(
        JSON.stringify({
          openapi: '3.0.0',
          info: { title: 't', version: '1' },
          paths: { '/a': { get: { summary: ' '.repeat(MB) + 'x', description: '\t'.repeat(MB) } } },
        }),
      ),
    'an OpenAPI path of "{"': () =>
      importOpenApi(
        JSON.stringify({
          openapi: '3.0.0',
          info: { title: 't', version: '1' },
          paths: { ['/' + '{a'.repeat(MB / 2)]: { get: {} } },
        }),
      ),
  };
  for (const [name, fn] of Object.entries(cases)) {
    it(name, async function () {
      const ms = await timed(fn);
      assert.ok(ms < BOUND_MS, `${name}: ${Math.round(ms)} ms`);
    });
  }
});
