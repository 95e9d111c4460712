// The Authentication tab: which fields each auth type needs (validators and visibility).
import { isChecked, showWhen, textOf, trimmed } from '../../../editor/dom';
import { validUrl, validator } from '../../../editor/validate';
import { editing, input, isEditing, t } from './common';

/** The auth type and grant of a node: the open dialog's values while it is being edited. */
interface AuthChoice {
  type: string;
  grant: string;
  refreshToken?: string;
  /** OAuth 1.0a signature method */
  oauth1Method?: string;
}

export function authOf(
  node: { id?: string; authType?: unknown; oauth2GrantType?: unknown; oauth1SignatureMethod?: unknown } | undefined,
): AuthChoice {
  if (isEditing(node)) {
    return {
      type: textOf(input('authType')),
      grant: textOf(input('oauth2GrantType')),
      refreshToken: textOf(input('refreshToken')),
      oauth1Method: textOf(input('oauth1SignatureMethod')),
    };
  }
  return {
    type: typeof node?.authType === 'string' && node.authType ? node.authType : 'none',
    grant:
      typeof node?.oauth2GrantType === 'string' && node.oauth2GrantType ? node.oauth2GrantType : 'client_credentials',
    oauth1Method: typeof node?.oauth1SignatureMethod === 'string' ? node.oauth1SignatureMethod : undefined,
  };
}

const usesRsa = (a: AuthChoice): boolean => (a.oauth1Method ?? '').startsWith('RSA-');

const usesUserPassword = (a: AuthChoice): boolean =>
  a.type === 'basic' || a.type === 'digest' || (a.type === 'oauth2' && a.grant === 'password');

/** Which fields each auth type needs. A field not listed here is optional. */
export const NEEDS: Record<string, (a: AuthChoice) => boolean> = {
  username: usesUserPassword,
  token: (a) => a.type === 'bearer',
  apiKey: (a) => a.type === 'apiKey',
  apiKeyName: (a) => a.type === 'apiKey',
  // The JWT bearer grant needs neither (its issuer and a service-account key's token URL do).
  clientId: (a) => a.type === 'oauth2' && a.grant !== 'manual' && a.grant !== 'jwt_bearer',
  // Pasted tokens need the token URL only to be refreshed.
  oauth2TokenUrl: (a) =>
    a.type === 'oauth2' && ((a.grant !== 'manual' && a.grant !== 'jwt_bearer') || !!a.refreshToken),
  oauth2AuthUrl: (a) => a.type === 'oauth2' && a.grant === 'authorization_code',
  // A pasted refresh token alone is enough: the first request trades it for an access token.
  accessToken: (a) => a.type === 'oauth2' && a.grant === 'manual' && !a.refreshToken,
  // AWS Signature Version 4 (the session token is optional)
  awsRegion: (a) => a.type === 'awsSigV4',
  awsService: (a) => a.type === 'awsSigV4',
  awsAccessKeyId: (a) => a.type === 'awsSigV4',
  awsSecretAccessKey: (a) => a.type === 'awsSigV4',
  // OAuth 1.0a: the RSA methods sign with the private key, the others with the consumer secret
  oauth1ConsumerKey: (a) => a.type === 'oauth1',
  oauth1ConsumerSecret: (a) => a.type === 'oauth1' && !usesRsa(a),
  oauth1PrivateKey: (a) => a.type === 'oauth1' && usesRsa(a),
};

/** A validator of a field that `NEEDS` lists: true, or the reason Node-RED shows. */
export function requiredFor(prop: string, label: string, isUrl = false): RedValidator {
  return validator(function (v) {
    const text = trimmed(v);
    if (!NEEDS[prop](authOf(this)))
      return isUrl && text ? validUrl(text) || t('errors.url', { field: t(label) }) : true;
    if (!text) return t('errors.required', { field: t(label) });
    if (isUrl && !validUrl(text)) return t('errors.url', { field: t(label) });
    return true;
  });
}

/** The signing key: at least 32 characters while signing is on. */
export const signatureKeyValid = validator(function (v) {
  const on = isEditing(this) ? isChecked(input('signatureEnabled')) : this.signatureEnabled === true;
  if (!on || v === '__PWRD__') return true;
  return String(v || '').length >= 32 || t('errors.signatureKey');
});

/** Show the fields of the chosen auth type and grant only. */
export function showAuthFields(): void {
  const a = authOf({ id: editing() ?? undefined });
  $('.rds-auth').hide();
  $(`.rds-auth-${a.type}`).show();
  showWhen('.rds-userpass', usesUserPassword(a));
  if (a.type === 'oauth2') {
    $('.rds-grant').hide();
    $(`.rds-grant-${a.grant}`).show();
    $('.rds-grant-token-endpoint').show();
    $(`.rds-placement-${textOf(input('oauth2TokenPlacement'))}`).show();
  }
  if (a.type === 'oauth1') {
    showWhen('.rds-oauth1-secret', !usesRsa(a));
    showWhen('.rds-oauth1-rsa', usesRsa(a));
  }
  // Requirements changed with the type: let Node-RED re-mark the fields.
  for (const prop of Object.keys(NEEDS)) input(prop).trigger('change');
}

/** Wire the tab: re-show and re-validate when the type, grant or refresh token change. */
export function prepareAuth(): void {
  $('#node-config-input-authType, #node-config-input-oauth2GrantType, #node-config-input-oauth2TokenPlacement').on(
    'change',
    showAuthFields,
  );
  input('oauth1SignatureMethod').on('change', showAuthFields);
  input('refreshToken').on('change keyup', () => {
    $('#node-config-input-accessToken, #node-config-input-oauth2TokenUrl').trigger('change');
  });
  showAuthFields();
}
