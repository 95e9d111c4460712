// The rest-query dialog: the node definition Node-RED registers (defaults literal, so tools can
// read them), typed header/param/cookie rows, the URL preview and the pagination fields.
import { textOf } from '../../editor/dom';
import { translator } from '../../editor/i18n';
import { readTypedRows, resizeTypedRows, typedList } from '../../editor/rows';

const t = translator('rest-query');
const LISTS = ['headers', 'params', 'cookies'];
const list = (prop: string): JQuery => $(`#node-input-${prop}-list`);

function updatePreview(): void {
  const ds = RED.nodes.node(textOf($('#node-input-datasource')));
  const path = textOf($('#node-input-path'));
  const preview = $('#rq-url-preview');
  if (!ds) {
    preview.text(t('label.noDatasource'));
    return;
  }
  const base = String(ds.baseUrl || '').replace(/\/+$/, '');
  preview.text(path ? `${base}/${path.replace(/^\/+/, '')}` : `${base} + ${t('label.fromMsgPath')}`);
}

function showPagingFields(): void {
  const mode = textOf($('#node-input-paginate'));
  $('.rq-page').hide();
  $(`.rq-page-${mode}`).show();
  if (mode !== 'off') $('.rq-page-any').show();
}

RED.nodes.registerType('rest-query', {
  category: 'network',
  color: '#e7e7ae',
  defaults: {
    name: { value: '' },
    datasource: { value: '', type: 'rest-datasource', required: true },
    method: { value: 'GET' },
    path: { value: '' },
    headers: { value: [] },
    params: { value: [] },
    cookies: { value: [] },
    bodyType: { value: 'auto' },
    responseType: { value: 'auto' },
    failOnHttpError: { value: true },
    timeout: { value: '', validate: RED.validators.number(true) },
    paginate: { value: 'off' },
    pageNextPath: { value: '' },
    pageParam: { value: '' },
    pageStart: { value: '' },
    pageStep: { value: '' },
    pageCursorPath: { value: '' },
    pageItemsPath: { value: '' },
    pageMax: { value: 100 },
    pageOutput: { value: 'each' },
    payloadPath: { value: '' },
    payloadPathType: { value: 'path' },
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
    for (const prop of LISTS) typedList(list(prop), t, this[prop]);
    $('#node-input-datasource, #node-input-path').on('change keyup', updatePreview);
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
  },
  // Lists grow with their rows and the form scrolls; only the typedInputs need a nudge.
  oneditresize: resizeTypedRows,
});
