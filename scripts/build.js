'use strict';
// Build: a plain `tsc` compile to CommonJS (src/ → dist/), then, for each node of package.json's
// node-red.nodes, put beside its compiled index.js what Node-RED looks for by that file's name:
// index.html (the editor template), locales/<lang>/index.{json,html} (catalog and help), icons/.
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const pkg = require(path.join(root, 'package.json'));

fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', root], { stdio: 'inherit' });

for (const [type, file] of Object.entries(pkg['node-red'].nodes)) {
  const outDir = path.dirname(path.join(root, file));
  const base = path.basename(file, '.js');
  fs.copyFileSync(path.join(root, 'src', 'nodes', type, 'editor.html'), path.join(outDir, `${base}.html`));
  for (const lang of fs.readdirSync(path.join(root, 'locales'))) {
    const from = path.join(root, 'locales', lang);
    const to = path.join(outDir, 'locales', lang);
    fs.mkdirSync(to, { recursive: true });
    for (const ext of ['.json', '.html']) {
      if (fs.existsSync(path.join(from, type + ext)))
        fs.copyFileSync(path.join(from, type + ext), path.join(to, base + ext));
    }
  }
  fs.mkdirSync(path.join(outDir, 'icons'), { recursive: true });
  fs.copyFileSync(path.join(root, 'icons', `${type}.svg`), path.join(outDir, 'icons', `${type}.svg`));
}
console.log('built dist/');
