'use strict';
// Whole Node-RED processes for the multi-instance tests: each in its own user directory with
// this package linked in, started one after the other (two cores) and given the same flow.
const fs = require('fs');
const os = require('os');
const path = require('path');
const runner = require('../../scripts/lib/node-red-runner');

/**
 * Start one instance per port (or `count` on free ports) and deploy a copy of `flow` to each.
 * The instances and their directories are pushed into `nodes` and `userDirs` as they start, so
 * the caller's `after` hook stops them even when a later one fails to start.
 */
async function startInstances({ nodes, userDirs, flow, credentialSecret, runtime, dirPrefix, ports, count }) {
  const list = ports || [];
  for (let i = list.length; i < (count || 0); i++) list.push(await runner.freePort());
  for (const port of list) {
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), dirPrefix));
    userDirs.push(userDir);
    fs.writeFileSync(
      path.join(userDir, 'settings.js'),
      runner.settingsFile({ port, credentialSecret, logLevel: 'warn' }),
    );
    runner.linkPackage(userDir);
    const nr = await runner.startNodeRed({ runtime, userDir, port });
    nodes.push(nr);
    await runner.deployFlows(nr.url, JSON.parse(JSON.stringify(flow)));
  }
}

/** Stop the instances and remove their directories. */
async function stopInstances(nodes, userDirs) {
  await Promise.all(nodes.map((nr) => nr.stop()));
  for (const dir of userDirs) fs.rmSync(dir, { recursive: true, force: true });
}

module.exports = { startInstances, stopInstances };
