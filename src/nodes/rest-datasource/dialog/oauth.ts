// Authorization code grant: the callback URL to register, and Authorize. The provider's page
// opens in a popup; the callback route answers a page that posts the outcome back to this
// window and closes.
import { errorText, postJson, showResult } from '../../../editor/result';
import { authOf } from './auth';
import { key, t } from './common';
import { dialogValues } from './lists';

/** What the callback page posts to the dialog. */
interface AuthorizeMessage {
  source?: string;
  nodeId?: string;
  ok?: boolean;
  error?: string;
  expiresAt?: number | string;
  scope?: string;
}

/** The open dialog's Authorize state, cleared by close(). */
interface OAuthSession {
  authorized: boolean;
  close(): void;
}

function expiryText(expiresAt: unknown): string {
  if (expiresAt === undefined || expiresAt === null || expiresAt === '') return t('oauth.authorizedNoExpiry');
  const d = new Date(typeof expiresAt === 'number' && expiresAt < 1e12 ? expiresAt * 1000 : String(expiresAt));
  if (isNaN(d.getTime())) return t('oauth.authorizedNoExpiry');
  return t('oauth.authorized', { expires: d.toLocaleString() });
}

/** The URL of the callback route, as the provider must have it registered. */
export function callbackUrl(): string {
  return `${location.origin}${location.pathname.slice(0, location.pathname.lastIndexOf('/') + 1)}rest-datasource/oauth/callback`;
}

export function prepareOAuth(node: RedNode): OAuthSession {
  const callback = callbackUrl();
  $('#rds-callback-url').val(callback);
  $('#rds-copy-callback').on('click', function (e) {
    e.preventDefault();
    RED.clipboard.copyText(callback, $(this), key('oauth.copied'));
  });
  RED.popover.tooltip($('#rds-copy-callback'), t('oauth.copy'));

  const out = $('#rds-authorize-result');
  const session: OAuthSession = {
    authorized: false,
    close: () => window.removeEventListener('message', onMessage),
  };
  function onMessage(ev: MessageEvent<AuthorizeMessage>): void {
    const d = ev.data;
    if (ev.origin !== location.origin || !d || d.source !== 'rest-datasource' || d.nodeId !== node.id) return;
    if (d.ok) {
      session.authorized = true;
      // The runtime now holds the tokens: keep them on Deploy instead of sending blanks.
      $('#node-config-input-accessToken, #node-config-input-refreshToken').val('__PWRD__');
      showResult(out, 'ok', expiryText(d.expiresAt) + (d.scope ? ` (${d.scope})` : ''));
    } else {
      showResult(out, 'fail', t('oauth.failed', { error: d.error || '?' }));
    }
  }
  window.addEventListener('message', onMessage);

  $('#rds-authorize-button').on('click', (e) => {
    e.preventDefault();
    // Open the popup inside the click so popup blockers allow it, then point it at the provider.
    const popup = window.open('', `rest-datasource-oauth-${node.id}`, 'width=620,height=720');
    if (!popup) {
      showResult(out, 'fail', t('oauth.popupBlocked'));
      return;
    }
    showResult(out, 'pending', t('oauth.authorizing'));
    const body = { ...dialogValues(node), redirectUri: callback };
    postJson<{ authorizeUrl?: string; message?: string }>(
      `rest-datasource/${encodeURIComponent(node.id)}/oauth/start`,
      body,
    )
      .done((r) => {
        if (r && r.authorizeUrl) {
          popup.location.href = r.authorizeUrl;
        } else {
          popup.close();
          showResult(out, 'fail', t('oauth.failed', { error: (r && r.message) || '?' }));
        }
      })
      .fail((xhr) => {
        popup.close();
        showResult(out, 'fail', t('oauth.failed', { error: errorText(xhr, t('errors.unreachable')) }));
      });
  });

  // A deployed datasource may already hold tokens: say so.
  if (authOf(node).grant === 'authorization_code') {
    $.getJSON(`rest-datasource/${encodeURIComponent(node.id)}/oauth/status`).done(
      (s: { authorized?: boolean; expiresAt?: number | string }) => {
        if (s && s.authorized && !out.text()) showResult(out, 'ok', expiryText(s.expiresAt));
      },
    );
  }
  return session;
}
