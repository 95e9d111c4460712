/**
 * Admin routes of the authorization code flow (CONTRACT.md): start (editor, write permission),
 * the provider's redirect target (public, trusts only its one-time state) and status (read).
 * No token ever appears in an answer of these routes.
 */
import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { Datasource } from '../lib/datasource';
import { RestError } from '../lib/errors';
import { Redactor } from '../lib/redact';
import { parseSettings, secretCredentialValues } from '../lib/settings';
import type { DatasourceSettings } from '../lib/settings';
import { createPkce } from '../lib/oauth/pkce';
import { createOAuthScheme, isOAuthScheme } from '../lib/oauth/scheme';
import type { TokenSet } from '../lib/oauth/tokens';
import { deployedDatasource, editorSettings } from './editor-settings';
import { dpopKeyOf, oauthRuntime } from '../runtime/oauth-runtime';
import type { PendingContext } from '../runtime/oauth-runtime';
import { networkOptions } from '../runtime/network-config';
import { shareTokens } from '../runtime/shared-store';
import { jsonOnly } from './json-only';

export const CALLBACK_PATH = '/rest-datasource/oauth/callback';

/** Masks the secrets among dialog credentials (identifiers such as the client id stay readable). */
function redactorFor(credentials: Record<string, unknown>): Redactor {
  return new Redactor().add(...secretCredentialValues(credentials));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface EditorMessage {
  source: 'rest-datasource';
  nodeId: string;
  ok: boolean;
  expiresAt?: string | null;
  scope?: string | null;
  error?: string;
}

/** The small page the provider redirects to: tells the editor (opener) and closes itself. */
function callbackPage(res: Response, status: number, title: string, text: string, message?: EditorMessage): void {
  // The URL of this page carries the authorization code: keep it out of caches and referrers.
  res.set('Cache-Control', 'no-store');
  res.set('Referrer-Policy', 'no-referrer');
  res.set('X-Content-Type-Options', 'nosniff');
  res.status(status).type('html');
  const script = message
    ? `<script>(function(){var m=${JSON.stringify(message).replace(/</g, '\\u003c')};` +
      'try{if(window.opener){window.opener.postMessage(m,location.origin);}}catch(e){}' +
      `setTimeout(function(){window.close();},${message.ok ? 800 : 5000});})();</script>`
    : '';
  res.send(
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>' +
      escapeHtml(title) +
      '</title></head><body style="font-family:sans-serif;margin:2em">' +
      `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>` +
      script +
      '</body></html>',
  );
}

function statusOf(tokens: Readonly<TokenSet> | undefined): {
  authorized: boolean;
  expiresAt: string | null;
  scope: string | null;
} {
  const usable = !!tokens && (!!tokens.refreshToken || (!!tokens.accessToken && !expired(tokens)));
  return {
    authorized: usable,
    expiresAt: tokens?.expiresAt !== undefined ? new Date(tokens.expiresAt).toISOString() : null,
    scope: tokens?.scope ?? null,
  };
}

function expired(t: Readonly<TokenSet>): boolean {
  return t.expiresAt !== undefined && t.expiresAt <= Date.now();
}

function validRedirectUri(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.pathname.endsWith(CALLBACK_PATH) && !url.search)
      return url.toString();
  } catch {
    // invalid
  }
  return undefined;
}

export function registerOAuthRoutes(RED: NodeAPI): void {
  const write = RED.auth.needsPermission('rest-datasource.write');
  const read = RED.auth.needsPermission('rest-datasource.read');
  const rt = oauthRuntime(RED);

  RED.httpAdmin.post('/rest-datasource/:id/oauth/start', write, jsonOnly, (req: Request, res: Response) => {
    const nodeId = String(req.params.id);
    const { config, credentials, clientCertificate } = editorSettings(RED, nodeId, req.body);
    const fail = (status: number, message: string) =>
      res.status(status).json({ error: redactorFor(credentials).redact(message) });
    const redirectUri = validRedirectUri((req.body as Record<string, unknown> | undefined)?.redirectUri);
    if (!redirectUri) {
      return fail(400, `redirectUri: must be the absolute URL of ${CALLBACK_PATH} as the editor sees it`);
    }
    let ds: Datasource | undefined;
    try {
      const settings = parseSettings({ ...config, authType: 'oauth2' }, credentials);
      if (settings.oauth2.grantType !== 'authorization_code') {
        return fail(400, 'oauth2GrantType: Authorize is only for the authorization_code grant');
      }
      // A throwaway datasource: it validates the settings exactly as a deploy would.
      ds = new Datasource(settings, {
        oauth2: (s, c) => createOAuthScheme(s, c),
        ...networkOptions(RED, settings, { clientCertificate }),
      });
      if (!isOAuthScheme(ds.auth)) return fail(500, 'OAuth 2.0 is not set up');
      const pkce = settings.oauth2.pkce ? createPkce() : undefined;
      const context: PendingContext = { config: { ...config, authType: 'oauth2' }, credentials, clientCertificate };
      const state = rt.states.create({ nodeId, verifier: pkce?.verifier, redirectUri, context });
      res.set('Cache-Control', 'no-store');
      return res.json({ authorizeUrl: ds.auth.client.authorizeUrl(redirectUri, state, pkce?.challenge) });
    } catch (err) {
      return fail(400, err instanceof RestError ? err.toString() : String(err));
    } finally {
      if (ds) ds.close();
    }
  });

  RED.httpAdmin.get(CALLBACK_PATH, (req: Request, res: Response) => {
    const q = req.query as Record<string, unknown>;
    const state = typeof q.state === 'string' ? q.state : '';
    if (!state) {
      return callbackPage(
        res,
        400,
        'Authorization failed',
        'The answer carries no state; start again with Authorize in the editor.',
      );
    }
    const taken = rt.states.take(state);
    if (!taken.ok) {
      const why =
        taken.reason === 'expired'
          ? 'This authorization took longer than 10 minutes and has expired.'
          : 'This authorization is unknown or was already used.';
      return callbackPage(res, 400, 'Authorization failed', `${why} Start again with Authorize in the editor.`);
    }
    const { nodeId, verifier, redirectUri, context } = taken.entry;
    const redactor = redactorFor(context.credentials);
    const failed = (status: number, error: string) =>
      callbackPage(res, status, 'Authorization failed', redactor.redact(error), {
        source: 'rest-datasource',
        nodeId,
        ok: false,
        error: redactor.redact(error),
      });
    if (typeof q.error === 'string' && q.error) {
      const description = typeof q.error_description === 'string' ? `: ${q.error_description.slice(0, 300)}` : '';
      return failed(400, `The provider refused the authorization (${q.error.slice(0, 100)}${description}).`);
    }
    const code = typeof q.code === 'string' ? q.code : '';
    if (!code) return failed(400, 'The provider sent no authorization code.');
    let ds: Datasource;
    let settings: DatasourceSettings;
    try {
      // The datasource's own TLS and proxy settings carry the code exchange.
      settings = parseSettings(context.config, context.credentials);
      // With DPoP the code is redeemed with the node's own key: the token is bound to it.
      const dpopKey = dpopKeyOf(RED, nodeId);
      ds = new Datasource(settings, {
        oauth2: (s, c) => createOAuthScheme(s, c, { dpopKey }),
        ...networkOptions(RED, settings, { clientCertificate: context.clientCertificate !== false }),
      });
    } catch (err) {
      return failed(400, err instanceof RestError ? err.toString() : String(err));
    }
    const scheme = ds.auth;
    if (!isOAuthScheme(scheme)) {
      ds.close();
      return failed(500, 'OAuth 2.0 is not set up');
    }
    scheme.client.authorizationCode(code, redirectUri, verifier).then(
      async (tokens) => {
        ds.close();
        // Stored for this node and these settings: a running datasource with the same settings
        // takes them at once, and the next deploy of these settings finds them.
        rt.vault.save(nodeId, scheme.fingerprint, tokens);
        // Several instances: in the shared store before the page says so, for every instance.
        await shareTokens(RED, settings, nodeId, scheme.fingerprint, tokens);
        const s = statusOf(tokens);
        callbackPage(res, 200, 'Authorized', 'The datasource is authorized. This window closes by itself.', {
          source: 'rest-datasource',
          nodeId,
          ok: true,
          expiresAt: s.expiresAt,
          scope: s.scope,
        });
      },
      (err: unknown) => {
        ds.close();
        const e = err instanceof RestError ? err : new RestError('TOKEN_ERROR', String(err));
        redactor.add(code, verifier);
        // The datasource also knows its proxy password, TLS key and every derived form.
        failed(502, ds.redact(`The code could not be exchanged for a token: ${e.toString()}`));
      },
    );
  });

  RED.httpAdmin.get('/rest-datasource/:id/oauth/status', read, (req: Request, res: Response) => {
    const nodeId = String(req.params.id);
    const node = deployedDatasource(RED, nodeId);
    const auth = node?.datasource?.auth;
    const tokens = isOAuthScheme(auth) ? auth.tokens.current : rt.vault.latest(nodeId);
    res.set('Cache-Control', 'no-store');
    // Neither deployed nor authorized before its first deploy: an unknown id.
    if (!node && !tokens) return res.status(404).json({ error: 'no rest-datasource with this id' });
    // jwt_bearer with a service-account key: which account signs (its e-mail, never the key).
    const account = isOAuthScheme(auth) ? auth.client.bearer?.account : undefined;
    return res.json({ ...statusOf(tokens), ...(account ? { account } : {}) });
  });
}
