'use strict';
// The API the benchmark talks to, in its own process (forked by bench/run.js) so its CPU is
// not charged to the clients being measured. Keep-alive HTTP on 127.0.0.1; every answer is a
// precomputed Buffer so the server does as little per request as possible.
//
//   GET  /small          ~60 bytes of JSON
//   GET  /big            ~100 KB of JSON
//   POST /echo           reads the body, answers its length as JSON
//   POST /oauth/token    client_credentials token endpoint (counts its requests)
//   GET  /secure         /small behind a Bearer token issued by /oauth/token (401 otherwise)
//   GET  /items/<id>     /small, for the realistic datasource of lib/realistic.js (400 unless
//                        its auth, headers and query parameter all arrived)
// Control messages over IPC: {cmd: 'connections'} answers how many TCP connections were
// accepted so far; {cmd: 'tokens'} answers the count of token requests; {cmd: 'resetTokens'};
// {cmd: 'nextExpiresIn', seconds}: the expires_in of tokens issued from now on.
const http = require('node:http');
const { realisticRequestOk } = require('./lib/realistic');

const small = Buffer.from(JSON.stringify({ id: 42, name: 'widget', ok: true, tags: ['a', 'b'] }));
const bigItems = [];
for (let i = 0; bigItems.length === 0 || JSON.stringify(bigItems).length < 100 * 1024; i++) {
  for (let j = 0; j < 50; j++)
    bigItems.push({ id: i * 50 + j, name: `item ${i * 50 + j}`, price: j * 1.5, tags: ['x'] });
}
while (JSON.stringify(bigItems).length > 100 * 1024) bigItems.pop();
const big = Buffer.from(JSON.stringify(bigItems));

let tokenRequests = 0;
let tokenSeq = 0;
let expiresIn = 3600;
const validTokens = new Set();

function json(res, status, buf) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': buf.length });
  res.end(buf);
}

function drain(req, done) {
  let length = 0;
  req.on('data', (c) => (length += c.length));
  req.on('end', () => done(length));
}

const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const url = req.url;
  if (url === '/small' || url.startsWith('/small?')) return drain(req, () => json(res, 200, small));
  if (url.startsWith('/items/')) {
    return drain(req, () =>
      realisticRequestOk(req) ? json(res, 200, small) : json(res, 400, Buffer.from('{"error":"incomplete request"}')),
    );
  }
  if (url === '/big') return drain(req, () => json(res, 200, big));
  if (url === '/echo') return drain(req, (n) => json(res, 200, Buffer.from(`{"received":${n}}`)));
  if (url === '/oauth/token') {
    return drain(req, () => {
      tokenRequests++;
      const token = `tok-${++tokenSeq}-${Math.random().toString(36).slice(2)}`;
      validTokens.add(token);
      json(res, 200, Buffer.from(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: expiresIn })));
    });
  }
  if (url === '/secure') {
    return drain(req, () => {
      const auth = req.headers.authorization || '';
      if (validTokens.has(auth.slice(7))) return json(res, 200, small);
      json(res, 401, Buffer.from('{"error":"invalid_token"}'));
    });
  }
  drain(req, () => json(res, 404, Buffer.from('{"error":"not found"}')));
});
let connections = 0;
server.on('connection', () => connections++);
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;

process.on('message', (m) => {
  if (m.cmd === 'tokens') process.send({ tokens: tokenRequests });
  else if (m.cmd === 'connections') process.send({ connections });
  else if (m.cmd === 'resetTokens') {
    tokenRequests = 0;
    process.send({ ok: true });
  } else if (m.cmd === 'nextExpiresIn') {
    expiresIn = m.seconds;
    process.send({ ok: true });
  } else if (m.cmd === 'stop') server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  process.send({ port: server.address().port, bigBytes: big.length });
});
