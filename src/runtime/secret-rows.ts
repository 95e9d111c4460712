/**
 * Secret row values live in the password-type `secrets` credential, which never travels back to
 * the editor. The dialog therefore cannot send the whole set again: it sends `secrets` as
 * unchanged and the values it changed in `secretEdits`. Here, when the node starts, the edits
 * are folded into `secrets` in the runtime's credential store (written to the credential file
 * with the next deploy; until then the file holds both, which give the same values), so the
 * next dialog's edits start from the folded set.
 */
import type { NodeAPI } from 'node-red';
import { effectiveSecrets } from '../lib/settings';

export function foldSecretEdits(RED: NodeAPI, id: string, credentials: Record<string, unknown>): void {
  const edits = credentials.secretEdits;
  if (typeof edits !== 'string' || !edits) return;
  let folded: string;
  try {
    folded = JSON.stringify(
      effectiveSecrets(typeof credentials.secrets === 'string' ? credentials.secrets : undefined, edits),
    );
  } catch {
    return; // parseSettings reports the invalid value as a CONFIG_ERROR
  }
  credentials.secrets = folded;
  credentials.secretEdits = '';
  void RED.nodes.addCredentials(id, { ...credentials });
}
