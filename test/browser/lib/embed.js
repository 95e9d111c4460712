'use strict';
// Fallback launcher: Node-RED 5's red.js refuses Node.js older than 22.9, while its runtime runs
// on the Node.js the suite uses (as node-red-node-test-helper shows). This starts the same
// runtime through Node-RED's documented embedding API, with the same settings file.
// Usage: node embed.js <runtime package> <settings file>
const http = require('http');
const path = require('path');

const [runtime, settingsFile] = process.argv.slice(2);
const runtimeDir = path.dirname(require.resolve(`${runtime}/package.json`));
const express = require(require.resolve('express', { paths: [runtimeDir] }));
const RED = require(runtime);
const settings = require(path.resolve(settingsFile));

const app = express();
const server = http.createServer(app);
RED.init(server, settings);
app.use(settings.httpAdminRoot || '/', RED.httpAdmin);
app.use(settings.httpNodeRoot || '/', RED.httpNode);
server.listen(settings.uiPort, settings.uiHost, () => RED.start());
process.on('SIGINT', () => RED.stop().then(() => server.close(() => process.exit(0))));
