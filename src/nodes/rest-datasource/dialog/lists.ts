// The row lists of the datasource dialog and the dialog's values as the admin routes take them.
import {
  nameValueList,
  parseSecrets,
  readNameValues,
  readSecretRows,
  secretList,
  type SecretValues,
} from '../../../editor/rows';
import { textOf } from '../../../editor/dom';
import { input, t } from './common';

/** Lists whose rows may be secret (their values then live in the `secrets` credential). */
export const SECRET_LISTS = ['headers', 'params', 'cookies', 'body'];
/** Plain name/value lists of the OAuth 2.0 settings. */
export const NAME_VALUE_LISTS = ['oauth2TokenParams', 'oauth2AuthParams', 'oauth2TokenHeaders'];

const list = (prop: string): JQuery => $(`#node-config-input-${prop}-list`);

/** Build every list of the dialog from the node's (migrated) rows and its stored secret values. */
export function createLists(node: RedNode, settings: Record<string, unknown>): void {
  const secrets = parseSecrets(node.credentials?.secrets);
  const words = { secret: t('label.secret'), secretHelp: t('label.secretHelp') };
  for (const prop of SECRET_LISTS) secretList(list(prop), prop, t, words, settings[prop], secrets);
  for (const prop of NAME_VALUE_LISTS) nameValueList(list(prop), t, settings[prop]);
}

/** The rows of every list; secret values are collected in `secrets`. */
export function readLists(secrets: SecretValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const prop of SECRET_LISTS) out[prop] = readSecretRows(list(prop), prop, secrets);
  for (const prop of NAME_VALUE_LISTS) out[prop] = readNameValues(list(prop));
  return out;
}

/** Save the lists into the node and the secret values into the hidden `secrets` credential. */
export function saveLists(node: RedNode): void {
  const secrets: SecretValues = {};
  Object.assign(node, readLists(secrets));
  input('secrets').val(JSON.stringify(secrets));
}

/** The values of the open dialog, for the admin routes (Test connection, Authorize). */
export function dialogValues(node: RedNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(node._def.defaults)) {
    const el = input(k);
    if (!el.length) continue;
    const value = el.attr('type') === 'checkbox' ? el.prop('checked') : el.val();
    // A config-node picker (tls, proxy) with nothing chosen shows "Add new…": that is no node.
    out[k] = value === '_ADD_' ? '' : value;
  }
  for (const k of Object.keys(node._def.credentials || {})) {
    const el = input(k);
    if (el.length && textOf(el) !== '') out[k] = el.val();
  }
  const secrets: SecretValues = {};
  Object.assign(out, readLists(secrets));
  out.secrets = JSON.stringify(secrets);
  return out;
}
