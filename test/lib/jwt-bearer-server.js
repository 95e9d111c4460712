'use strict';
// A token endpoint for the JWT bearer grant (RFC 7523 2.1) that verifies every assertion with
// jose: signature with the registered public key, aud (its own token URL), exp, iat, a jti never
// seen before, and whatever `check` adds (issuer, subject, algorithms); and an API beside it that
// takes only the tokens it issued. `grants` lists every token request with the verified JWT.
const { startServer } = require('./server');

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** A token endpoint that verifies assertions with jose, and an API that takes its tokens. */
async function startBearerServer({ publicKey, expiresIn = 3600, check = {} }) {
  const jose = await import('jose');
  const seen = new Set();
  const issued = new Set();
  const grants = [];
  let n = 0;
  const srv = await startServer(async (req, res) => {
    res.setHeader('Content-Type', 'application/json');
    if (req.url === '/token') {
      const form = new URLSearchParams(req.body.toString());
      const fail = (error) => {
        grants.push({ ok: false, error });
        res.statusCode = 400;
        res.end(JSON.stringify({ error: 'invalid_grant', error_description: error }));
      };
      if (form.get('grant_type') !== GRANT) return fail(`grant_type ${form.get('grant_type')}`);
      let verified;
      try {
        verified = await jose.jwtVerify(form.get('assertion'), publicKey, {
          audience: srv.url + '/token',
          maxTokenAge: '2m',
          requiredClaims: ['iss', 'aud', 'exp', 'iat', 'jti'],
          ...check,
        });
      } catch (e) {
        return fail(e.message);
      }
      if (seen.has(verified.payload.jti)) return fail('jti replayed');
      seen.add(verified.payload.jti);
      grants.push({ ok: true, form: Object.fromEntries(form), ...verified });
      const token = `bearer-grant-token-${++n}`;
      issued.add(token);
      return res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: expiresIn }));
    }
    const token = (req.headers.authorization || '').replace(/^Bearer /, '');
    if (!issued.has(token)) {
      res.statusCode = 401;
      return res.end('{"error":"invalid_token"}');
    }
    return res.end(JSON.stringify({ ok: true, token }));
  });
  return Object.assign(srv, { grants, tokenUrl: srv.url + '/token' });
}

module.exports = { startBearerServer, GRANT };
