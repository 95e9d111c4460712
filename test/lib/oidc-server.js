'use strict';
// A real OAuth 2.0 / OpenID Connect authorization server (oidc-provider) on 127.0.0.1, with a
// protected API that accepts only access tokens the provider itself issued and still knows.
// oidc-provider enforces client authentication methods, exact redirect URIs and PKCE.
const http = require('http');

/**
 * `ttl` overrides token lifetimes in seconds (e.g. {AccessToken: 3}); refresh tokens rotate on
 * every use and a reused one revokes the grant (oidc-provider's reuse detection). `grants`
 * lists every token grant ({type, at, ok, error}); `issued` every token handed out.
 */
async function startOidcServer({ redirectUri, ttl = {} }) {
  const { default: Provider } = await import('oidc-provider');
  const server = http.createServer();
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  const RESOURCE = 'https://api.example/';
  const provider = new Provider(base, {
    clients: [
      {
        client_id: 'm2m-basic',
        client_secret: 'm2m-basic-secret',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: 'm2m-post',
        client_secret: 'm2m-post-secret',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_post',
      },
      {
        client_id: 'web',
        client_secret: 'web-secret-oidc',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    scopes: ['openid', 'offline_access', 'read'],
    cookies: { keys: ['a-cookie-signing-key-for-tests'] },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resource) => {
          if (resource !== RESOURCE) throw new Error('unknown resource');
          return { scope: 'read', accessTokenFormat: 'opaque', audience: RESOURCE };
        },
      },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
    issueRefreshToken: (ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => true,
    ttl: {
      AccessToken: 600,
      ClientCredentials: 600,
      AuthorizationCode: 60,
      Grant: 3600,
      Interaction: 600,
      RefreshToken: 3600,
      Session: 3600,
      IdToken: 600,
      ...ttl,
    },
  });
  const grants = [];
  provider.on('grant.success', (ctx) => grants.push({ type: ctx.oidc.params.grant_type, at: Date.now(), ok: true }));
  provider.on('grant.error', (ctx, err) =>
    grants.push({ type: ctx.oidc.params && ctx.oidc.params.grant_type, at: Date.now(), ok: false, error: err.error }),
  );
  const oidc = provider.callback();
  const counts = { token: 0, api: 0 };
  const issued = [];

  // Consent is given at once for the user "alice": what a person clicking Allow would do.
  async function interaction(req, res) {
    const details = await provider.interactionDetails(req, res);
    const grant = new provider.Grant({ accountId: 'alice', clientId: details.params.client_id });
    grant.addOIDCScope(String(details.params.scope || 'openid'));
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: 'alice' }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }

  async function api(req, res) {
    counts.api++;
    const [, scheme, token] = /^(Bearer|DPoP) (.*)$/.exec(req.headers.authorization || '') || [];
    const found = token ? await provider.AccessToken.find(token) : undefined;
    const cc = found ? undefined : token ? await provider.ClientCredentials.find(token) : undefined;
    const t = found || cc;
    // A DPoP-bound token (cnf.jkt) counts only as DPoP with a proof by that very key.
    const bound = t && t.jkt ? await proofKey(req, token).catch(() => undefined) : undefined;
    if (!t || (t.jkt && (scheme !== 'DPoP' || bound !== t.jkt))) {
      res.statusCode = 401;
      return res.end('{"error":"invalid_token"}');
    }
    res.setHeader('Content-Type', 'application/json');
    const body = { ok: true, client: t.clientId, aud: t.aud || null };
    if (t.jkt) body.jkt = t.jkt;
    return res.end(JSON.stringify(body));
  }

  /** The thumbprint of the key that signed a valid DPoP proof for this request and token (jose). */
  async function proofKey(req, token) {
    const jose = await import('jose');
    const { payload, protectedHeader } = await jose.jwtVerify(req.headers.dpop, jose.EmbeddedJWK, {
      typ: 'dpop+jwt',
      maxTokenAge: '60s',
    });
    const ath = require('crypto').createHash('sha256').update(token).digest('base64url');
    if (payload.htm !== req.method || payload.ath !== ath) throw new Error('proof does not match the request');
    return jose.calculateJwkThumbprint(protectedHeader.jwk);
  }

  server.on('request', (req, res) => {
    const path = req.url.split('?')[0];
    if (path.startsWith('/interaction/')) {
      interaction(req, res).catch((e) => {
        res.statusCode = 500;
        res.end(String(e));
      });
      return;
    }
    if (path.startsWith('/api')) {
      api(req, res);
      return;
    }
    if (path === '/token') {
      counts.token++;
      // remember what was issued, to prove no token leaks anywhere
      const end = res.end.bind(res);
      res.end = (chunk, ...rest) => {
        try {
          const body = JSON.parse(String(chunk));
          for (const k of ['access_token', 'refresh_token']) if (body[k]) issued.push(body[k]);
        } catch {
          // not JSON
        }
        return end(chunk, ...rest);
      };
    }
    oidc(req, res);
  });

  return {
    provider,
    url: base,
    tokenUrl: base + '/token',
    authUrl: base + '/auth',
    apiUrl: base + '/api',
    resource: RESOURCE,
    counts,
    issued,
    grants,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Follow redirects like a browser (with cookies) until one leaves for `stopAt`; returns that URL. */
async function browse(url, stopAt, maxHops = 10) {
  const jar = new Map();
  let current = url;
  for (let i = 0; i < maxHops; i++) {
    if (current.startsWith(stopAt)) return current;
    const res = await new Promise((resolve, reject) => {
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      http
        .get(current, { headers: cookie ? { cookie } : {} }, (r) => {
          const chunks = [];
          r.on('data', (c) => chunks.push(c));
          r.on('end', () => resolve({ r, body: Buffer.concat(chunks).toString() }));
        })
        .on('error', reject);
    });
    for (const c of res.r.headers['set-cookie'] || []) {
      const [pair] = c.split(';');
      const i2 = pair.indexOf('=');
      jar.set(pair.slice(0, i2), pair.slice(i2 + 1));
    }
    if (!res.r.headers.location) throw new Error(`no redirect from ${current}: ${res.r.statusCode} ${res.body}`);
    current = new URL(res.r.headers.location, current).toString();
  }
  throw new Error('too many redirects');
}

/**
 * A datasource's auth settings and credentials for the server's `web` client: authorization
 * code, offline access, a consent page every time (so a test can authorize again).
 */
function webClient(op) {
  return {
    settings: {
      authType: 'oauth2',
      oauth2GrantType: 'authorization_code',
      oauth2TokenUrl: op.tokenUrl,
      oauth2AuthUrl: op.authUrl,
      oauth2Scopes: 'openid offline_access',
      oauth2AuthParams: [{ name: 'prompt', value: 'consent' }],
    },
    credentials: { clientId: 'web', clientSecret: 'web-secret-oidc' },
  };
}

module.exports = { startOidcServer, browse, webClient };
