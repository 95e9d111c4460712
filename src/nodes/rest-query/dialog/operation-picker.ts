// The operation picker, shown when the chosen datasource holds an OpenAPI operation index (its
// `openapi` property): search, grouped by tag; picking fills method, path, required parameter
// rows and body type, keeping what the user typed for parameters the new operation has too.
import { textOf } from '../../../editor/dom';
import { fieldsForOperation } from '../../../lib/import/operation-query';
import type { IndexedOperation } from '../../../lib/import/operation-types';
import { readRows, selectedDatasource, setField, setRows, t } from './common';

let operations: IndexedOperation[] = [];

function indexOf(ds: RedNode | undefined): IndexedOperation[] {
  const index = ds?.openapi as { operations?: unknown } | undefined;
  return index && Array.isArray(index.operations) ? (index.operations as IndexedOperation[]) : [];
}

const chosenId = (): string => textOf($('#node-input-operationId'));

function render(): void {
  const select = $('#rq-op-select').empty();
  // "no operation" is a choice too, so the list never shows nothing selected
  $('<option/>').val('').text(t('operation.none')).appendTo(select);
  const words = textOf($('#rq-op-search')).toLowerCase().split(/\s+/).filter(Boolean);
  const groups = new Map<string, IndexedOperation[]>();
  for (const op of operations) {
    const text = `${op.id} ${op.method} ${op.path} ${op.summary} ${op.tag}`.toLowerCase();
    if (!words.every((w) => text.includes(w))) continue;
    const tag = op.tag || t('operation.untagged');
    const group = groups.get(tag);
    if (group) group.push(op);
    else groups.set(tag, [op]);
  }
  for (const [tag, ops] of groups) {
    const group = $('<optgroup/>').attr('label', tag).appendTo(select);
    for (const op of ops) {
      $('<option/>')
        .val(op.id)
        .text(`${op.method} ${op.path}${op.summary ? ` — ${op.summary}` : ''}`)
        .attr('title', op.id)
        .appendTo(group);
    }
  }
  $('#rq-op-count').text(
    t('operation.count', { shown: select.find('optgroup option').length, total: operations.length }),
  );
  const chosen = chosenId();
  select.val(select.find('option').filter((_i, o) => (o as HTMLOptionElement).value === chosen).length ? chosen : '');
}

function showDetails(op: IndexedOperation | undefined): void {
  const box = $('#rq-op-details').empty();
  if (!op) return;
  $('<div/>', { class: 'rq-op-summary' })
    .text(`${op.id}${op.summary ? `: ${op.summary}` : ''}${op.deprecated ? ` (${t('operation.deprecated')})` : ''}`)
    .appendTo(box);
  const ul = $('<ul/>').appendTo(box);
  for (const p of op.params) {
    const meta = [p.in, p.type, p.required ? t('operation.required') : ''].filter(Boolean).join(', ');
    $('<li/>')
      .append($('<code/>').text(p.name))
      .append($('<span/>').text(` (${meta})${p.description ? ` — ${p.description}` : ''}`))
      .appendTo(ul);
  }
  if (op.bodyType !== 'none')
    $('<div/>')
      .text(t('operation.body', { type: op.bodyType }))
      .appendTo(box);
}

function choose(id: string): void {
  const next = operations.find((o) => o.id === id);
  if (!next) return;
  const previous = operations.find((o) => o.id === chosenId());
  const fields = fieldsForOperation(next, { headers: readRows('headers'), params: readRows('params') }, previous);
  setField('method', fields.method);
  setField('path', fields.path);
  setRows('headers', fields.headers);
  setRows('params', fields.params);
  setField('bodyType', fields.bodyType);
  $('#node-input-operationId').val(next.id);
  showDetails(next);
}

/** Show the picker for the chosen datasource (hidden when it has no operation index). */
function refresh(): void {
  operations = indexOf(selectedDatasource());
  $('#rq-op-row').toggle(operations.length > 0);
  render();
  showDetails(operations.find((o) => o.id === chosenId()));
}

export function prepareOperationPicker(): void {
  $('#node-input-datasource').on('change', refresh);
  $('#rq-op-search').on('input', render);
  $('#rq-op-select').on('change', () => choose(textOf($('#rq-op-select'))));
  refresh();
}
