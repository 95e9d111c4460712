'use strict';
// Every relative link and image in README.md and docs/*.md points to a file that exists, and a
// `#fragment` to a heading of that file (GitHub's heading ids), so moving or renaming a page or
// a heading cannot leave a dead link behind.
const assert = require('assert');
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const DOCS = path.join(ROOT, 'docs');
const pages = [
  path.join(ROOT, 'README.md'),
  ...fs
    .readdirSync(DOCS)
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join(DOCS, f)),
];

/** The text outside fenced code blocks and code spans: links there are examples, not links. */
function prose(text) {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, (m) => ' '.repeat(m.length));
}

/** [text](target) and ![alt](target), with an optional "title". */
function links(text) {
  const out = [];
  const re = /!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
  for (let m; (m = re.exec(prose(text)));) out.push(m[1]);
  return out;
}

/** GitHub's id for a heading: rendered text, lower case, punctuation dropped, spaces to hyphens. */
function slug(heading) {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The heading ids of a Markdown file, with GitHub's -1, -2 suffixes for repeats. */
function anchors(file) {
  const seen = new Map();
  const ids = new Set();
  const text = fs.readFileSync(file, 'utf8').replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const [, heading] of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(heading);
    const n = seen.get(base) || 0;
    seen.set(base, n + 1);
    ids.add(n ? `${base}-${n}` : base);
  }
  return ids;
}

describe('documentation links', function () {
  it('computes the heading ids GitHub gives', function () {
    assert.strictEqual(slug('OAuth 2.0'), 'oauth-20');
    assert.strictEqual(slug('`{{$token}}` placeholders'), 'token-placeholders');
    assert.strictEqual(
      slug('Cookie sessions: `cookieJar` (`rest-datasource`)'),
      'cookie-sessions-cookiejar-rest-datasource',
    );
    assert.strictEqual(slug('Examples and `npm start`'), 'examples-and-npm-start');
    assert.deepStrictEqual(links('a [x](b.md#c) `[no](no.md)` ![i](img.png "t") [w](https://e.org)'), [
      'b.md#c',
      'img.png',
      'https://e.org',
    ]);
  });

  it('README.md links the reference pages in docs/', function () {
    const readme = links(fs.readFileSync(pages[0], 'utf8'));
    for (const page of ['datasource', 'query', 'oauth', 'tls-and-proxies', 'pagination-and-mapping', 'security']) {
      assert.ok(readme.includes(`docs/${page}.md`), `README.md does not link docs/${page}.md`);
    }
    for (const page of ['performance', 'shared-store', 'import']) {
      assert.ok(readme.includes(`docs/${page}.md`), `README.md does not link docs/${page}.md`);
    }
  });

  for (const page of pages) {
    const name = path.relative(ROOT, page);
    it(`${name}: every relative link and image exists`, function () {
      const broken = [];
      for (const target of links(fs.readFileSync(page, 'utf8'))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
        const [file, fragment] = target.split('#');
        const resolved = file ? path.resolve(path.dirname(page), decodeURIComponent(file)) : page;
        if (!fs.existsSync(resolved)) {
          broken.push(`${target}: no file ${path.relative(ROOT, resolved)}`);
          continue;
        }
        if (fragment !== undefined && resolved.endsWith('.md') && !anchors(resolved).has(fragment)) {
          broken.push(`${target}: no heading #${fragment} in ${path.relative(ROOT, resolved)}`);
        }
      }
      assert.deepStrictEqual(broken, [], `broken links in ${name}`);
    });
  }

  it('keeps the promise of README.md and docs/examples.md: each example arrives as one flow tab named "REST: …"', function () {
    const dir = path.join(ROOT, 'examples');
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const tabs = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')).filter((n) => n.type === 'tab');
      assert.strictEqual(tabs.length, 1, `${file}: one flow tab`);
      assert.match(tabs[0].label, /^REST: \S/, `${file}: tab label`);
    }
  });

  it('shows every image under docs/ on some page (a screenshot nobody sees goes stale unnoticed)', function () {
    const shown = new Set();
    for (const page of pages) {
      for (const target of links(fs.readFileSync(page, 'utf8'))) {
        if (/\.png$/i.test(target)) shown.add(path.resolve(path.dirname(page), decodeURIComponent(target)));
      }
    }
    const unshown = [];
    for (const dir of fs.readdirSync(DOCS, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const file of fs.readdirSync(path.join(DOCS, dir.name)).filter((f) => /\.png$/i.test(f))) {
        const image = path.join(DOCS, dir.name, file);
        if (!shown.has(image)) unshown.push(path.relative(ROOT, image));
      }
    }
    assert.deepStrictEqual(unshown, []);
  });
});
