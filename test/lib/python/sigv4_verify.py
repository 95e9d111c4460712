"""Recompute an AWS Signature Version 4 with botocore, as an AWS service would check it.

One JSON request per stdin line: the request as the test server received it ({method, url,
headers, body (base64)}); one JSON answer per stdout line ({ok, reason?, canonical?}). The
credentials, region and service come as the JSON argument. Only the headers the request names
in SignedHeaders are given to botocore (a service ignores the others); S3 gets S3SigV4Auth,
which neither normalizes nor re-encodes the path.
"""
import base64
import hashlib
import json
import re
import sys

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

CONFIG = json.loads(sys.argv[1])
AUTH = re.compile(
    r'^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, '
    r'SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$'
)


def verify(r):
    headers = {k.lower(): v for k, v in r['headers'].items()}
    m = AUTH.match(headers.get('authorization', ''))
    if not m:
        return {'ok': False, 'reason': 'no SigV4 Authorization header: %r' % headers.get('authorization')}
    key_id, day, region, service, signed, signature = m.groups()
    if key_id != CONFIG['accessKeyId']:
        return {'ok': False, 'reason': 'unknown access key id %s' % key_id}
    if (region, service) != (CONFIG['region'], CONFIG['service']):
        return {'ok': False, 'reason': 'scope %s/%s' % (region, service)}
    amz_date = headers.get('x-amz-date', '')
    if amz_date[:8] != day:
        return {'ok': False, 'reason': 'x-amz-date %r does not match the scope day' % amz_date}
    body = base64.b64decode(r['body'])
    # As S3 does: the content hash the request declares must be the body's.
    if headers.get('x-amz-content-sha256') != hashlib.sha256(body).hexdigest():
        return {'ok': False, 'reason': 'x-amz-content-sha256 is not the SHA-256 of the body'}
    names = signed.split(';')
    missing = [n for n in names if n not in headers]
    if missing:
        return {'ok': False, 'reason': 'signed headers missing: %s' % missing}
    token = CONFIG.get('sessionToken')
    if token and headers.get('x-amz-security-token') != token:
        return {'ok': False, 'reason': 'session token missing or wrong'}
    creds = Credentials(CONFIG['accessKeyId'], CONFIG['secretAccessKey'], token)
    signer = (S3SigV4Auth if service == 's3' else SigV4Auth)(creds, service, region)
    req = AWSRequest(method=r['method'], url=r['url'], headers={n: headers[n] for n in names}, data=body)
    req.context['timestamp'] = amz_date
    canonical = signer.canonical_request(req)
    expected = signer.signature(signer.string_to_sign(req, canonical), req)
    if signer.signed_headers(signer.headers_to_sign(req)) != signed:
        return {'ok': False, 'reason': 'botocore would sign other headers', 'canonical': canonical}
    if expected != signature:
        return {'ok': False, 'reason': 'signature mismatch', 'canonical': canonical}
    return {'ok': True, 'canonical': canonical, 'signedHeaders': signed}


for line in sys.stdin:
    try:
        answer = verify(json.loads(line))
    except Exception as e:  # the test shows the reason
        answer = {'ok': False, 'reason': repr(e)}
    sys.stdout.write(json.dumps(answer) + '\n')
    sys.stdout.flush()
