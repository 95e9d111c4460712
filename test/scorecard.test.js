'use strict';
// The offline checks of the Node-RED flow library's scorecard (what `node-red-dev validate`
// reports), written as a test so they run without network: package metadata, an example per
// flow node, few dependencies, help and message catalogs for every node, built files present.
const assert = require('assert');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const pkg = require('../package.json');
const nodes = Object.entries(pkg['node-red'].nodes);

/** The editor definition of a node: the type and settings passed to RED.nodes.registerType. */
function editorDefinition(jsFile) {
  const html = fs.readFileSync(jsFile.replace(/\.js$/, '.html'), 'utf8');
  const m = /RED\.nodes\.registerType\(\s*['"]([^'"]+)['"]\s*,\s*\{[\s\S]*?category:\s*['"]([^'"]+)['"]/.exec(html);
  assert.ok(m, `${jsFile}: no RED.nodes.registerType('<type>', { category: ... }) in its .html`);
  return { type: m[1], category: m[2], html };
}

/** Every node type Node-RED's core nodes register (a contrib type must not reuse one). */
function coreTypes() {
  const dir = path.dirname(require.resolve('@node-red/nodes/package.json', { paths: [require.resolve('node-red')] }));
  const types = new Set();
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.html')) {
        for (const m of fs.readFileSync(p, 'utf8').matchAll(/registerType\(\s*['"]([^'"]+)['"]/g)) types.add(m[1]);
      }
    }
  };
  walk(path.join(dir, 'core'));
  return types;
}

describe('Node-RED scorecard (offline checks)', function () {
  it('names a license that has its text in LICENSE', function () {
    assert.strictEqual(pkg.license, 'Apache-2.0');
    const text = fs.readFileSync(path.join(root, 'LICENSE'), 'utf8');
    assert.match(text, /Apache License\s+Version 2\.0, January 2004/);
    assert.match(text, /END OF TERMS AND CONDITIONS/);
    assert.ok(pkg.files.includes('LICENSE'), 'LICENSE is published');
  });

  it('names a repository with an https URL', function () {
    assert.strictEqual(pkg.repository.type, 'git');
    assert.match(pkg.repository.url, /^(git\+)?https:\/\/[^/]+\/[^/]+\/[^/]+?(\.git)?$/);
  });

  it('has the node-red keyword, a node-red.version range and engines.node', function () {
    assert.ok(pkg.keywords.includes('node-red'), 'keywords include node-red');
    assert.match(pkg['node-red'].version, /^>=\d+\.\d+\.\d+$/);
    assert.match(pkg.engines.node, /^>=\d+/);
    assert.match(pkg.name, /^(@[a-z0-9-]+\/)?node-red-contrib-[a-z0-9-]+$/);
  });

  it('has six or fewer runtime dependencies', function () {
    const deps = Object.keys(pkg.dependencies || {});
    assert.ok(deps.length <= 6, `${deps.length} dependencies: ${deps.join(', ')}`);
  });

  it('builds every file node-red.nodes names, each with its editor .html beside it', function () {
    assert.ok(nodes.length >= 2);
    for (const [type, file] of nodes) {
      const js = path.join(root, file);
      assert.ok(fs.existsSync(js), `${file} exists (run npm run build)`);
      assert.strictEqual(editorDefinition(js).type, type, `${file}.html registers ${type}`);
    }
  });

  it('gives every node help text and an en-US message catalog', function () {
    for (const [type, file] of nodes) {
      const dir = path.dirname(path.join(root, file));
      const { html } = editorDefinition(path.join(root, file));
      const inline = html.includes(`data-help-name="${type}"`);
      // Node-RED reads the catalog and help named after the node's .js file.
      const base = path.basename(file, '.js');
      const help = path.join(dir, 'locales', 'en-US', `${base}.html`);
      assert.ok(inline || fs.existsSync(help), `${type} has help (inline or locales/en-US/${base}.html)`);
      if (!inline) assert.match(fs.readFileSync(help, 'utf8'), new RegExp(`data-help-name="${type}"`));
      const catalog = path.join(dir, 'locales', 'en-US', `${base}.json`);
      assert.ok(fs.existsSync(catalog), `${type} has locales/en-US/${base}.json`);
      assert.ok(JSON.parse(fs.readFileSync(catalog, 'utf8'))[type], `the ${type} catalog has a "${type}" section`);
    }
  });

  it('uses no node type that a Node-RED core node already registers', function () {
    const core = coreTypes();
    assert.ok(core.has('http request') && core.has('inject'), 'the core node list was read');
    for (const [type] of nodes) assert.ok(!core.has(type), `${type} is a core node type`);
  });

  it('has an example flow that uses each node, config nodes too', function () {
    const examples = fs
      .readdirSync(path.join(root, 'examples'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(fs.readFileSync(path.join(root, 'examples', f), 'utf8')));
    assert.ok(examples.length > 0, 'examples/ has flows');
    assert.ok(pkg.files.includes('examples/'), 'examples/ is published');
    for (const [type] of nodes) {
      assert.ok(
        examples.some((flow) => flow.some((n) => n.type === type)),
        `an example uses ${type}`,
      );
    }
  });
});
