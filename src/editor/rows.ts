// The row editors of both dialogs, on Node-RED's editableList: name/value rows, secret rows
// (the value moves to the credential store) and typed rows (the value is a typedInput).
import type { Translate } from './i18n';
import { textOf } from './dom';

/** A plain name/value row (OAuth parameters, extra token headers). */
export interface NameValue {
  name: string;
  value: string;
}

/** A row whose value may be secret: then `value` is '' and the value lives in the credentials. */
export interface SecretRow extends NameValue {
  secret?: boolean;
}

/** A row whose value is typed like a typedInput (str, num, msg, env, ...). */
export interface TypedRow {
  name: string;
  value: string;
  valueType: string;
}

/** Secret values by `<list>:<name>` (header names lower case), as the credential `secrets` holds them. */
export type SecretValues = Record<string, string>;

/** Where a list's secret value is stored: `<list>:<name>`, header names are case-insensitive. */
export function secretKey(list: string, name: string): string {
  return `${list}:${list === 'headers' ? name.toLowerCase() : name}`;
}

/** The secret values stored in a node's `secrets` credential (a JSON object), or none. */
export function parseSecrets(text: unknown): SecretValues {
  try {
    const parsed: unknown = JSON.parse(typeof text === 'string' && text ? text : '{}');
    return parsed && typeof parsed === 'object' ? (parsed as SecretValues) : {};
  } catch {
    return {};
  }
}

/**
 * Make `container` (an <ol>) an editableList that grows with its rows and fill it.
 * emptyListHeight: an editableList keeps the height its <ol> had when it was created, so the
 * list is created without one and its container gets a min-height afterwards.
 */
function createList<T extends object>(
  container: JQuery,
  t: Translate,
  addItem: (row: JQuery, data: Partial<T>) => void,
  rows: unknown,
  sortable = true,
): void {
  container.editableList<Partial<T>>({
    removable: true,
    sortable,
    height: 'auto',
    addButton: t('label.addRow'),
    addItem: (row, _index, data) => {
      row.addClass('rds-row');
      addItem(row, data);
    },
  });
  container.parent().css('min-height', '38px');
  for (const r of Array.isArray(rows) ? rows : []) container.editableList('addItem', r as object);
}

/** Each row of an editableList mapped by `read`; rows it maps to undefined are left out. */
function readList<T>(container: JQuery, read: (row: JQuery) => T | undefined): T[] {
  const out: T[] = [];
  container.editableList('items').each(function () {
    const item = read($(this));
    if (item !== undefined) out.push(item);
  });
  return out;
}

function nameInput(t: Translate, cls: string): JQuery {
  return $('<input/>', { type: 'text', class: cls, placeholder: t('label.rowName'), 'aria-label': t('label.rowName') });
}

/** Name/value rows. */
export function nameValueList(container: JQuery, t: Translate, rows: unknown): void {
  createList<NameValue>(
    container,
    t,
    (row, data) => {
      nameInput(t, 'rds-nv-name')
        .val(data.name || '')
        .appendTo(row);
      $('<input/>', { type: 'text', class: 'rds-nv-value', placeholder: t('label.rowValue') })
        .val(data.value || '')
        .appendTo(row);
    },
    rows,
    false,
  );
}

export function readNameValues(container: JQuery): NameValue[] {
  return readList(container, (row) => {
    const name = textOf(row.find('.rds-nv-name')).trim();
    return name ? { name, value: textOf(row.find('.rds-nv-value')) } : undefined;
  });
}

/** The words of a secret row's checkbox, and the placeholder of a stored value. */
export interface SecretWords {
  secret: string;
  secretHelp: string;
  unchanged: string;
}

/**
 * Rows with a "secret" checkbox. A stored secret value never comes back to the editor (it is a
 * password credential): with `stored`, a secret row shows an empty field whose placeholder says
 * the value is unchanged; typing replaces it.
 */
export function secretList(
  container: JQuery,
  list: string,
  t: Translate,
  words: SecretWords,
  rows: unknown,
  stored: boolean,
  typed: SecretValues,
): void {
  createList<SecretRow>(
    container,
    t,
    (row, data) => {
      nameInput(t, 'rds-row-name').appendTo(row);
      const value = $('<input/>', {
        type: data.secret ? 'password' : 'text',
        class: 'rds-row-value',
        placeholder: t('label.rowValue'),
        'aria-label': t('label.rowValue'),
      })
        // set as an attribute: jQuery would call its autocomplete widget for an `autocomplete` key
        .attr('autocomplete', 'off')
        .appendTo(row);
      const label = $('<label/>', { class: 'rds-row-secret-label', title: words.secretHelp }).appendTo(row);
      const secret = $('<input/>', { type: 'checkbox', class: 'rds-row-secret' }).appendTo(label);
      $('<i/>', { class: 'fa fa-lock' }).appendTo(label);
      $('<span/>').text(` ${words.secret}`).appendTo(label);
      row.find('.rds-row-name').val(data.name || '');
      secret.prop('checked', !!data.secret);
      const typedValue = data.secret ? typed[secretKey(list, data.name || '')] : undefined;
      if (typedValue !== undefined) {
        // Typed earlier in this editor session (not deployed yet): the editor still holds it.
        value.val(typedValue);
      } else if (data.secret && stored) {
        // The key the stored value is under: the row keeps it while its name stays the same.
        row.attr('data-stored-key', secretKey(list, data.name || ''));
        value.attr('placeholder', words.unchanged).val('');
      } else {
        value.val(data.secret ? '' : data.value || '');
      }
      secret.on('change', () => value.attr('type', secret.prop('checked') ? 'password' : 'text'));
    },
    rows,
  );
}

/**
 * The rows of a secret list; the secret values typed in go to `edits` and leave '' in the row.
 * A stored row left empty under its stored name is unchanged: it adds nothing to `edits`.
 */
export function readSecretRows(container: JQuery, list: string, edits: SecretValues): SecretRow[] {
  return readList<SecretRow>(container, (row) => {
    const name = textOf(row.find('.rds-row-name')).trim();
    if (!name) return undefined;
    const value = textOf(row.find('.rds-row-value'));
    if (!row.find('.rds-row-secret').prop('checked')) return { name, value };
    const key = secretKey(list, name);
    if (!(value === '' && row.attr('data-stored-key') === key)) edits[key] = value;
    return { name, value: '', secret: true };
  });
}

/** The value types a typed row offers. */
export const ROW_TYPES = ['str', 'num', 'bool', 'json', 'msg', 'flow', 'global', 'env'];

/** Rows whose value is a typedInput. */
export function typedList(container: JQuery, t: Translate, rows: unknown): void {
  createList<TypedRow>(
    container,
    t,
    (row, data) => {
      nameInput(t, 'rq-row-name')
        .val(data.name || '')
        .appendTo(row);
      const cell = $('<div/>', { class: 'rq-row-cell' }).appendTo(row);
      const value = $('<input/>', { type: 'text', class: 'rq-row-value' }).css('width', '100%').appendTo(cell);
      value.typedInput({ types: ROW_TYPES, default: data.valueType || 'str' });
      value.typedInput('value', data.value === undefined ? '' : String(data.value));
      value.typedInput('type', data.valueType || 'str');
    },
    rows,
  );
}

export function readTypedRows(container: JQuery): TypedRow[] {
  return readList(container, (row) => {
    const name = textOf(row.find('.rq-row-name')).trim();
    const value = row.find('.rq-row-value');
    return name ? { name, value: value.typedInput('value'), valueType: value.typedInput('type') } : undefined;
  });
}

/** Typed inputs size themselves once: give them the width of their cell again after a resize. */
export function resizeTypedRows(): void {
  $('.rq-row-value').each(function () {
    if ($(this).data('noderedTypedInput')) $(this).typedInput('width', '100%');
  });
}
