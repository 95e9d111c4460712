'use strict';
// Two whole Node-RED processes with one flow and one real redis-server: the JWT bearer grant's
// token and the DPoP key are shared. Both instances ask at once; the token endpoint (jose-
// verified assertions, resp. oidc-provider with DPoP nonces) sees one grant, and the resource
// server accepts the second instance's proofs for the token the first one obtained, because
// both prove with the same key (the token's cnf.jkt). Nothing in redis is readable.
const assert = require('assert');
const crypto = require('crypto');
const runner = require('../scripts/lib/node-red-runner');
const { startInstances, stopInstances } = require('./lib/instances');
const { startRedis } = require('./lib/redis');
const { startBearerServer } = require('./lib/jwt-bearer-server');
const { startAssertionServer } = require('./lib/oidc-assertion-server');
const { secret } = require('./lib/secrets');

const RUNTIME = process.env.NODE_RED_RUNTIME || 'node-red';
const CREDENTIAL_SECRET = 'oauth-keys-cluster-secret';

function flow({ redisUrl, storePassword, bearer, pem, op }) {
  const answer = (id, dsId, url) => [
    { id: `${id}-in`, type: 'http in', z: 't', url, method: 'get', wires: [[`${id}-q`]] },
    { id: `${id}-q`, type: 'rest-query', z: 't', datasource: dsId, method: 'GET', path: '/x', wires: [['out']] },
  ];
  return [
    { id: 't', type: 'tab', label: 'keys' },
    {
      id: 'store',
      type: 'rest-shared-store',
      url: redisUrl,
      keyPrefix: 'keys-test:',
      credentials: { password: storePassword },
    },
    {
      id: 'dsb',
      type: 'rest-datasource',
      baseUrl: bearer.url + '/api',
      authType: 'oauth2',
      oauth2GrantType: 'jwt_bearer',
      oauth2TokenUrl: bearer.tokenUrl,
      oauth2AssertionIssuer: 'cluster-issuer',
      sharedStore: 'store',
      credentials: { clientPrivateKey: pem },
    },
    {
      id: 'dsd',
      type: 'rest-datasource',
      baseUrl: op.apiUrl,
      authType: 'oauth2',
      oauth2GrantType: 'client_credentials',
      oauth2TokenUrl: op.tokenUrl,
      oauth2Scopes: 'read',
      oauth2ClientAuth: 'private_key_jwt',
      oauth2ClientAssertionAlg: 'ES256',
      oauth2Dpop: true,
      sharedStore: 'store',
      credentials: { clientId: 'dpop', clientPrivateKey: op.keys.ec.pem, ca: op.ca },
    },
    ...answer('b', 'dsb', '/bearer'),
    ...answer('d', 'dsd', '/dpop'),
    { id: 'out', type: 'http response', z: 't', wires: [] },
    { id: 'c', type: 'catch', z: 't', scope: ['b-q', 'd-q'], uncaught: false, wires: [['e']] },
    {
      id: 'e',
      type: 'function',
      z: 't',
      func: 'msg.statusCode = 599; msg.payload = { error: msg.error.message }; return msg;',
      wires: [['out']],
    },
  ];
}

describe(`OAuth keys and bearer-grant tokens shared by two Node-RED instances (${RUNTIME})`, function () {
  this.timeout(90000);
  const nodes = [];
  const userDirs = [];
  let redis;
  let bearer;
  let op;
  const storePassword = secret('redis-password');
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });

  before(async function () {
    redis = await startRedis({ password: storePassword });
    bearer = await startBearerServer({ publicKey: rsa.publicKey, check: { issuer: 'cluster-issuer' } });
    op = await startAssertionServer({ clientSecretJwt: 'unused-secret-unused-secret-unused-secret' });
    const pem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' });
    const nodesFlow = flow({ redisUrl: redis.url, storePassword, bearer, pem, op });
    await startInstances({
      nodes,
      userDirs,
      flow: nodesFlow,
      credentialSecret: CREDENTIAL_SECRET,
      runtime: RUNTIME,
      dirPrefix: 'rest-ds-keys-cluster-',
      count: 2,
    });
    // the flows have started once their http-in routes answer
    for (const nr of nodes) {
      for (let i = 0; i < 100; i++) {
        const r = await runner.request(nr.url, 'GET', 'nothing-here').catch(() => undefined);
        if (r) break;
      }
    }
  });

  after(async function () {
    await stopInstances(nodes, userDirs);
    if (bearer) await bearer.close();
    if (op) await op.close();
    if (redis) await redis.close();
  });

  const ask = (nr, route) => runner.request(nr.url, 'GET', route);
  const askAll = async (route, each = 3) => {
    const all = await Promise.all(nodes.flatMap((nr) => Array.from({ length: each }, () => ask(nr, route))));
    for (const r of all) assert.strictEqual(r.status, 200, `${route}: ${JSON.stringify(r.body)}`);
    return all;
  };

  it('jwt_bearer: both instances at once, one grant; the shared token record is encrypted', async function () {
    await askAll('bearer');
    assert.strictEqual(bearer.grants.length, 1, JSON.stringify(bearer.grants.map((g) => g.error)));
    assert.ok(bearer.grants[0].ok);
    // both instances then keep using it
    await askAll('bearer', 2);
    assert.strictEqual(bearer.grants.length, 1);
    const dump = JSON.stringify(await redis.dump());
    assert.match(dump, /keys-test:oauth:\{dsb\}:/);
    assert.ok(!dump.includes('bearer-grant-token-1'), 'the token is not readable in redis');
  });

  it('DPoP: one key for both instances: one grant (nonce retried), proofs of both accepted for the shared token', async function () {
    const answers = await askAll('dpop');
    assert.ok(answers.every((r) => r.body.bound === true));
    const jkts = new Set(answers.map((r) => r.body.jkt));
    assert.strictEqual(jkts.size, 1, 'one key (cnf.jkt) for every answer');
    const ok = op.grants.filter((g) => g.ok);
    assert.strictEqual(ok.length, 1, JSON.stringify(op.grants));
    // every API request carried its own proof with the same key
    assert.strictEqual(op.proofs.length, answers.length);
    assert.strictEqual(new Set(op.proofs.map((p) => p.header.jwk.x)).size, 1);
    // the key record in redis is sealed: no JWK member in clear
    const records = (await redis.dump()).filter((d) => /keys-test:dpop:\{dsd\}/.test(d.key));
    assert.strictEqual(records.length, 1);
    assert.ok(!JSON.stringify(records).includes('"kty"'));
  });
});
