'use strict';
// The editor's words come from the message catalogs: every key the dialogs use exists in
// en-US, every language has the same keys and placeholders, the dialogs hold no untranslated
// text, and the sidebar help of every language documents every msg property of the contract.
const assert = require('assert');
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const NODES = ['rest-datasource', 'rest-query', 'rest-shared-store'];
const LANGS = ['en-US', 'de', 'ja'];

const catalog = (lang, node) => JSON.parse(fs.readFileSync(path.join(ROOT, 'locales', lang, `${node}.json`), 'utf8'));
const editorHtml = (node) => fs.readFileSync(path.join(ROOT, 'src', 'nodes', node, 'editor.html'), 'utf8');
const helpHtml = (lang, node) => fs.readFileSync(path.join(ROOT, 'locales', lang, `${node}.html`), 'utf8');

function flatten(obj, prefix = '', out = {}) {
  for (const [k, v] of Object.entries(obj)) {
    if (v && typeof v === 'object') flatten(v, `${prefix}${k}.`, out);
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

/**
 * The editor source files of a dialog: its editor.ts and every file it imports (relative
 * imports, followed through src/editor/ and the node's dialog/ modules), as esbuild bundles them.
 */
function editorSources(node) {
  const files = new Set();
  const visit = (file) => {
    if (files.has(file)) return;
    files.add(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^import\s[^;]*?from\s+'(\.[^']+)'/gm)) {
      const target = path.resolve(path.dirname(file), m[1]);
      visit(fs.existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, 'index.ts'));
    }
  };
  visit(path.join(ROOT, 'src', 'nodes', node, 'editor.ts'));
  return [...files];
}

/**
 * Keys a dialog uses: data-i18n attributes of its template and t('...') calls (prefixed with the
 * node name) in the editor code the dialog's bundle holds, shared widgets included.
 */
function usedKeys(node) {
  const keys = new Set();
  for (const m of editorHtml(node).matchAll(/data-i18n="(?:\[[a-z]+\])?([^"]+)"/g)) keys.add(m[1]);
  for (const file of editorSources(node)) {
    const code = fs.readFileSync(file, 'utf8');
    for (const m of code.matchAll(/\bt\('([A-Za-z0-9_.]+)'/g)) keys.add(`${node}.${m[1]}`);
  }
  return keys;
}

const placeholders = (text) => [...String(text).matchAll(/__([a-zA-Z]+)__/g)].map((m) => m[1]).sort();

describe('editor catalogs and help', function () {
  for (const node of NODES) {
    it(`${node}: every key the dialog uses is in the en-US catalog`, function () {
      const sources = editorSources(node).map((f) => path.relative(ROOT, f));
      assert.ok(
        sources.some((f) => f.startsWith(path.join('src', 'editor'))),
        `${sources} include src/editor`,
      );
      const used = usedKeys(node);
      if (sources.includes(path.join('src', 'editor', 'rows.ts')))
        assert.ok(used.has(`${node}.label.addRow`), 'keys of the shared row widgets are collected');
      const en = flatten(catalog('en-US', node));
      const missing = [...used].filter((k) => !(k in en));
      assert.deepStrictEqual(missing, []);
    });

    it(`${node}: de and ja have exactly the en-US keys, with the same placeholders`, function () {
      const en = flatten(catalog('en-US', node));
      for (const lang of LANGS.slice(1)) {
        const other = flatten(catalog(lang, node));
        assert.deepStrictEqual(Object.keys(other).sort(), Object.keys(en).sort(), lang);
        for (const key of Object.keys(en)) {
          assert.deepStrictEqual(placeholders(other[key]), placeholders(en[key]), `${lang} ${key}`);
        }
      }
    });

    it(`${node}: the dialog template holds no text outside the catalogs`, function () {
      const html = editorHtml(node);
      const start = html.indexOf('>', html.indexOf('data-template-name')) + 1;
      const template = html.slice(start);
      const text = template
        .replace(/<style>[\s\S]*?<\/style>/g, '')
        .replace(/<!--[\s\S]*?-->/g, '')
        .replace(/<[^>]+>/g, ' ')
        .split(/\s+/)
        .filter(Boolean)
        // HTTP method names are the same in every language.
        .filter((w) => !/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(w));
      assert.deepStrictEqual(text, []);
    });
  }

  it('the help of every language documents every msg property and the precedence rule', function () {
    const inputs = ['payload', 'path', 'url', 'method', 'headers', 'params', 'cookies', 'requestTimeout'];
    const outputs = ['payload', 'statusCode', 'headers', 'responseUrl', 'responseCookies', 'responseTime'].concat(
      ['response', 'page', 'complete', 'pageStop'], // payload mapping and pagination
      ['cache'], // the datasource's HTTP cache
    );
    for (const lang of LANGS) {
      const help = helpHtml(lang, 'rest-query');
      const section = (n) => help.split('<h3>')[n];
      const dts = (text) => [...text.matchAll(/<dt[^>]*>\s*([A-Za-z]+)/g)].map((m) => m[1]);
      assert.deepStrictEqual(dts(section(1)).sort(), [...inputs].sort(), `${lang} inputs`);
      assert.deepStrictEqual(dts(section(2)).sort(), [...outputs].sort(), `${lang} outputs`);
      assert.match(help, /&lt; [^<]* &lt; msg/, `${lang} precedence`);
      assert.match(help, /ORIGIN_REFUSED/);
      const ds = helpHtml(lang, 'rest-datasource');
      assert.match(ds, /data-help-name="rest-datasource"/);
      assert.match(ds, /rest-datasource\/oauth\/callback/, `${lang} callback URL`);
      assert.match(ds, /&lt; [^<]* &lt; msg/, `${lang} precedence`);
    }
  });
});
