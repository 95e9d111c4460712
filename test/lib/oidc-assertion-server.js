'use strict';
// oidc-provider over HTTPS (mutual TLS optional) set up for the client authentication methods
// of RFC 7523 2.2 (private_key_jwt, client_secret_jwt) and RFC 8705 (tls_client_auth), and for
// DPoP (RFC 9449) with server nonces. Its API is a resource server that accepts only tokens the
// provider issued and, for DPoP-bound tokens, only with a proof that jose verifies: signature
// by the embedded key, that key's thumbprint equal to the token's `cnf.jkt`, `htm`, `htu`,
// `ath`, a fresh `iat`, a `jti` never seen before and, when `apiNonce` is on, its own nonce.
const crypto = require('crypto');
const https = require('https');
const { certs, serverOptions } = require('./certs');

/** Key pairs for each assertion algorithm; the public halves are registered with the provider. */
function assertionKeys() {
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed = crypto.generateKeyPairSync('ed25519');
  const pem = (k) => k.privateKey.export({ type: 'pkcs8', format: 'pem' });
  const jwk = (k, kid) => ({ ...k.publicKey.export({ format: 'jwk' }), kid });
  return {
    rsa: { pem: pem(rsa), jwk: jwk(rsa, 'rsa-1') },
    ec: { pem: pem(ec), jwk: jwk(ec, 'ec-1') },
    ed: { pem: pem(ed), jwk: jwk(ed, 'ed-1') },
  };
}

async function startAssertionServer({ clientSecretJwt, apiNonce = false, requireTokenNonce = true } = {}) {
  const { default: Provider } = await import('oidc-provider');
  const jose = await import('jose');
  const c = certs();
  const keys = assertionKeys();
  const server = https.createServer(
    serverOptions(c.server, { ca: c.ca.pem, requestCert: true, rejectUnauthorized: false }),
  );
  const sockets = new Set();
  server.on('secureConnection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `https://127.0.0.1:${server.address().port}`;
  const m2m = { grant_types: ['client_credentials'], response_types: [], redirect_uris: [] };
  const provider = new Provider(base, {
    clients: [
      {
        ...m2m,
        client_id: 'pkjwt',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [keys.rsa.jwk, keys.ec.jwk, keys.ed.jwk] },
      },
      { ...m2m, client_id: 'csjwt', client_secret: clientSecretJwt, token_endpoint_auth_method: 'client_secret_jwt' },
      {
        ...m2m,
        client_id: 'mtls',
        token_endpoint_auth_method: 'tls_client_auth',
        tls_client_auth_subject_dn: 'CN=node-red-client',
      },
      {
        ...m2m,
        client_id: 'dpop',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [keys.ec.jwk] },
        dpop_bound_access_tokens: true,
      },
    ],
    scopes: ['read'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_jwt', 'private_key_jwt', 'tls_client_auth', 'none'],
    cookies: { keys: ['a-cookie-signing-key-for-tests'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      dPoP: {
        enabled: true,
        nonceSecret: crypto.randomBytes(32),
        requireNonce: () => requireTokenNonce,
      },
      mTLS: {
        enabled: true,
        tlsClientAuth: true,
        getCertificate: (ctx) => {
          const peer = ctx.req.socket.getPeerX509Certificate && ctx.req.socket.getPeerX509Certificate();
          return peer ? peer.toString() : undefined;
        },
        certificateAuthorized: (ctx) => ctx.req.socket.authorized === true,
        certificateSubjectMatches: (ctx, property, expected) => {
          const peer = ctx.req.socket.getPeerCertificate();
          return property === 'tls_client_auth_subject_dn' && `CN=${peer.subject.CN}` === expected;
        },
      },
    },
    ttl: { ClientCredentials: 600 },
  });
  const grants = [];
  provider.on('grant.success', (ctx) =>
    grants.push({ client: ctx.oidc.client.clientId, ok: true, dpop: !!ctx.oidc.params && !!ctx.get('dpop') }),
  );
  provider.on('grant.error', (ctx, err) =>
    grants.push({ client: ctx.oidc.client && ctx.oidc.client.clientId, ok: false, error: err.error }),
  );
  const assertions = [];
  const proofs = [];
  const seenJti = new Set();
  const apiNonces = new Set();
  const counts = { token: 0, api: 0, nonceChallenges: 0 };
  // What the token endpoint received (the assertion decoded, unverified: what we sent).
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/token' || !ctx.oidc || !ctx.oidc.body) return;
    const body = ctx.oidc.body;
    const a = body.client_assertion;
    assertions.push({
      body: { ...body },
      header: a ? jose.decodeProtectedHeader(a) : undefined,
      claims: a ? jose.decodeJwt(a) : undefined,
      status: ctx.status,
      dpop: ctx.get('dpop') ? jose.decodeJwt(ctx.get('dpop')) : undefined,
    });
  });
  const oidc = provider.callback();

  async function verifyProof(req, token) {
    const proof = req.headers.dpop;
    if (!proof) throw new Error('no DPoP proof');
    const { payload, protectedHeader } = await jose.jwtVerify(proof, jose.EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: ['ES256'],
      maxTokenAge: '60s',
    });
    if (payload.htm !== req.method) throw new Error(`htm ${payload.htm}`);
    if (payload.htu !== base + req.url.split('?')[0]) throw new Error(`htu ${payload.htu}`);
    if (payload.ath !== crypto.createHash('sha256').update(token).digest('base64url')) throw new Error('ath');
    if (seenJti.has(payload.jti)) throw new Error('jti replayed');
    seenJti.add(payload.jti);
    proofs.push({ payload, header: protectedHeader });
    return { payload, jkt: await jose.calculateJwkThumbprint(protectedHeader.jwk) };
  }

  async function api(req, res) {
    counts.api++;
    res.setHeader('Content-Type', 'application/json');
    const auth = req.headers.authorization || '';
    const m = /^(Bearer|DPoP) (.+)$/.exec(auth);
    const found = m ? await provider.ClientCredentials.find(m[2]) : undefined;
    const deny = (status, error, extra = {}) => {
      res.statusCode = status;
      for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
      res.end(JSON.stringify({ error }));
    };
    if (!found) return deny(401, 'invalid_token');
    if (found.jkt) {
      if (m[1] !== 'DPoP') return deny(401, 'invalid_token: a DPoP-bound token sent as Bearer');
      let checked;
      try {
        checked = await verifyProof(req, m[2]);
      } catch (e) {
        return deny(401, `invalid_dpop_proof: ${e.message}`);
      }
      if (checked.jkt !== found.jkt) return deny(401, 'invalid_token: key does not match cnf.jkt');
      if (apiNonce && !apiNonces.has(checked.payload.nonce)) {
        counts.nonceChallenges++;
        const nonce = crypto.randomBytes(12).toString('base64url');
        apiNonces.add(nonce);
        return deny(401, 'use_dpop_nonce', {
          'WWW-Authenticate': 'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce"',
          'DPoP-Nonce': nonce,
        });
      }
    }
    if (req.url === '/api/moved') {
      // accepted, then sent on: the next hop needs its own proof
      res.statusCode = 307;
      res.setHeader('Location', '/api/new-home');
      return res.end();
    }
    return res.end(
      JSON.stringify({ ok: true, client: found.clientId, bound: !!found.jkt, jkt: found.jkt || null, path: req.url }),
    );
  }

  server.on('request', (req, res) => {
    const path = req.url.split('?')[0];
    if (path.startsWith('/api')) {
      api(req, res).catch((e) => {
        res.statusCode = 500;
        res.end(String(e));
      });
      return;
    }
    if (path === '/token') counts.token++;
    oidc(req, res);
  });

  return {
    provider,
    keys,
    url: base,
    tokenUrl: base + '/token',
    apiUrl: base + '/api',
    ca: c.ca.pem,
    client: c.client,
    grants,
    assertions,
    proofs,
    counts,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

module.exports = { startAssertionServer, assertionKeys };
