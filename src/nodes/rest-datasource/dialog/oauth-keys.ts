// OAuth 2.0 keys on the Authentication tab: client assertions (private_key_jwt,
// client_secret_jwt), tls_client_auth, the JWT bearer grant with a Google service-account key,
// and DPoP. Shows the fields that apply, checks the shape of pasted keys (the runtime parses
// them for real), and shows the service account's e-mail — never its key.
import { isChecked, showWhen, textOf, trimmed } from '../../../editor/dom';
import { validator } from '../../../editor/validate';
import { authOf } from './auth';
import { editing, input, isEditing, t } from './common';

/** Node-RED's stand-in for a stored password credential. */
const STORED = '__PWRD__';

interface KeyChoice {
  oauth: boolean;
  grant: string;
  clientAuth: string;
  serviceAccount: boolean;
}

function choiceOf(node: RedNode | { id?: string }): KeyChoice {
  const a = authOf(node);
  const n = node as Record<string, unknown>;
  const live = isEditing(node);
  const clientAuth = live ? textOf(input('oauth2ClientAuth')) : String(n.oauth2ClientAuth ?? 'header');
  const sa = live ? trimmed(input('serviceAccountKey').val()) : '';
  return { oauth: a.type === 'oauth2', grant: a.grant, clientAuth, serviceAccount: sa !== '' };
}

const signsWithKey = (c: KeyChoice): boolean =>
  c.oauth && (c.clientAuth === 'private_key_jwt' || (c.grant === 'jwt_bearer' && !c.serviceAccount));

/** The service-account key's e-mail, '' when the text is not (yet) such a key. */
function accountOf(text: string): string {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    return typeof o.client_email === 'string' && typeof o.private_key === 'string' ? o.client_email : '';
  } catch {
    return '';
  }
}

/** A pasted Google service-account key: JSON with client_email and private_key. */
export const serviceAccountKeyValid = validator(function (v) {
  const text = trimmed(v);
  if (!text || text === STORED) return true;
  const c = choiceOf(this);
  if (!c.oauth || c.grant !== 'jwt_bearer') return true;
  return accountOf(text) !== '' || t('oauthKeys.errors.serviceAccountKey');
});

/** A PEM private key where one signs the assertions. */
export const clientPrivateKeyValid = validator(function (v) {
  const text = trimmed(v);
  if (!signsWithKey(choiceOf(this))) return true;
  if (!text) return t('errors.required', { field: t('oauthKeys.clientPrivateKey') });
  if (text === STORED) return true;
  return /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text) || t('oauthKeys.errors.pem');
});

/** Show the account a service-account key belongs to: the pasted one, or the deployed one's. */
function showAccount(): void {
  const out = $('#rds-sa-account');
  const text = trimmed(input('serviceAccountKey').val());
  const id = editing();
  if (text === STORED && id) {
    $.getJSON(`rest-datasource/${encodeURIComponent(id)}/oauth/status`).done((s: { account?: string }) => {
      if (s && s.account) out.addClass('rds-ok').text(t('oauthKeys.account', { account: s.account }));
    });
    return;
  }
  const account = text ? accountOf(text) : '';
  out.toggleClass('rds-ok', !!account).text(account ? t('oauthKeys.account', { account }) : '');
}

/** Show the key fields of the chosen grant, client authentication and DPoP. */
export function showKeyFields(): void {
  const c = choiceOf({ id: editing() ?? undefined });
  const bearer = c.oauth && c.grant === 'jwt_bearer';
  const assertion = c.oauth && (c.clientAuth === 'private_key_jwt' || c.clientAuth === 'client_secret_jwt');
  showWhen('.rds-okey-sa', bearer);
  showWhen('.rds-okey-pem', signsWithKey(c));
  showWhen('.rds-okey-alg', assertion || (bearer && !c.serviceAccount));
  showWhen('.rds-okey-bearer', bearer);
  showWhen('.rds-okey-dpop', c.oauth && isChecked(input('oauth2Dpop')));
  // The secret is not used with a private key or a client certificate.
  if (c.oauth) {
    input('clientSecret')
      .closest('.form-row')
      .toggle(c.clientAuth !== 'private_key_jwt' && c.clientAuth !== 'tls_client_auth');
  }
  // client_secret_jwt signs with HS256 only; a private key never does.
  const alg = input('oauth2ClientAssertionAlg');
  if (c.clientAuth === 'client_secret_jwt') alg.val('HS256');
  else if (textOf(alg) === 'HS256') alg.val('RS256');
  alg.prop('disabled', c.clientAuth === 'client_secret_jwt');
  alg.find('option[value="HS256"]').prop('disabled', c.clientAuth !== 'client_secret_jwt');
  if (bearer) showAccount();
  // What an empty field means: with a service-account key, the key decides.
  const sa = bearer && c.serviceAccount;
  input('oauth2AssertionIssuer').attr('placeholder', t(sa ? 'oauthKeys.issuerFromKey' : 'oauthKeys.issuerPlaceholder'));
  input('oauth2AssertionSubject').attr('placeholder', t(sa ? 'oauthKeys.subjectNone' : 'oauthKeys.subjectPlaceholder'));
  input('oauth2TokenUrl').attr('placeholder', sa ? t('oauthKeys.tokenUrlFromKey') : 'https://auth.example.com/token');
  input('clientPrivateKey').trigger('change');
  input('serviceAccountKey').trigger('change');
}

export function prepareOAuthKeys(): void {
  $(
    '#node-config-input-authType, #node-config-input-oauth2GrantType, #node-config-input-oauth2ClientAuth, #node-config-input-oauth2Dpop',
  ).on('change', showKeyFields);
  // Field rows only: the validators' own change events must not loop back here.
  input('serviceAccountKey').on('input', showKeyFields);
  showKeyFields();
}
