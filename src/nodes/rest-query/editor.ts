// The rest-query dialog: the node definition Node-RED registers (defaults literal, so tools can
// read them), typed header/param/cookie rows, the URL preview and the pagination fields.
import { textOf, trimmed } from '../../editor/dom';
import { isEnvReference, validUrl, validator } from '../../editor/validate';
import { readTypedRows, resizeTypedRows, typedList } from '../../editor/rows';
import { showMigrated } from '../../editor/migrate';
import { QUERY_DEFAULTS as D, QUERY_VERSION, migrateQuery } from './migrations';
import { LISTS, list, t } from './dialog/common';
import { prepareCurlImport } from './dialog/curl-import';
import { prepareOperationPicker } from './dialog/operation-picker';
import { beginImportSession, commitImport, rollbackImport } from './dialog/import-session';
import { trimTrailing } from '../../lib/text';

function updatePreview(): void {
  const picker = $('#node-input-datasource');
  const ds = RED.nodes.node(textOf(picker));
  // A long datasource name is cut in the picker: its title gives it whole.
  picker.attr('title', picker.find('option:selected').text());
  const path = textOf($('#node-input-path'));
  const preview = $('#rq-url-preview');
  if (!ds) {
    preview.text(t('label.noDatasource'));
    return;
  }
  const base = trimTrailing(String(ds.baseUrl || ''), '/');
  // A base URL from an environment variable is known only at deploy time.
  const valid = validUrl(ds.baseUrl) || isEnvReference(ds.baseUrl);
  preview.toggleClass('rds-invalid', !valid).attr('aria-invalid', String(!valid));
  const url = path ? `${base}/${path.replace(/^\/+/, '')}` : `${base} + ${t('label.fromMsgPath')}`;
  preview.text(valid ? url : `${url} (${t('label.invalidBaseUrl')})`);
}

/** The id of the node whose dialog is open, while it is. */
let editingId: string | null = null;

/** The pagination mode of a node: the open dialog's choice while it is being edited. */
function pagingOf(node: RedNode): string {
  const select = $('#node-input-paginate');
  if (node.id === editingId && select.length) return textOf(select);
  return typeof node.paginate === 'string' ? node.paginate : D.paginate;
}

/** A field the pagination mode `mode` needs (as the runtime does): true, or the reason Node-RED shows. */
function requiredForPaging(mode: string, label: string): RedValidator {
  return validator(function (v) {
    return pagingOf(this) !== mode || trimmed(v) !== '' || t('errors.requiredForPaging', { field: t(label) });
  });
}

function showPagingFields(): void {
  const mode = textOf($('#node-input-paginate'));
  $('.rq-page').hide();
  $(`.rq-page-${mode}`).show();
  if (mode !== 'off') $('.rq-page-any').show();
  // Their requirement follows the mode: let Node-RED check them again.
  $('#node-input-pageNextPath, #node-input-pageParam').trigger('change');
}

RED.nodes.registerType('rest-query', {
  category: 'network',
  color: '#e7e7ae',
  defaults: {
    version: { value: QUERY_VERSION },
    name: { value: D.name },
    datasource: { value: D.datasource, type: 'rest-datasource', required: true },
    method: { value: D.method },
    path: { value: D.path },
    headers: { value: D.headers },
    params: { value: D.params },
    cookies: { value: D.cookies },
    bodyType: { value: D.bodyType },
    responseType: { value: D.responseType },
    failOnHttpError: { value: D.failOnHttpError },
    timeout: { value: D.timeout, validate: RED.validators.number(true) },
    cacheTtl: { value: D.cacheTtl, validate: RED.validators.number(true) },
    paginate: { value: D.paginate },
    pageNextPath: { value: D.pageNextPath, validate: requiredForPaging('nextUrl', 'label.pageNextPath') },
    pageParam: { value: D.pageParam, validate: requiredForPaging('param', 'label.pageParam') },
    pageStart: { value: D.pageStart },
    pageStep: { value: D.pageStep },
    pageCursorPath: { value: D.pageCursorPath },
    pageItemsPath: { value: D.pageItemsPath },
    pageMax: { value: D.pageMax },
    pageOutput: { value: D.pageOutput },
    payloadPath: { value: D.payloadPath },
    payloadPathType: { value: D.payloadPathType },
    operationId: { value: D.operationId },
  },
  inputs: 1,
  outputs: 1,
  icon: 'rest-query.svg',
  paletteLabel: () => t('paletteLabel'),
  label: function () {
    if (this.name) return this.name;
    const method = this.method === 'msg' ? 'msg.method' : String(this.method || 'GET');
    return `${method} ${String(this.path || t('paletteLabel'))}`;
  },
  labelStyle: function () {
    return this.name ? 'node_label_italic' : '';
  },
  oneditprepare: function () {
    editingId = this.id;
    beginImportSession();
    const settings = showMigrated(this, 'node-input-', migrateQuery);
    for (const prop of LISTS) typedList(list(prop), t, settings[prop]);
    prepareCurlImport(this);
    prepareOperationPicker();
    // `input` as well: text pasted with the mouse or dropped fires no key event.
    $('#node-input-datasource, #node-input-path').on('input change keyup', updatePreview);
    updatePreview();
    $('#node-input-paginate').on('change', showPagingFields);
    showPagingFields();
    $('#node-input-payloadPath').typedInput({
      typeField: '#node-input-payloadPathType',
      types: [{ value: 'path', label: t('label.payloadPathPath'), icon: 'fa fa-sitemap' }, 'jsonata'],
    });
  },
  oneditsave: function () {
    for (const prop of LISTS) this[prop] = readTypedRows(list(prop));
    this.version = QUERY_VERSION;
    editingId = null;
    // Credentials a pasted command carried and no datasource took: say so, never drop them silently.
    const unkept = commitImport();
    if (unkept !== undefined)
      RED.notify(t('import.credentialsUnkept', { baseUrl: unkept }), { type: 'warning', timeout: 15000 });
  },
  oneditcancel: function () {
    editingId = null;
    // What Import cURL added (datasource, Inject node) or stored goes away with the dialog.
    rollbackImport();
  },
  // Lists grow with their rows and the form scrolls; only the typedInputs need a nudge.
  oneditresize: resizeTypedRows,
});
