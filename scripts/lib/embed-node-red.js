'use strict';
// Runs a Node-RED runtime through its embedding API (require('node-red'): init, httpAdmin,
// httpNode, start), the way node-red-node-test-helper does. Used only when the runtime's own
// red.js refuses this Node.js version (Node-RED 5 wants Node 22.9+), so the suite can still
// run it on an older Node as a real process with the real editor and admin API.
// Usage: node embed-node-red.js <runtime package dir> <userDir> <port>
const http = require('http');
const path = require('path');

const [runtimeDir, userDir, port] = process.argv.slice(2);
const fromRuntime = (name) => require(require.resolve(name, { paths: [runtimeDir] }));
const RED = require(runtimeDir);
const express = fromRuntime('express');

const settings = require(path.join(userDir, 'settings.js'));
settings.userDir = userDir;
settings.httpAdminRoot = '/';
settings.httpNodeRoot = '/';
settings.uiPort = Number(port);

const app = express();
const server = http.createServer(app);
RED.init(server, settings);
app.use(settings.httpAdminRoot, RED.httpAdmin);
app.use(settings.httpNodeRoot, RED.httpNode);
// Listen once the runtime has started, as red.js does.
RED.start().then(
  () => server.listen(Number(port), '127.0.0.1', () => console.log(`Server now running at http://127.0.0.1:${port}/`)),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

function stop() {
  RED.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
