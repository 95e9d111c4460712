'use strict';
// The AWS and OAuth 1.0a secrets are masked like every other credential, in the forms a
// request carries them (the PLAINTEXT signature joins both OAuth secrets, percent-encoded).
const assert = require('assert');
const { parseSettings, secretsOf, secretCredentialValues } = require('../../dist/lib/settings');
const { Redactor } = require('../../dist/lib/redact');
const { oauth1Auth } = require('../../dist/lib/auth/oauth1');

describe('AWS SigV4 and OAuth 1.0a secrets are masked', function () {
  it('the AWS secret access key and session token, not the access key id', function () {
    const creds = {
      awsAccessKeyId: 'AKIDEXAMPLE',
      awsSecretAccessKey: 'wJalr/K7MDENG+bPx',
      awsSessionToken: 'IQoJb3JpZ2luX2Vj',
    };
    const s = parseSettings(
      { baseUrl: 'https://x.example', authType: 'awsSigV4', awsRegion: 'eu-west-1', awsService: 's3' },
      creds,
    );
    const r = new Redactor().add(...secretsOf(s));
    assert.strictEqual(
      r.redact(
        `key wJalr/K7MDENG+bPx, ${encodeURIComponent('wJalr/K7MDENG+bPx')}, X-Amz-Security-Token: IQoJb3JpZ2luX2Vj by AKIDEXAMPLE`,
      ),
      'key ***, ***, X-Amz-Security-Token: *** by AKIDEXAMPLE',
    );
    // A node that failed to deploy masks the raw values as well.
    assert.deepStrictEqual(secretCredentialValues(creds).sort(), ['IQoJb3JpZ2luX2Vj', 'wJalr/K7MDENG+bPx']);
  });

  it("the consumer secret, token, token secret, private key and PLAINTEXT's joined secrets", function () {
    const creds = {
      oauth1ConsumerKey: 'consumer-key',
      oauth1ConsumerSecret: "cs!(it's)",
      oauth1Token: 'tok-value-1',
      oauth1TokenSecret: 'ts value',
    };
    const s = parseSettings(
      { baseUrl: 'https://x.example', authType: 'oauth1', oauth1SignatureMethod: 'PLAINTEXT' },
      creds,
    );
    const r = new Redactor().add(...secretsOf(s));
    const wire = {
      method: 'GET',
      origin: 'https://x.example',
      pathname: '/',
      rawQuery: '',
      query: [],
      headers: new Map(),
      explicitHeaders: new Set(),
      explicitParams: new Set(),
    };
    oauth1Auth(s.oauth1, s.credentials).sign(wire);
    const header = wire.headers.get('authorization')[1];
    const masked = r.redact(header);
    assert.ok(masked.includes('oauth_signature="***"'), masked);
    assert.ok(masked.includes('oauth_token="***"'), masked);
    assert.ok(masked.includes('oauth_consumer_key="consumer-key"'), masked);
  });

  it('a datasource saved before these settings existed gets their defaults', function () {
    const { migrateDatasource } = require('../../dist/nodes/rest-datasource/migrations');
    const m = migrateDatasource({ baseUrl: 'https://x.example', authType: 'basic' });
    assert.deepStrictEqual(
      [m.awsRegion, m.awsService, m.oauth1SignatureMethod, m.oauth1Realm],
      ['', '', 'HMAC-SHA1', ''],
    );
  });

  it('missing settings are CONFIG_ERRORs naming the field', function () {
    const bad = (raw, creds, field) =>
      assert.throws(
        () => parseSettings({ baseUrl: 'https://x.example', ...raw }, creds),
        (e) => e.code === 'CONFIG_ERROR' && e.message.startsWith(field + ':'),
      );
    const aws = { awsAccessKeyId: 'A', awsSecretAccessKey: 'S' };
    bad({ authType: 'awsSigV4', awsService: 's3' }, aws, 'awsRegion');
    bad({ authType: 'awsSigV4', awsRegion: 'eu-west-1' }, aws, 'awsService');
    bad({ authType: 'awsSigV4', awsRegion: 'eu west', awsService: 's3' }, aws, 'awsRegion');
    bad(
      { authType: 'awsSigV4', awsRegion: 'eu-west-1', awsService: 's3' },
      { awsAccessKeyId: 'A' },
      'awsSecretAccessKey',
    );
    bad({ authType: 'oauth1' }, { oauth1ConsumerSecret: 'x' }, 'oauth1ConsumerKey');
    bad({ authType: 'oauth1' }, { oauth1ConsumerKey: 'k' }, 'oauth1ConsumerSecret');
    bad(
      { authType: 'oauth1' },
      { oauth1ConsumerKey: 'k', oauth1ConsumerSecret: 'x', oauth1Token: 't' },
      'oauth1TokenSecret',
    );
    bad({ authType: 'oauth1', oauth1SignatureMethod: 'RSA-SHA256' }, { oauth1ConsumerKey: 'k' }, 'oauth1PrivateKey');
    bad({ authType: 'oauth1', oauth1SignatureMethod: 'HMAC-MD5' }, { oauth1ConsumerKey: 'k' }, 'oauth1SignatureMethod');
  });
});
