'use strict';
// The importers on AWS Signature Version 4 and OAuth 1.0a: curl's --aws-sigv4 with --user, an
// API Gateway export's IAM scheme, and the HTTP "OAuth" scheme. Keys only ever go to the
// credential proposal.
const assert = require('assert');
const { importCurl } = require('../../dist/lib/import/curl');
const { importOpenApi } = require('../../dist/lib/import/openapi');

describe('import: AWS Signature Version 4 and OAuth 1.0a', function () {
  it('curl --aws-sigv4 "aws:amz:REGION:SERVICE" --user KEY:SECRET → an awsSigV4 datasource', function () {
    const r = importCurl(
      "curl --aws-sigv4 'aws:amz:eu-west-1:execute-api' --user 'AKIDEXAMPLE:wJalr/SECRET' " +
        "-H 'x-amz-security-token: SESSION' -H 'Accept: application/json' " +
        "'https://abc.execute-api.eu-west-1.amazonaws.com/prod/items?limit=5'",
    );
    assert.strictEqual(r.datasource.authType, 'awsSigV4');
    assert.strictEqual(r.datasource.awsRegion, 'eu-west-1');
    assert.strictEqual(r.datasource.awsService, 'execute-api');
    assert.deepStrictEqual(r.datasource.credentials, {
      awsAccessKeyId: 'AKIDEXAMPLE',
      awsSecretAccessKey: 'wJalr/SECRET',
      awsSessionToken: 'SESSION',
    });
    // Nothing secret stays in the query, nothing in the flow-side settings.
    assert.deepStrictEqual(
      r.query.headers.map((h) => h.name),
      ['Accept'],
    );
    const settings = { ...r.datasource, credentials: undefined };
    assert.ok(!/SECRET|SESSION/.test(JSON.stringify(settings) + JSON.stringify(r.query)));
    assert.deepStrictEqual(
      r.credentialsFound.map((n) => n.code),
      ['awsSigV4'],
    );
    assert.deepStrictEqual(r.ignored, []);
  });

  it('curl --aws-sigv4 aws:amz without region and service reads them from the host, as curl does', function () {
    const r = importCurl('curl --aws-sigv4 aws:amz -u A:B https://s3.eu-central-1.amazonaws.com/bucket/key');
    assert.strictEqual(r.datasource.awsService, 's3');
    assert.strictEqual(r.datasource.awsRegion, 'eu-central-1');
    const unknown = importCurl('curl --aws-sigv4 aws:amz -u A:B https://minio.local/bucket');
    assert.deepStrictEqual(
      unknown.warnings.map((w) => w.code),
      ['awsScope'],
    );
  });

  it('OpenAPI: API Gateway IAM (x-amazon-apigateway-authtype awsSigv4) → awsSigV4 with the region of the server', async function () {
    const spec = {
      openapi: '3.0.1',
      info: { title: 'orders', version: '1' },
      servers: [
        {
          url: 'https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}',
          variables: { restApiId: { default: 'abc123' }, region: { default: 'eu-west-1' }, stage: { default: 'prod' } },
        },
      ],
      paths: {},
      components: {
        securitySchemes: {
          sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' },
          oauth: { type: 'http', scheme: 'OAuth' },
        },
      },
    };
    const r = await importOpenApi(JSON.stringify(spec));
    const by = Object.fromEntries(r.security.map((s) => [s.name, s]));
    assert.deepStrictEqual(by.sigv4.proposal, {
      authType: 'awsSigV4',
      awsService: 'execute-api',
      awsRegion: 'eu-west-1',
    });
    assert.strictEqual(by.sigv4.note.code, 'awsSigV4');
    assert.deepStrictEqual(by.oauth.proposal, { authType: 'oauth1' });
    assert.strictEqual(by.oauth.note.code, 'oauth1');
  });
});
