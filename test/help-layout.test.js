'use strict';
// The sidebar help follows the conventions of Node-RED's core nodes, so it reads like theirs and
// fits the sidebar: sections Inputs / Outputs / Details / References (<h3>), subsections <h4>;
// a dl.message-properties lists msg properties only (its <dt> is monospace, red and never wraps,
// so a dialog field or a long name there is cut off); dialog fields are <b>/<i> text; and a code
// span never wraps in the editor, so it stays short and long values go into a <pre> block,
// which wraps.
const assert = require('assert');
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const LANGS = fs.readdirSync(path.join(ROOT, 'locales'));
const NODES = ['rest-datasource', 'rest-query', 'rest-shared-store'];
/** Characters a code span may hold: about what fits the narrowest sidebar beside some text. */
const MAX_CODE = 30;

const decode = (html) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

const help = (lang, node) => fs.readFileSync(path.join(ROOT, 'locales', lang, `${node}.html`), 'utf8');

/** The problems `html` has against the rules above. */
function problems(html, node) {
  const found = [];
  const outsidePre = html.replace(/<pre[\s\S]*?<\/pre>/g, '');
  for (const [, inner] of outsidePre.matchAll(/<code>([\s\S]*?)<\/code>/g)) {
    const text = decode(inner);
    if (text.length > MAX_CODE) found.push(`code span of ${text.length} characters (max ${MAX_CODE}): ${text}`);
  }
  const sections = html.split(/<h3>/).slice(1);
  const titles = sections.map((s) => decode(s.slice(0, s.indexOf('</h3>'))));
  const expected = node === 'rest-query' ? 4 : 2; // Inputs, Outputs, Details, References / Details, References
  if (sections.length !== expected)
    found.push(`${sections.length} <h3> sections (${titles.join(', ')}), expected ${expected}`);
  sections.forEach((section, i) => {
    const lists = [...section.matchAll(/<dl class="message-properties">([\s\S]*?)<\/dl>/g)];
    const ioSection = node === 'rest-query' && i < 2;
    if (lists.length && !ioSection)
      found.push(`a message-properties list under "${titles[i]}" (msg properties belong to Inputs/Outputs)`);
    for (const [, list] of lists) {
      for (const [, dt] of list.matchAll(/<dt[^>]*>([\s\S]*?)<\/dt>/g)) {
        const name = decode(dt.replace(/<span class="property-type">[\s\S]*?<\/span>/, ''));
        if (!/^[A-Za-z_$][\w$]*$/.test(name)) found.push(`<dt>${name}</dt> is not a msg property name`);
      }
    }
  });
  for (const [, level, inner] of html.matchAll(/<h([34])>([\s\S]*?)<\/h\1>/g)) {
    if (/<code>/.test(inner)) found.push(`<h${level}> with code: ${decode(inner)}`);
  }
  return found;
}

describe('sidebar help layout', function () {
  it('finds what the issue reported in the old help: a field list as msg properties and long code spans', function () {
    const old = `<script type="text/html" data-help-name="rest-datasource"><h3>Connection</h3>
      <dl class="message-properties"><dt>Headers, Query parameters, Cookies, Body fields</dt><dd>x</dd></dl>
      <p><code>&lt;editor URL&gt;/rest-datasource/oauth/callback</code></p><h3>References</h3></script>`;
    const found = problems(old, 'rest-datasource');
    assert.ok(
      found.some((p) => /message-properties list under "Connection"/.test(p)),
      found.join('\n'),
    );
    assert.ok(
      found.some((p) => /<dt>Headers, Query parameters, Cookies, Body fields<\/dt>/.test(p)),
      found.join('\n'),
    );
    assert.ok(
      found.some((p) => /code span of 43 characters/.test(p)),
      found.join('\n'),
    );
  });

  for (const lang of LANGS) {
    for (const node of NODES) {
      it(`${lang}/${node}.html follows the core help conventions and fits the sidebar`, function () {
        assert.deepStrictEqual(problems(help(lang, node), node), []);
      });
    }
  }
});
