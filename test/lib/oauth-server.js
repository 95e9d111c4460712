'use strict';
// A strict OAuth 2.0 authorization server plus a protected API on one 127.0.0.1 server.
// It checks every parameter it receives: client authentication by the registered method only,
// exact redirect URIs, PKCE S256, one-time codes, known and (optionally rotated) refresh
// tokens, and exactly the expected extra parameters. Anything unexpected is a 400.
const crypto = require('crypto');
const http = require('http');
const { startServer } = require('./server');

const random = () => crypto.randomBytes(18).toString('base64url');

function oauthError(res, status, error, description) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify({ error, error_description: description }));
}

/**
 * options.clients: [{id, secret, auth: 'header'|'body', redirectUris: []}]
 * options.users: {name: password}
 * options.expect: {param: value} extra token-request params every grant must carry (exactly)
 * options.expectHeaders: {name: value}
 */
async function startOAuthServer(options = {}) {
  const clients = new Map((options.clients || []).map((c) => [c.id, c]));
  const users = options.users || {};
  const state = {
    expiresIn: 3600,
    // how the token answer tells the lifetime: 'expires_in', 'expires_at' or 'none'
    expiryField: 'expires_in',
    rotate: true,
    omitRefreshOnRefresh: false,
    issueRefreshForClientCredentials: false,
    rejectAllApi: false,
    access: new Set(),
    refresh: new Map(), // refresh token -> {clientId, scope}
    codes: new Map(), // code -> {clientId, redirectUri, challenge, scope, used}
    grants: [], // grant_type of each accepted or refused token request
    errors: [], // why a token request was refused
    apiAuth: [], // Authorization header or access_token param the API saw
    allIssued: [],
  };

  function issue(res, clientId, scope, withRefresh) {
    const access = 'at-' + random();
    state.access.add(access);
    state.allIssued.push(access);
    const body = { access_token: access, token_type: 'Bearer' };
    if (state.expiryField === 'expires_in') body.expires_in = state.expiresIn;
    if (state.expiryField === 'expires_at') body.expires_at = Math.floor(Date.now() / 1000) + state.expiresIn;
    if (scope) body.scope = scope;
    if (withRefresh) {
      const refresh = 'rt-' + random();
      state.refresh.set(refresh, { clientId, scope });
      state.allIssued.push(refresh);
      body.refresh_token = refresh;
    }
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify(body));
    return body;
  }

  /** The client, authenticated exactly by its registered method, or undefined (answered). */
  function authenticate(req, res, params) {
    const header = req.headers.authorization;
    let id;
    let secret;
    if (header) {
      const m = /^Basic (.+)$/.exec(header);
      if (!m) return refuse(res, 401, 'invalid_client', 'bad Authorization header');
      const decoded = Buffer.from(m[1], 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      id = decodeURIComponent(decoded.slice(0, i));
      secret = decodeURIComponent(decoded.slice(i + 1));
      if (params.has('client_secret')) return refuse(res, 400, 'invalid_request', 'two client authentications');
    } else {
      id = params.get('client_id');
      secret = params.get('client_secret');
    }
    const client = clients.get(id);
    if (!client) return refuse(res, 401, 'invalid_client', 'unknown client');
    if ((header ? 'header' : 'body') !== client.auth) return refuse(res, 401, 'invalid_client', 'wrong auth method');
    if (secret !== client.secret) return refuse(res, 401, 'invalid_client', 'wrong secret');
    return client;
  }

  function refuse(res, status, error, description) {
    state.errors.push(`${error}: ${description}`);
    oauthError(res, status, error, description);
    return undefined;
  }

  function token(req, res) {
    if (req.method !== 'POST') return refuse(res, 405, 'invalid_request', 'POST only');
    if (!/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] || '')) {
      return refuse(res, 400, 'invalid_request', 'form body required');
    }
    for (const [name, value] of Object.entries(options.expectHeaders || {})) {
      if (req.headers[name.toLowerCase()] !== value) return refuse(res, 400, 'invalid_request', `header ${name}`);
    }
    const params = new URLSearchParams(req.body.toString('utf8'));
    const grant = params.get('grant_type');
    state.grants.push(grant);
    const client = authenticate(req, res, params);
    if (!client) return undefined;
    const allowed = new Set(['grant_type', 'client_id', 'client_secret', ...Object.keys(options.expect || {})]);
    for (const [name, value] of Object.entries(options.expect || {})) {
      if (params.get(name) !== value) return refuse(res, 400, 'invalid_request', `${name} is ${params.get(name)}`);
    }
    const need = (names) => {
      for (const n of names) allowed.add(n);
      for (const n of names) if (!params.get(n)) return n;
      return undefined;
    };
    switch (grant) {
      case 'client_credentials': {
        allowed.add('scope');
        for (const name of params.keys()) {
          if (!allowed.has(name)) return refuse(res, 400, 'invalid_request', `unexpected ${name}`);
        }
        return issue(res, client.id, params.get('scope'), state.issueRefreshForClientCredentials);
      }
      case 'password': {
        allowed.add('scope');
        const missing = need(['username', 'password']);
        if (missing) return refuse(res, 400, 'invalid_request', `missing ${missing}`);
        for (const name of params.keys()) {
          if (!allowed.has(name)) return refuse(res, 400, 'invalid_request', `unexpected ${name}`);
        }
        if (users[params.get('username')] !== params.get('password')) {
          return refuse(res, 400, 'invalid_grant', 'wrong user or password');
        }
        return issue(res, client.id, params.get('scope'), true);
      }
      case 'authorization_code': {
        const missing = need(['code', 'redirect_uri']);
        allowed.add('code_verifier');
        if (missing) return refuse(res, 400, 'invalid_request', `missing ${missing}`);
        for (const name of params.keys()) {
          if (!allowed.has(name)) return refuse(res, 400, 'invalid_request', `unexpected ${name}`);
        }
        const entry = state.codes.get(params.get('code'));
        if (!entry || entry.used) return refuse(res, 400, 'invalid_grant', 'unknown or used code');
        entry.used = true;
        if (entry.clientId !== client.id) return refuse(res, 400, 'invalid_grant', 'code of another client');
        if (entry.redirectUri !== params.get('redirect_uri')) return refuse(res, 400, 'invalid_grant', 'redirect_uri');
        if (entry.challenge) {
          const verifier = params.get('code_verifier') || '';
          const digest = crypto.createHash('sha256').update(verifier).digest('base64url');
          if (digest !== entry.challenge) return refuse(res, 400, 'invalid_grant', 'PKCE verifier');
        } else if (params.has('code_verifier')) {
          return refuse(res, 400, 'invalid_request', 'verifier without challenge');
        }
        return issue(res, client.id, entry.scope, true);
      }
      case 'refresh_token': {
        const missing = need(['refresh_token']);
        if (missing) return refuse(res, 400, 'invalid_request', `missing ${missing}`);
        for (const name of params.keys()) {
          if (!allowed.has(name)) return refuse(res, 400, 'invalid_request', `unexpected ${name}`);
        }
        const old = params.get('refresh_token');
        const entry = state.refresh.get(old);
        if (!entry || entry.clientId !== client.id) return refuse(res, 400, 'invalid_grant', 'unknown refresh token');
        if (state.omitRefreshOnRefresh) return issue(res, client.id, entry.scope, false);
        if (state.rotate) state.refresh.delete(old);
        return issue(res, client.id, entry.scope, true);
      }
      default:
        return refuse(res, 400, 'unsupported_grant_type', String(grant));
    }
  }

  /** "Consent" is given at once: answer with the redirect a browser would follow. */
  function authorize(req, res) {
    const url = new URL(req.url, 'http://x');
    const p = url.searchParams;
    const client = clients.get(p.get('client_id'));
    const fail = (text) => {
      state.errors.push(`authorize: ${text}`);
      res.statusCode = 400;
      res.end(text);
    };
    if (!client) return fail('unknown client');
    const redirectUri = p.get('redirect_uri');
    if (!client.redirectUris.includes(redirectUri)) return fail('redirect_uri not registered');
    if (p.get('response_type') !== 'code') return fail('response_type');
    if (!p.get('state')) return fail('state missing');
    const target = new URL(redirectUri);
    target.searchParams.set('state', p.get('state'));
    for (const [name, value] of Object.entries(options.expectAuthorize || {})) {
      if (p.get(name) !== value) return fail(`${name} is ${p.get(name)}`);
    }
    if (state.denyConsent) {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_description', 'the user said no');
    } else {
      if (client.pkce && (p.get('code_challenge_method') !== 'S256' || !p.get('code_challenge'))) {
        return fail('PKCE S256 required');
      }
      const code = 'code-' + random();
      state.codes.set(code, {
        clientId: client.id,
        redirectUri,
        challenge: p.get('code_challenge'),
        scope: p.get('scope'),
      });
      target.searchParams.set('code', code);
    }
    res.statusCode = 302;
    res.setHeader('Location', target.toString());
    res.end();
    return undefined;
  }

  function api(req, res) {
    const url = new URL(req.url, 'http://x');
    const header = req.headers.authorization || '';
    const token = header ? header.replace(/^Bearer /, '').replace(/^Token /, '') : url.searchParams.get('access_token');
    state.apiAuth.push({
      header,
      query: url.searchParams.get('access_token'),
      cacheControl: req.headers['cache-control'],
    });
    if (state.rejectAllApi || !state.access.has(token)) {
      res.statusCode = 401;
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      return res.end('{"error":"invalid_token"}');
    }
    res.setHeader('Content-Type', 'application/json');
    return res.end(JSON.stringify({ ok: true, path: url.pathname }));
  }

  const server = await startServer(async (req, res) => {
    const path = req.url.split('?')[0];
    if (path === '/token') return token(req, res);
    if (path === '/authorize') return authorize(req, res);
    if (path.startsWith('/api')) return api(req, res);
    res.statusCode = 404;
    return res.end();
  }, options.serverOptions);

  return Object.assign(server, {
    state,
    tokenUrl: server.url + '/token',
    authUrl: server.url + '/authorize',
    apiUrl: server.url + '/api',
    tokenRequests: () => server.requests.filter((r) => r.url.split('?')[0] === '/token').length,
    apiRequests: () => server.requests.filter((r) => r.url.startsWith('/api')).length,
    /** The API forgets every access token it issued (they "expired" on the server's side). */
    revokeAccess: () => state.access.clear(),
    revokeRefresh: () => state.refresh.clear(),
    /** Every token the server ever issued, to prove none leaks. */
    issued: () => state.allIssued.slice(),
  });
}

/**
 * Deploy datasource `ds` (client credentials on this server, its API as base URL) with query `q`,
 * and run one msg through it, so the datasource holds (and the vault keeps) one access token.
 */
async function deployWithCachedToken(as, { credentials, ...options }) {
  const assert = require('assert');
  const { loadQuery } = require('./nr');
  const ctx = await loadQuery({
    ds: { baseUrl: as.apiUrl, authType: 'oauth2', oauth2GrantType: 'client_credentials', oauth2TokenUrl: as.tokenUrl },
    credentials,
    query: { path: 'me' },
    ...options,
  });
  const { msg, error } = await ctx.run({});
  assert.ifError(error && error.error.message);
  assert.strictEqual(msg.statusCode, 200);
  return ctx;
}

/** What a browser does with the authorize URL: the provider answers with a redirect. */
function visitProvider(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, location: res.headers.location }));
      })
      .on('error', reject);
  });
}

module.exports = { startOAuthServer, deployWithCachedToken, visitProvider };
