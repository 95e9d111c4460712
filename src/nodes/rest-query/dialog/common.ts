// What the parts of the query dialog share: its catalog and its typed row lists.
import { translator } from '../../../editor/i18n';
import { readTypedRows, type TypedRow } from '../../../editor/rows';

export const t = translator('rest-query');

/** The typed row lists of the dialog. */
export const LISTS = ['headers', 'params', 'cookies'];

export const list = (prop: string): JQuery => $(`#node-input-${prop}-list`);

export const readRows = (prop: string): TypedRow[] => readTypedRows(list(prop));

/** Replace the rows of a list. */
export function setRows(prop: string, rows: TypedRow[]): void {
  const l = list(prop);
  l.editableList('empty');
  for (const row of rows) l.editableList('addItem', row);
}

/** Set a field and let the dialog (validators, preview, visibility) see the change. */
export function setField(prop: string, value: string): void {
  $(`#node-input-${prop}`).val(value).trigger('change');
}

/** The datasource the picker shows, as the editor holds it. */
export function selectedDatasource(): RedNode | undefined {
  const id = $('#node-input-datasource').val();
  return (typeof id === 'string' && RED.nodes.node(id)) || undefined;
}
