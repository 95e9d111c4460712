'use strict';
// The OAuth building blocks on their own: token answers, one-time states, the encrypted vault.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { tokenSetFrom } = require('../dist/lib/oauth/tokens');
const { StateStore, createPkce } = require('../dist/lib/oauth/pkce');
const { TokenVault, VAULT_FILE } = require('../dist/lib/oauth/vault');
const { Redactor } = require('../dist/lib/redact');
const crypto = require('crypto');

describe('oauth2 building blocks', function () {
  const now = 1_700_000_000_000;

  it('reads the expiry from expires_in, expires_at (seconds, ms, ISO) or the fallback', function () {
    assert.strictEqual(tokenSetFrom({ access_token: 'a', expires_in: 60 }, 3600, undefined, now).expiresAt, now + 60e3);
    assert.strictEqual(
      tokenSetFrom({ access_token: 'a', expires_in: '60' }, 3600, undefined, now).expiresAt,
      now + 60e3,
    );
    assert.strictEqual(
      tokenSetFrom({ access_token: 'a', expires_at: 1_700_000_100 }, 1, undefined, now).expiresAt,
      1_700_000_100_000,
    );
    assert.strictEqual(tokenSetFrom({ access_token: 'a', expires_at: now + 5 }, 1, undefined, now).expiresAt, now + 5);
    assert.strictEqual(
      tokenSetFrom({ access_token: 'a', expires_at: '2030-01-01T00:00:00Z' }, 1, undefined, now).expiresAt,
      Date.parse('2030-01-01T00:00:00Z'),
    );
    assert.strictEqual(tokenSetFrom({ access_token: 'a' }, 120, undefined, now).expiresAt, now + 120e3);
    assert.strictEqual(tokenSetFrom({ expires_in: 5 }, 1), undefined, 'no access_token, no token set');
  });

  it('keeps the previous refresh token when the answer has none, and takes a rotated one', function () {
    assert.strictEqual(tokenSetFrom({ access_token: 'a' }, 1, 'old-rt').refreshToken, 'old-rt');
    assert.strictEqual(
      tokenSetFrom({ access_token: 'a', refresh_token: 'new-rt' }, 1, 'old-rt').refreshToken,
      'new-rt',
    );
  });

  it('PKCE: the challenge is the S256 of the verifier', function () {
    const { verifier, challenge } = createPkce();
    assert.match(verifier, /^[A-Za-z0-9_-]{43}$/);
    assert.strictEqual(challenge, crypto.createHash('sha256').update(verifier).digest('base64url'));
  });

  it('states are random, one-time, expire, and stay bounded in number', function () {
    const store = new StateStore(1000);
    const a = store.create({ nodeId: 'n1', redirectUri: 'r', context: {} }, now);
    const b = store.create({ nodeId: 'n2', redirectUri: 'r', context: {} }, now);
    assert.notStrictEqual(a, b);
    assert.deepStrictEqual(store.take('nope', now), { ok: false, reason: 'unknown' });
    assert.strictEqual(store.take(a, now + 999).entry.nodeId, 'n1');
    assert.deepStrictEqual(store.take(a, now + 999), { ok: false, reason: 'unknown' });
    assert.deepStrictEqual(store.take(b, now + 1000), { ok: false, reason: 'expired' });
    for (let i = 0; i < 500; i++) store.create({ nodeId: 'x', redirectUri: 'r', context: {} }, now);
    assert.ok(store.size <= 200);
  });

  describe('vault', function () {
    let dir;
    beforeEach(function () {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-ds-vault-'));
    });
    afterEach(function () {
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const tokens = { accessToken: 'access-XYZ-123', refreshToken: 'refresh-XYZ-456', expiresAt: 5 };

    it('encrypts entries, reads them back with the same secret, not with another', function () {
      new TokenVault({ dir, secret: () => 'secret-1' }).save('n1', 'fp1', tokens);
      const text = fs.readFileSync(path.join(dir, VAULT_FILE), 'utf8');
      assert.ok(!text.includes('XYZ'));
      assert.strictEqual((fs.statSync(path.join(dir, VAULT_FILE)).mode & 0o777).toString(8), '600');
      assert.deepStrictEqual(new TokenVault({ dir, secret: () => 'secret-1' }).load('n1', 'fp1'), tokens);
      assert.strictEqual(new TokenVault({ dir, secret: () => 'secret-2' }).load('n1', 'fp1'), undefined);
      assert.strictEqual(new TokenVault({ dir, secret: () => 'secret-1' }).load('n1', 'other-fp'), undefined);
      assert.strictEqual(new TokenVault({ dir, secret: () => 'secret-1' }).load('n2', 'fp1'), undefined);
    });

    it('writes plain JSON when credential encryption is off, memory only without a secret', function () {
      new TokenVault({ dir, secret: () => false }).save('n1', 'fp1', tokens);
      assert.deepStrictEqual(new TokenVault({ dir, secret: () => false }).load('n1', 'fp1'), tokens);
      fs.rmSync(path.join(dir, VAULT_FILE));
      const warnings = [];
      const v = new TokenVault({ dir, secret: () => undefined, warn: (t) => warnings.push(t) });
      v.save('n1', 'fp1', tokens);
      assert.deepStrictEqual(v.load('n1', 'fp1'), tokens);
      assert.ok(!fs.existsSync(path.join(dir, VAULT_FILE)));
      assert.strictEqual(warnings.length, 1);
    });

    it('keeps at most three fingerprints per node and forgets a removed node', function () {
      const v = new TokenVault({ dir, secret: () => 's' });
      for (const fp of ['a', 'b', 'c', 'd']) v.save('n1', fp, { accessToken: 'tok-' + fp });
      const file = JSON.parse(fs.readFileSync(path.join(dir, VAULT_FILE), 'utf8'));
      assert.deepStrictEqual(
        file.n1.map((e) => e.fp),
        ['d', 'c', 'b'],
      );
      assert.strictEqual(new TokenVault({ dir, secret: () => 's' }).latest('n1').accessToken, 'tok-d');
      v.remove('n1');
      assert.strictEqual(new TokenVault({ dir, secret: () => 's' }).load('n1', 'd'), undefined);
    });
  });

  it('the redactor forgets removed secrets', function () {
    const r = new Redactor().add('keep-this-one', 'drop-this-one');
    r.remove('drop-this-one');
    assert.strictEqual(r.redact('keep-this-one drop-this-one'), '*** drop-this-one');
  });
});
