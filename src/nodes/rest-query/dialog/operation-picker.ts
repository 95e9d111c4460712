// The operation picker, shown when the chosen datasource refers to an OpenAPI operation index
// (its `openapi` property): search, grouped by tag (untagged operations by their first path
// segment); picking fills method, path, required parameter rows and body type, keeping what the
// user typed for parameters the new operation has too. Keyboard: arrow down from the search
// moves into the list, arrow keys move there, Enter picks. GitHub's index has 1,200 operations:
// the search is debounced, the list is built with plain DOM calls in slices and holds at most
// MAX_LISTED options (the search narrows it), so typing stays fluid.
import { textOf } from '../../../editor/dom';
import { fieldsForOperation } from '../../../lib/import/operation-query';
import type { IndexedOperation } from '../../../lib/import/operation-types';
import { readRows, selectedDatasource, setField, setRows, t } from './common';
import { indexOf, type IndexState, type PreparedOperation } from './operation-index';

/** Quiet time after the last keystroke before the list is filtered again. */
const SEARCH_DEBOUNCE_MS = 120;

let operations: PreparedOperation[] = [];
let searchTimer: ReturnType<typeof setTimeout> | undefined;
/** Set while an arrow key moves the selection: the list previews, Enter picks. */
let navigating = false;
/** The datasource the picker was last asked to show, so a late answer for another is dropped. */
let showing: unknown;

const chosenId = (): string => textOf($('#node-input-operationId'));
const find = (id: string): IndexedOperation | undefined => operations.find((o) => o.op.id === id)?.op;

/** Options added at once: a listbox lays out every option it gets, so 1,200 are added in slices. */
const FIRST_SLICE = 100;
const SLICE = 150;
/** At most this many options: more are no help to a reader, and each costs layout on every search. */
const MAX_LISTED = 450;
/** The slice of the list still to add, cancelled by the next render. */
let pendingSlice: ReturnType<typeof setTimeout> | undefined;

function render(): void {
  const select = document.getElementById('rq-op-select') as HTMLSelectElement | null;
  if (!select) return;
  if (pendingSlice !== undefined) clearTimeout(pendingSlice);
  pendingSlice = undefined;
  const words = textOf($('#rq-op-search')).toLowerCase().split(/\s+/).filter(Boolean);
  // Grouped in the order the groups first appear, then flat for slicing.
  const groups = new Map<string, PreparedOperation[]>();
  for (const p of operations) {
    if (!words.every((w) => p.haystack.includes(w))) continue;
    const group = groups.get(p.group);
    if (group) group.push(p);
    else groups.set(p.group, [p]);
  }
  const matched: PreparedOperation[] = [];
  for (const ops of groups.values()) matched.push(...ops);
  $('#rq-op-count').text(t('operation.count', { shown: matched.length, total: operations.length }));
  const shown = matched.slice(0, MAX_LISTED);
  // The query's own operation is always listed, so the list shows it chosen.
  const own = chosenId() ? matched.find((p) => p.op.id === chosenId()) : undefined;
  if (own && !shown.includes(own)) shown.unshift(own);
  select.textContent = '';
  // "no operation" is a choice too, so the list never shows nothing selected
  select.appendChild(new Option(t('operation.none'), ''));
  const chosen = chosenId();
  let group: HTMLOptGroupElement | undefined;
  const addSlice = (from: number, size: number): void => {
    const fragment = document.createDocumentFragment();
    for (const p of shown.slice(from, from + size)) {
      if (!group || group.label !== p.group) {
        group = document.createElement('optgroup');
        group.label = p.group;
        fragment.appendChild(group);
      }
      const option = new Option(p.label, p.op.id, false, p.op.id === chosen);
      option.title = `${p.op.id}: ${p.label}`; // the whole line, which the list may cut
      group.appendChild(option);
    }
    if (from + size >= shown.length && matched.length > shown.length) {
      const more = new Option(t('operation.more', { count: matched.length - shown.length }), '');
      more.disabled = true;
      fragment.appendChild(more);
    }
    select.appendChild(fragment);
    if (from + size < shown.length) pendingSlice = setTimeout(() => addSlice(from + size, SLICE), 0);
    else pendingSlice = undefined;
  };
  select.value = '';
  addSlice(0, FIRST_SLICE);
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
  const next = find(id);
  if (!next) return;
  const previous = find(chosenId());
  const fields = fieldsForOperation(next, { headers: readRows('headers'), params: readRows('params') }, previous);
  setField('method', fields.method);
  setField('path', fields.path);
  setRows('headers', fields.headers);
  setRows('params', fields.params);
  setField('bodyType', fields.bodyType);
  $('#node-input-operationId').val(next.id);
  showDetails(next);
}

function show(state: IndexState): void {
  operations = state.state === 'ready' ? state.operations : [];
  $('#rq-op-row').toggle(state.state !== 'none');
  $('#rq-op-picker, #rq-op-search, #rq-op-count').toggle(state.state === 'ready');
  const missing = $('#rq-op-missing').toggle(state.state === 'missing');
  if (state.state === 'missing') {
    missing
      .find('.rq-op-missing-text')
      .text(t(state.source ? 'operation.missingSource' : 'operation.missing', { source: state.source }));
    missing.attr('title', state.message);
  }
  render();
  showDetails(find(chosenId()));
}

/** Show the picker for the chosen datasource (hidden when it refers to no operation index). */
function refresh(): void {
  const ds = selectedDatasource();
  const openapi = ds?.openapi;
  showing = openapi;
  const state = indexOf(openapi);
  if (!(state instanceof Promise)) {
    show(state);
    return;
  }
  $('#rq-op-row').show();
  $('#rq-op-picker, #rq-op-missing').hide();
  $('#rq-op-count').show().text(t('operation.loading'));
  state.then((s) => {
    if (showing === openapi) show(s);
  });
}

function onSearchKey(e: JQuery.KeyDownEvent): void {
  if (e.key !== 'ArrowDown' && e.key !== 'Enter') return;
  e.preventDefault();
  if (searchTimer !== undefined) {
    clearTimeout(searchTimer);
    searchTimer = undefined;
    render();
  }
  const select = document.getElementById('rq-op-select') as HTMLSelectElement;
  const first = select.querySelector('optgroup option') as HTMLOptionElement | null;
  if (!first) return;
  if (e.key === 'Enter' && select.querySelectorAll('optgroup option').length === 1) {
    // one match: Enter in the search picks it
    select.value = first.value;
    choose(first.value);
    return;
  }
  select.focus();
  if (!select.value) select.value = first.value;
  showDetails(find(select.value));
}

function onListKey(e: JQuery.KeyDownEvent): void {
  const select = e.currentTarget as HTMLSelectElement;
  if (e.key === 'Enter') {
    e.preventDefault();
    choose(select.value);
  } else if (e.key === 'ArrowUp' && select.selectedIndex <= 1) {
    e.preventDefault();
    $('#rq-op-search').trigger('focus');
  } else if (/^(Arrow|Page|Home|End)/.test(e.key)) {
    navigating = true;
  }
}

export function prepareOperationPicker(): void {
  $('#node-input-datasource').on('change', refresh);
  $('#rq-op-search')
    .on('input', () => {
      if (searchTimer !== undefined) clearTimeout(searchTimer);
      searchTimer = setTimeout(() => {
        searchTimer = undefined;
        render();
      }, SEARCH_DEBOUNCE_MS);
    })
    .on('keydown', onSearchKey);
  $('#rq-op-select')
    .on('keydown', onListKey)
    .on('keyup', () => {
      navigating = false;
    })
    .on('change', () => {
      const id = textOf($('#rq-op-select'));
      // Moving with the keyboard previews; a click (or Enter) picks.
      if (navigating) showDetails(find(id));
      else choose(id);
    });
  $('#rq-op-reimport').on('click', (e) => {
    e.preventDefault();
    $('#node-input-btn-datasource-edit').trigger('click');
  });
  refresh();
}
