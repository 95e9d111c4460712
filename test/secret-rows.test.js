'use strict';
// Secret row values live in the password-type `secrets` credential, never sent to the editor.
// The dialog sends the values it changed in `secretEdits`; the runtime uses the stored values
// with the edits over them and folds the edits into `secrets`. Flows saved before (the same
// `secrets` JSON, then a text credential) keep their values.
const assert = require('assert');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');
const { secret } = require('./lib/secrets');

describe('secret rows: password-type values with "unchanged" edits', function () {
  let api;
  useRuntime();
  beforeEach(async function () {
    api = await startServer();
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
  });

  const rows = [
    { name: 'X-Kept', value: '', secret: true },
    { name: 'X-Changed', value: '', secret: true },
  ];

  it('a saved flow (secrets only) keeps its values; edits win and are folded into secrets', async function () {
    const kept = secret('row-kept');
    const old = secret('row-old');
    const changed = secret('row-changed');
    let ctx = await loadQuery({
      ds: { baseUrl: api.url, headers: rows },
      credentials: { secrets: JSON.stringify({ 'headers:x-kept': kept, 'headers:x-changed': old }) },
    });
    await ctx.run({});
    assert.strictEqual(api.requests[0].headers['x-kept'], kept);
    assert.strictEqual(api.requests[0].headers['x-changed'], old);
    await helper.unload();

    ctx = await loadQuery({
      ds: { baseUrl: api.url, headers: rows },
      credentials: {
        secrets: JSON.stringify({ 'headers:x-kept': kept, 'headers:x-changed': old }),
        secretEdits: JSON.stringify({ 'headers:x-changed': changed }),
      },
    });
    await ctx.run({});
    assert.strictEqual(api.requests[1].headers['x-kept'], kept);
    assert.strictEqual(api.requests[1].headers['x-changed'], changed);
    // Folded: the next dialog's edits start from these values.
    const stored = helper._RED.nodes.getCredentials('ds');
    assert.deepStrictEqual(JSON.parse(stored.secrets), { 'headers:x-kept': kept, 'headers:x-changed': changed });
    assert.strictEqual(stored.secretEdits, '');
  });

  it('Test connection: stored values marked unchanged, with the dialog’s edits over them', async function () {
    const kept = secret('test-kept');
    const typed = secret('test-typed');
    await loadQuery({
      ds: { baseUrl: api.url, headers: rows },
      credentials: { secrets: JSON.stringify({ 'headers:x-kept': kept, 'headers:x-changed': secret('test-old') }) },
    });
    const res = await helper
      .request()
      .post('/rest-datasource/ds/test')
      .send({ headers: rows, secrets: '__PWRD__', secretEdits: JSON.stringify({ 'headers:x-changed': typed }) });
    assert.strictEqual(res.body.ok, true, res.body.message);
    const last = api.requests[api.requests.length - 1];
    assert.strictEqual(last.headers['x-kept'], kept);
    assert.strictEqual(last.headers['x-changed'], typed);
  });
});
