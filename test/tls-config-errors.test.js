'use strict';
// PEM checked on deploy: a malformed certificate or key, a key that does not match the
// certificate, a missing or wrong passphrase each give one CONFIG_ERROR naming the field,
// never echo key material, and leave the runtime (and other datasources) running.
const assert = require('assert');
const { helper, loadQuery, coreNode, statusTexts, useRuntime } = require('./lib/nr');
const { certs, startHttpsServer } = require('./lib/certs');

const GARBAGE_CERT = '-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
const GARBAGE_KEY = '-----BEGIN PRIVATE KEY-----\nTm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n';

describe('TLS: certificate and key checks on deploy', function () {
  let c;
  let api;
  useRuntime();
  before(function () {
    c = certs();
  });
  beforeEach(async function () {
    api = await startHttpsServer(undefined, c.server);
  });
  afterEach(async function () {
    await helper.unload();
    await api.close();
  });

  /** Deploy a bad datasource beside a good one; return the bad one's error and the good one's answer. */
  async function deployBesideGoodOne(credentials, ds = {}, more = {}) {
    const ctx = await loadQuery({
      ds: { baseUrl: api.url, ...ds },
      credentials,
      ...more,
      extra: [
        ...(more.extra || []),
        { id: 'ds2', type: 'rest-datasource', name: 'good', baseUrl: api.url },
        { id: 'q2', type: 'rest-query', z: 'f1', datasource: 'ds2', wires: [['out2']] },
        { id: 'out2', type: 'helper', z: 'f1' },
      ],
      extraCredentials: { ...(more.extraCredentials || {}), ds2: { ca: c.ca.pem } },
    });
    const { error, msg } = await ctx.run();
    assert.ok(!msg, 'a misconfigured datasource sends nothing');
    const good = await new Promise((resolve) => {
      helper.getNode('out2').once('input', resolve);
      helper.getNode('q2').receive({});
    });
    assert.strictEqual(good.statusCode, 200, 'the other datasource keeps working');
    assert.strictEqual(api.requests.length, 1, 'only the good datasource reached the server');
    assert.deepStrictEqual(statusTexts(ctx.q), ['rest-query.status.configError', 'CONFIG_ERROR']);
    return error.error;
  }

  const cases = [
    ['a CA field that holds no certificate', () => ({ ca: 'hello' }), /ca: is not a PEM certificate/],
    ['a malformed CA certificate', () => ({ ca: GARBAGE_CERT }), /ca: certificate 1 is not valid PEM/],
    [
      'a malformed client certificate',
      () => ({ cert: GARBAGE_CERT, key: c.client.keyPem }),
      /cert: certificate 1 is not valid PEM/,
    ],
    ['a malformed key', () => ({ cert: c.client.pem, key: GARBAGE_KEY }), /key: is not a valid PEM private key/],
    [
      'a certificate pasted as the key',
      () => ({ cert: c.client.pem, key: c.client.pem }),
      /key: is not a PEM private key/,
    ],
    [
      'a key that does not match the certificate',
      () => ({ cert: c.client.pem, key: c.server.keyPem }),
      /key: does not belong to the client certificate \(cert\)/,
    ],
    [
      'an encrypted key without passphrase',
      () => ({ cert: c.client.pem, key: c.encryptedClientKey }),
      /key: is encrypted; fill in the key passphrase/,
    ],
    [
      'an encrypted key with a wrong passphrase',
      () => ({ cert: c.client.pem, key: c.encryptedClientKey, passphrase: 'not the passphrase' }),
      /key: cannot be decrypted; is the key passphrase right\?/,
    ],
    ['a certificate without key', () => ({ cert: c.client.pem }), /key: is required with a client certificate/],
    ['a key without certificate', () => ({ key: c.client.keyPem }), /cert: is required with a client key/],
  ];
  for (const [what, credentials, expected] of cases) {
    it(`${what} is a CONFIG_ERROR naming the field`, async function () {
      const creds = credentials();
      const err = await deployBesideGoodOne(creds);
      assert.strictEqual(err.code, 'CONFIG_ERROR');
      assert.match(err.message, expected);
      for (const secret of [creds.key, creds.passphrase].filter(Boolean)) {
        assert.ok(!err.message.includes(secret.split('\n')[1]), 'no key material in the error');
        assert.ok(!err.message.includes(secret), 'no secret in the error');
      }
    });
  }

  it('a mismatched pair in a tls-config node names that node', async function () {
    const err = await deployBesideGoodOne(
      {},
      { tls: 'tc' },
      {
        nodes: [coreNode('network/05-tls.js')],
        extra: [{ id: 'tc', type: 'tls-config', name: 'corp', cert: '', key: '', ca: '', verifyservercert: true }],
        extraCredentials: { tc: { certdata: c.client.pem, keydata: c.server.keyPem } },
      },
    );
    assert.strictEqual(err.code, 'CONFIG_ERROR');
    assert.match(err.message, /tls \(TLS configuration "corp"\) key: does not belong to the client certificate/);
  });
});
