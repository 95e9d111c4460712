'use strict';
// Build: a plain `tsc` compile to CommonJS, then copy what Node-RED looks for beside each
// node's .js file: the node's .html editor file, locales/ and icons/.
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const nodesOut = path.join(dist, 'nodes');

fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', root], { stdio: 'inherit' });

for (const file of fs.readdirSync(path.join(root, 'src', 'nodes'))) {
  if (file.endsWith('.html')) fs.copyFileSync(path.join(root, 'src', 'nodes', file), path.join(nodesOut, file));
}
fs.cpSync(path.join(root, 'locales'), path.join(nodesOut, 'locales'), { recursive: true });
fs.cpSync(path.join(root, 'icons'), path.join(nodesOut, 'icons'), { recursive: true });
console.log('built dist/');
