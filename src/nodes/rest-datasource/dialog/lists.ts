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

/** Whether the deployed node has stored secret row values (Node-RED says so, never what they are). */
function hasStoredSecrets(node: RedNode): boolean {
  const creds = node.credentials as Record<string, unknown> | undefined;
  return Boolean(creds && (creds.has_secrets || creds.has_secretEdits));
}

/** Build every list of the dialog from the node's (migrated) rows. */
export function createLists(node: RedNode, settings: Record<string, unknown>): void {
  const words = { secret: t('label.secret'), secretHelp: t('label.secretHelp'), unchanged: t('label.secretUnchanged') };
  const stored = hasStoredSecrets(node);
  // Values the editor holds are only ones typed in this session (Node-RED never sends a
  // password credential to the editor): shown again until the deploy.
  const creds = (node.credentials ?? {}) as Record<string, unknown>;
  const typed = { ...parseSecrets(creds.secrets), ...parseSecrets(creds.secretEdits) };
  for (const prop of SECRET_LISTS) secretList(list(prop), prop, t, words, settings[prop], stored, typed);
  for (const prop of NAME_VALUE_LISTS) nameValueList(list(prop), t, settings[prop]);
}

/** The rows of every list; secret values are collected in `secrets`. */
export function readLists(secrets: SecretValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const prop of SECRET_LISTS) out[prop] = readSecretRows(list(prop), prop, secrets);
  for (const prop of NAME_VALUE_LISTS) out[prop] = readNameValues(list(prop));
  return out;
}

/**
 * The values of the hidden `secrets` and `secretEdits` credentials: with stored values, `secrets`
 * stays as stored (Node-RED's "unchanged" marker) and the changed ones go in `secretEdits`.
 */
function secretCredentials(node: RedNode, edits: SecretValues): { secrets: string; secretEdits: string } {
  return hasStoredSecrets(node)
    ? { secrets: '__PWRD__', secretEdits: Object.keys(edits).length ? JSON.stringify(edits) : '' }
    : { secrets: JSON.stringify(edits), secretEdits: '' };
}

/** Save the lists into the node and the secret values into the hidden credentials. */
export function saveLists(node: RedNode): void {
  const edits: SecretValues = {};
  Object.assign(node, readLists(edits));
  const creds = secretCredentials(node, edits);
  input('secrets').val(creds.secrets);
  input('secretEdits').val(creds.secretEdits);
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
  const edits: SecretValues = {};
  Object.assign(out, readLists(edits));
  Object.assign(out, secretCredentials(node, edits));
  return out;
}
