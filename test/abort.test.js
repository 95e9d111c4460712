'use strict';
// A request that takes too long, or that is in flight when its datasource stops, ends in
// exactly one error with a stable code: ETIMEDOUT or ABORTED.
const assert = require('assert');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');

describe('abort: timeouts and stopping datasources', function () {
  let api;
  useRuntime();
  beforeEach(async function () {
    // An API that reads the request and never answers.
    api = await startServer(() => {});
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
  });

  it('reports ETIMEDOUT when the API does not answer within the timeout', async function () {
    const ctx = await loadQuery({ ds: { baseUrl: api.url }, query: { path: 'slow', timeout: 200 } });
    const { error } = await ctx.run({ topic: 'kept' });
    assert.ok(error, 'the Catch node receives the error');
    assert.strictEqual(error.error.code, 'ETIMEDOUT');
    assert.match(error.error.message, /timed out/);
    assert.strictEqual(error.topic, 'kept');
  });

  it('reports ABORTED for a request in flight when the datasource stops', async function () {
    const ctx = await loadQuery({ ds: { baseUrl: api.url }, query: { path: 'slow' } });
    const result = ctx.run({});
    while (api.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    ctx.ds.datasource.close();
    const { error } = await result;
    assert.ok(error, 'the Catch node receives the error');
    assert.strictEqual(error.error.code, 'ABORTED');
  });
});
