// Small helpers for the dialogs' form fields, by the property name Node-RED binds them to.

/** Config nodes' dialogs bind `node-config-input-<prop>`, flow nodes' `node-input-<prop>`. */
export type FieldPrefix = 'node-config-input-' | 'node-input-';

/** The element Node-RED binds to a property of the open dialog. */
export function field(prefix: FieldPrefix, prop: string): JQuery {
  return $(`#${prefix}${prop}`);
}

/** The text of an input, '' when it is missing. */
export function textOf(el: JQuery): string {
  const v = el.val();
  return v === undefined || v === null ? '' : String(v);
}

/** Whether a checkbox is ticked. */
export function isChecked(el: JQuery): boolean {
  return el.prop('checked') === true;
}

/** The text of a value Node-RED hands a validator: '' for undefined and null, trimmed. */
export function trimmed(v: unknown): string {
  return v === undefined || v === null ? '' : String(v).trim();
}

/**
 * Show the form rows of a group (class `<group>`) only when `on`; used for everything that
 * depends on a select or checkbox, so no unused field is visible.
 */
export function showWhen(selector: string, on: boolean): void {
  $(selector).toggle(on);
}
