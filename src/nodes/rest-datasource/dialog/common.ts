// What every part of the datasource dialog shares: its catalog, its fields, and which node's
// dialog is open (validators read the dialog's live values for that node).
import { catalogKey, translator } from '../../../editor/i18n';
import { field } from '../../../editor/dom';

export const TYPE = 'rest-datasource';

export const t = translator(TYPE);

/** The catalog key for APIs that take one (RED.clipboard.copyText). */
export const key = (k: string): string => catalogKey(TYPE, k);

/** The dialog's element bound to a property or credential. */
export const input = (prop: string): JQuery => field('node-config-input-', prop);

let editingId: string | null = null;

/** Remember which datasource's dialog is open (null when it closes). */
export function setEditing(id: string | null): void {
  editingId = id;
}

/** Whether `node` is the one whose dialog is open (and its fields are in the page). */
export function isEditing(node: { id?: string } | undefined): boolean {
  return !!node && node.id === editingId && input('authType').length > 0;
}

/** The id of the open dialog's node. */
export function editing(): string | null {
  return editingId;
}
