"""Validate OAuth 1.0a requests with oauthlib, as an OAuth 1.0a API built on it would.

The JSON argument names the clients ({key: {secret?, rsaPublicKey?, realm?}}) and the access
tokens ({token: secret}). One JSON request per stdin line: the request as the test server
received it ({method, url, headers, body (text)}); one JSON answer per stdout line ({ok, reason?,
nonce?}). Requests with an oauth_token go through ResourceEndpoint (token and realm checked),
two-legged ones through SignatureOnlyEndpoint. A nonce is accepted once only.
"""
import json
import logging
import sys

from oauthlib.oauth1 import RequestValidator, ResourceEndpoint, SignatureOnlyEndpoint

CONFIG = json.loads(sys.argv[1])
CLIENTS = CONFIG['clients']
TOKENS = CONFIG.get('tokens', {})
seen_nonces = set()
log = []


class Validator(RequestValidator):
    enforce_ssl = False  # the test server is plain HTTP on 127.0.0.1

    @property
    def client_key_length(self):
        return 3, 64

    @property
    def access_token_length(self):
        return 3, 64

    @property
    def dummy_client(self):
        return 'dummyclient'

    @property
    def dummy_access_token(self):
        return 'dummytoken'

    @property
    def allowed_signature_methods(self):
        return ('HMAC-SHA1', 'HMAC-SHA256', 'HMAC-SHA512', 'RSA-SHA1', 'RSA-SHA256', 'PLAINTEXT')

    def validate_client_key(self, client_key, request):
        return client_key in CLIENTS

    def get_client_secret(self, client_key, request):
        return CLIENTS.get(client_key, {}).get('secret', 'dummy')

    def get_rsa_key(self, client_key, request):
        return CLIENTS.get(client_key, {}).get('rsaPublicKey', '')

    def validate_access_token(self, client_key, token, request):
        return token in TOKENS

    def get_access_token_secret(self, client_key, token, request):
        return TOKENS.get(token, 'dummy')

    def validate_realms(self, client_key, token, request, uri=None, realms=None):
        expected = CLIENTS.get(client_key, {}).get('realm')
        return expected is None or request.realm == expected

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request, request_token=None,
                                     access_token=None):
        key = (client_key, timestamp, nonce, access_token)
        if nonce in seen_nonces:
            log.append('nonce %s used before' % nonce)
            return False
        seen_nonces.add(nonce)
        return True


validator = Validator()
resource = ResourceEndpoint(validator)
signature_only = SignatureOnlyEndpoint(validator)


class Capture(logging.Handler):
    def emit(self, record):
        log.append(record.getMessage())


logging.getLogger('oauthlib').addHandler(Capture())
logging.getLogger('oauthlib').setLevel(logging.DEBUG)

for line in sys.stdin:
    del log[:]
    try:
        r = json.loads(line)
        headers = r['headers']
        if 'oauth_token=' in headers.get('authorization', ''):
            ok, req = resource.validate_protected_resource_request(
                r['url'], http_method=r['method'], body=r['body'] or None, headers=headers)
        else:
            ok, req = signature_only.validate_request(
                r['url'], http_method=r['method'], body=r['body'] or None, headers=headers)
        answer = {'ok': bool(ok), 'reason': '; '.join(log), 'nonce': getattr(req, 'nonce', None),
                  'realm': getattr(req, 'realm', None),
                  'method': getattr(req, 'signature_method', None)}
    except Exception as e:  # the test shows the reason
        answer = {'ok': False, 'reason': repr(e)}
    sys.stdout.write(json.dumps(answer) + '\n')
    sys.stdout.flush()
