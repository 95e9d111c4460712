'use strict';
// The two reference clients outside Node-RED: axios with a keep-alive agent, and node:http
// with a keep-alive agent. Both parse JSON responses, as rest-query and the core node do.
const http = require('node:http');
const axios = require('axios');

function axiosClient(base) {
  const agent = new http.Agent({ keepAlive: true });
  const client = axios.create({ baseURL: base, httpAgent: agent, proxy: false });
  return {
    get: async (path) => (await client.get(path)).data,
    post: async (path, body) => (await client.post(path, body)).data,
    close: () => agent.destroy(),
  };
}

function nodeHttpClient(base) {
  const { hostname, port } = new URL(base);
  const agent = new http.Agent({ keepAlive: true });
  const send = (method, path, body) =>
    new Promise((resolve, reject) => {
      const headers = {};
      let data;
      if (body !== undefined) {
        data = Buffer.from(JSON.stringify(body));
        headers['content-type'] = 'application/json';
        headers['content-length'] = data.length;
      }
      const req = http.request({ host: hostname, port, method, path, agent, headers }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (e) {
            reject(e);
          }
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(data);
    });
  return {
    get: (path) => send('GET', path),
    post: (path, body) => send('POST', path, body),
    close: () => agent.destroy(),
  };
}

module.exports = { axiosClient, nodeHttpClient };
