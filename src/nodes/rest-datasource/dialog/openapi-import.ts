// "Import OpenAPI": a description by URL (fetched by the runtime with this dialog's TLS and proxy
// settings), pasted, or read from a file; the user picks a server and an auth proposal, and
// Apply sets the base URL and auth fields. The runtime keeps the compact operation index in the
// user directory; the datasource's `openapi` property holds only its reference (title, version,
// source, hash, count), which the query dialog's operation picker loads the index by.
import { textOf } from '../../../editor/dom';
import { plainText } from '../../../lib/import/plain-text';
import { errorText, postJson, showResult } from '../../../editor/result';
import { noticeText, type Notice } from '../../../editor/notice';
import { input, t } from './common';
import { dialogValues } from './lists';
import { isInlineIndex, isRef, splitInline, type OpenApiRef } from '../../../lib/import/openapi-ref';
import { trimTrailing } from '../../../lib/text';

interface Server {
  url: string;
  template: string;
  description: string;
  relative: boolean;
  variables: Array<{ name: string; default: string; enum: string[]; description: string }>;
}
interface SecurityChoice {
  name: string;
  type: string;
  note: Notice;
  proposal?: Record<string, string>;
}
interface OpenApiImport {
  title: string;
  version: string;
  source: string;
  servers: Server[];
  security: SecurityChoice[];
  operations: unknown[];
  warnings: Notice[];
  /** the index the runtime keeps in the user directory, by its hash (docs/import.md) */
  hash: string;
  count: number;
}

/** What the dialog holds: undefined = unchanged, null = removed, else the new reference. */
let pending: OpenApiRef | null | undefined;
let imported: OpenApiImport | undefined;

/** Operations of the `openapi` property: a reference's count, or a 0.1.x inline index's length. */
function countOf(index: unknown): number | undefined {
  if (isRef(index)) return index.count;
  if (isInlineIndex(index)) return index.operations.length;
  return undefined;
}

function describeIndex(index: unknown): string {
  const count = countOf(index);
  if (count === undefined) return t('openapi.none');
  return t('openapi.current', { title: (index as { title?: string }).title || '?', count });
}

function showChoices(r: OpenApiImport): void {
  imported = r;
  const servers = $('#rds-openapi-server').empty();
  r.servers.forEach((s, i) => {
    $('<option/>')
      .val(String(i))
      .text(`${s.url}${s.description ? ` — ${plainText(s.description)}` : ''}`)
      .appendTo(servers);
  });
  const security = $('#rds-openapi-security').empty();
  $('<option/>').val('').text(t('openapi.keepAuth')).appendTo(security);
  r.security.forEach((s, i) => {
    const option = $('<option/>').val(String(i)).text(`${s.name} (${s.type})`).appendTo(security);
    if (!s.proposal) option.prop('disabled', true);
  });
  const first = r.security.findIndex((s) => s.proposal);
  security.val(first >= 0 ? String(first) : '');
  showVariables();
  showNote();
  $('#rds-openapi-choices').show();
}

const chosenServer = (): Server | undefined => imported?.servers[Number(textOf($('#rds-openapi-server')))];

/** One field per variable of the chosen server: a list for an enum, else text; the default first. */
function showVariables(): void {
  const box = $('#rds-openapi-vars').empty();
  for (const v of chosenServer()?.variables ?? []) {
    const row = $('<div/>', { class: 'form-row' }).appendTo(box);
    const id = `rds-openapi-var-${v.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    $('<label/>', { for: id }).text(`{${v.name}}`).appendTo(row);
    const field = v.enum.length ? $('<select/>', { id }) : $('<input/>', { type: 'text', id });
    for (const value of v.enum) $('<option/>').val(value).text(value).appendTo(field);
    field
      .addClass('rds-openapi-var')
      .attr('data-name', v.name)
      .attr('title', v.description)
      .val(v.default)
      .appendTo(row);
  }
}

/** The chosen server's URL with the variables as the fields give them. */
function serverUrl(server: Server): string {
  let url = server.template;
  $('.rds-openapi-var').each(function () {
    url = url.split(`{${String($(this).attr('data-name'))}}`).join(textOf($(this)));
  });
  if (/^https?:\/\//i.test(url)) return trimTrailing(url, '/');
  try {
    return trimTrailing(new URL(url || '/', imported?.source || undefined).toString(), '/');
  } catch {
    return server.url;
  }
}

function showNote(): void {
  const i = textOf($('#rds-openapi-security'));
  const say = (n: Notice): string => noticeText(t, 'openapi', n);
  const lines = (imported?.security ?? []).map((s) => `${s.name}: ${say(s.note)}`);
  const box = $('#rds-openapi-note').empty();
  const ul = $('<ul/>').appendTo(box);
  for (const line of [...(imported?.warnings ?? []).map(say), ...lines]) $('<li/>').text(line).appendTo(ul);
  box.toggle(lines.length > 0 || !!imported?.warnings.length || i !== '');
}

function apply(): void {
  if (!imported) return;
  const server = chosenServer();
  if (server) input('baseUrl').val(serverUrl(server)).trigger('change');
  if (!textOf(input('name')).trim() && imported.title) input('name').val(imported.title);
  const choice = imported.security[Number(textOf($('#rds-openapi-security')))];
  if (textOf($('#rds-openapi-security')) !== '' && choice?.proposal) {
    for (const [k, v] of Object.entries(choice.proposal)) input(k).val(v);
    input('authType').trigger('change');
  }
  pending = {
    title: imported.title,
    version: imported.version,
    source: imported.source,
    hash: imported.hash,
    count: imported.count,
  };
  $('#rds-openapi-current').text(describeIndex(pending));
  showResult($('#rds-openapi-result'), 'ok', t('openapi.applied', { count: imported.count }));
}

function done(r: OpenApiImport): void {
  showResult(
    $('#rds-openapi-result'),
    'ok',
    t('openapi.loaded', { title: r.title || '?', version: r.version, count: r.operations.length }),
  );
  showChoices(r);
}

function fail(xhr: JQuery.jqXHR): void {
  showResult($('#rds-openapi-result'), 'fail', errorText(xhr, t('errors.unreachable')));
}

/** A description as text: sent as the raw body, so it is not bound by the admin API's JSON size limit. */
function postText(text: string): void {
  showResult($('#rds-openapi-result'), 'pending', t('openapi.reading'));
  $.ajax({
    url: 'rest-datasource/import/openapi',
    method: 'POST',
    // The description's registered media type: a simple type (text/plain) is refused (json-only.ts).
    contentType: 'application/vnd.oai.openapi; charset=utf-8',
    data: text,
  })
    .done(done)
    .fail(fail);
}

export function prepareOpenApiImport(node: RedNode): void {
  pending = undefined;
  imported = undefined;
  $('#rds-openapi-current').text(describeIndex(node.openapi));
  // Fetching again from where the index came from is one click.
  const source = isRef(node.openapi) || isInlineIndex(node.openapi) ? node.openapi.source : '';
  if (source) $('#rds-openapi-url').val(source);
  $('#rds-openapi-button').on('click', (e) => {
    e.preventDefault();
    $('#rds-openapi-panel').toggle();
  });
  $('#rds-openapi-fetch').on('click', (e) => {
    e.preventDefault();
    showResult($('#rds-openapi-result'), 'pending', t('openapi.reading'));
    const datasource = { ...dialogValues(node), id: node.id };
    postJson<OpenApiImport>('rest-datasource/import/openapi', { url: textOf($('#rds-openapi-url')).trim(), datasource })
      .done(done)
      .fail(fail);
  });
  $('#rds-openapi-read').on('click', (e) => {
    e.preventDefault();
    const file = ($('#rds-openapi-file')[0] as HTMLInputElement | undefined)?.files?.[0];
    if (file) {
      file.text().then(postText, () => showResult($('#rds-openapi-result'), 'fail', t('openapi.fileUnreadable')));
    } else showResult($('#rds-openapi-result'), 'fail', t('openapi.noFile'));
  });
  $('#rds-openapi-paste').on('click', (e) => {
    e.preventDefault();
    const text = textOf($('#rds-openapi-text'));
    if (text.trim()) postText(text);
    else showResult($('#rds-openapi-result'), 'fail', t('openapi.nothingPasted'));
  });
  $('#rds-openapi-security').on('change', showNote);
  $('#rds-openapi-server').on('change', showVariables);
  $('#rds-openapi-apply').on('click', (e) => {
    e.preventDefault();
    apply();
  });
  $('#rds-openapi-remove').on('click', (e) => {
    e.preventDefault();
    pending = null;
    $('#rds-openapi-current').text(describeIndex(null));
  });
}

/** On save: store a new or removed index in the node; true when it changed. */
export function saveOpenApiIndex(node: RedNode): boolean {
  if (pending === undefined) return false;
  node.openapi = pending === null ? '' : pending;
  pending = undefined;
  return true;
}

/**
 * Replace each inline (0.1.x) index of the loaded flows by its reference, where the runtime keeps
 * that index already (it moves them out when the datasource starts). The node is not marked
 * changed: the reference replaces the index with the next deploy of any change. A datasource
 * the runtime has not started (a disabled flow) keeps its index inline until it has.
 */
export function moveInlineIndexes(): void {
  RED.nodes.eachConfig((n) => {
    if (n.type !== 'rest-datasource' || !isInlineIndex(n.openapi)) return;
    const node = n;
    const { ref } = splitInline(n.openapi);
    $.ajax({ url: `rest-datasource/openapi-index/${ref.hash}`, method: 'HEAD' }).done(() => {
      if (isInlineIndex(node.openapi)) node.openapi = ref;
    });
  });
}
