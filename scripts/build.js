'use strict';
// Build: a plain `tsc` compile of the runtime to CommonJS (src/ → dist/), a type-check of the
// editor code (tsconfig.editor.json: DOM, no Node.js types), then, for each node of
// package.json's node-red.nodes, put beside its compiled index.js what Node-RED looks for by
// that file's name: index.html (the shared editor styles, the node's editor.ts bundled by
// esbuild into one inline script, and its editor.html template), locales/<lang>/index.{json,html}
// (catalog and help), icons/.
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const pkg = require(path.join(root, 'package.json'));
const tsc = (project) =>
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', project], { stdio: 'inherit' });

fs.rmSync(dist, { recursive: true, force: true });
tsc(root);
tsc(path.join(root, 'tsconfig.editor.json'));

/** The editor's script: editor.ts and what it imports, as one IIFE for the browser. */
function bundleEditor(type) {
  const { outputFiles } = esbuild.buildSync({
    entryPoints: [path.join(root, 'src', 'nodes', type, 'editor.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2019'],
    write: false,
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'error',
  });
  return outputFiles[0].text.replace(/<\/script/gi, '<\\/script');
}

const sharedCss = fs.readFileSync(path.join(root, 'src', 'editor', 'editor.css'), 'utf8');

for (const [type, file] of Object.entries(pkg['node-red'].nodes)) {
  const outDir = path.dirname(path.join(root, file));
  const base = path.basename(file, '.js');
  const template = fs.readFileSync(path.join(root, 'src', 'nodes', type, 'editor.html'), 'utf8');
  // A node without editor.ts has its whole definition in editor.html.
  const script = fs.existsSync(path.join(root, 'src', 'nodes', type, 'editor.ts'))
    ? `<style>\n${sharedCss}</style>\n<script type="text/javascript">\n${bundleEditor(type)}</script>\n\n`
    : '';
  fs.writeFileSync(path.join(outDir, `${base}.html`), script + template);
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
