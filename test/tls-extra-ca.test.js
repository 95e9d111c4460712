'use strict';
// NODE_EXTRA_CA_CERTS is read by Node at start-up, so this runs a datasource in a child
// process started with it: the extra CA is trusted by default, and a CA configured on the
// datasource is added to it (and to Node's roots), not put in their place.
const assert = require('assert');
const { execFile } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { certs, serverOptions, startHttpsServer } = require('./lib/certs');
const { startProxy } = require('./lib/proxy');

const CHILD = `
const { Datasource } = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'lib', 'datasource.js'))});
const { parseSettings } = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'lib', 'settings.js'))});
const { buildPlan } = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'lib', 'http', 'plan.js'))});
const [url, ca] = JSON.parse(process.argv[1]);
const ds = new Datasource(parseSettings({ baseUrl: url }, ca ? { ca } : {}));
const query = { method: 'GET', path: '', headers: {}, params: {}, cookies: {}, bodyType: 'none', responseType: 'text' };
ds.send(buildPlan(ds.defaults, query, {}, () => undefined)).then(
  (r) => { console.log(String(r.statusCode)); ds.close(); },
  (e) => { console.log(e.code); ds.close(); },
);
`;

describe('TLS: NODE_EXTRA_CA_CERTS', function () {
  let c;
  let dir;
  let extraCaFile;
  let mine;
  let other;
  before(async function () {
    c = certs();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rds-extra-ca-'));
    extraCaFile = path.join(dir, 'extra-ca.pem');
    fs.writeFileSync(extraCaFile, c.ca.pem);
    mine = await startHttpsServer(undefined, c.server);
    other = await startHttpsServer(undefined, c.otherServer);
  });
  after(async function () {
    await mine.close();
    await other.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The status code or error code a datasource in a child process gets for `url`. */
  function childRequest(url, ca, extraCa, proxyEnv = {}) {
    const env = { ...process.env };
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete env[name];
    Object.assign(env, proxyEnv);
    if (extraCa) env.NODE_EXTRA_CA_CERTS = extraCa;
    else delete env.NODE_EXTRA_CA_CERTS;
    return new Promise((resolve, reject) => {
      execFile(process.execPath, ['-e', CHILD, JSON.stringify([url, ca])], { env, timeout: 15000 }, (err, stdout) =>
        err ? reject(err) : resolve(stdout.trim()),
      );
    });
  }

  it('trusts a server signed by the extra CA without any CA on the datasource', async function () {
    assert.strictEqual(await childRequest(mine.url, undefined, extraCaFile), '200');
    assert.strictEqual(await childRequest(mine.url, undefined, undefined), 'TLS_ERROR', 'and not without it');
  });

  it('keeps trusting the extra CA when the datasource adds its own CA', async function () {
    assert.strictEqual(await childRequest(mine.url, c.otherCa.pem, extraCaFile), '200');
    assert.strictEqual(await childRequest(other.url, c.otherCa.pem, extraCaFile), '200');
  });

  it('trusts an https:// proxy whose certificate is signed by the extra CA', async function () {
    const proxy = await startProxy({ tls: serverOptions(c.server) });
    try {
      const via = { HTTPS_PROXY: proxy.url };
      assert.strictEqual(await childRequest(other.url, c.otherCa.pem, extraCaFile, via), '200');
      assert.deepStrictEqual(
        proxy.tunnels.map((t) => t.target),
        [`127.0.0.1:${other.port}`],
      );
      assert.strictEqual(await childRequest(other.url, c.otherCa.pem, undefined, via), 'PROXY_ERROR');
    } finally {
      await proxy.close();
    }
  });
});
