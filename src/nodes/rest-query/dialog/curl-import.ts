// "Import cURL": the pasted command goes to the import route; the answer fills method, path,
// rows and body type, and lists what was not imported, the files the command reads, the body
// to send as msg.payload, and the credentials found (offered to the datasource, never put here).
import { textOf } from '../../../editor/dom';
import { errorText, postJson, showResult } from '../../../editor/result';
import type { TypedRow } from '../../../editor/rows';
import { noticeText, type Notice } from '../../../editor/notice';
import { addNodes } from './add-nodes';
import { credentialsUnkept } from './import-session';
import { setField, setRows, selectedDatasource, t } from './common';
import { createDatasource, selectDatasource, storeCredentials, type DatasourceProposal } from './datasource-proposal';
import { trimTrailing } from '../../../lib/text';

interface CurlImport {
  url: string;
  underDatasource: boolean;
  datasource: DatasourceProposal;
  query: {
    method: string;
    path: string;
    headers: TypedRow[];
    params: TypedRow[];
    cookies: TypedRow[];
    bodyType: string;
    timeout?: number;
  };
  payload?: unknown;
  /** a JSON-looking form body: what "Send as JSON" sets */
  asJson?: { bodyType: string; payload: unknown };
  files: Array<{ flag: string; field?: string; path: string }>;
  ignored: Array<{ flag: string; value?: string; reason: string; code: string }>;
  credentialsFound: Notice[];
  warnings: Notice[];
}

function fill(r: CurlImport): void {
  setField('method', r.query.method);
  setField('path', r.query.path);
  setRows('headers', r.query.headers);
  setRows('params', r.query.params);
  setRows('cookies', r.query.cookies);
  setField('bodyType', r.query.bodyType);
  if (r.query.timeout !== undefined) setField('timeout', String(r.query.timeout));
}

/** A titled list of lines in the details area. */
function section(into: JQuery, cls: string, title: string, lines: string[]): void {
  if (!lines.length) return;
  const box = $('<div/>', { class: `rq-import-section ${cls}` }).appendTo(into);
  $('<div/>', { class: 'rq-import-title' }).text(title).appendTo(box);
  const ul = $('<ul/>').appendTo(box);
  for (const line of lines) $('<li/>').text(line).appendTo(ul);
}

function button(into: JQuery, id: string, icon: string, text: string, onClick: () => void): JQuery {
  const b = $('<button/>', { type: 'button', class: 'red-ui-button', id })
    .append($('<i/>', { class: `fa ${icon}` }))
    .append($('<span/>').text(` ${text}`))
    .attr('title', text)
    .appendTo(into);
  b.on('click', (e) => {
    e.preventDefault();
    onClick();
  });
  return b;
}

/** Node width and height the editor draws an Inject node with, and the room its button needs. */
const INJECT = { width: 140, height: 30, button: 30 };

/** Whether a node of the workspace `z` covers the point (x, y), give or take half a node. */
function occupied(z: unknown, x: number, y: number): boolean {
  let hit = false;
  RED.nodes.eachNode((n) => {
    if (n.z === z && Math.abs(Number(n.x) - x) < INJECT.width && Math.abs(Number(n.y) - y) < INJECT.height + 10) {
      hit = true;
      return false;
    }
    return true;
  });
  return hit;
}

/**
 * Where the Inject node goes: left of the query, and never so far left that its button falls off
 * the workspace's edge (where the palette is); lower down while another node is in the way.
 */
function injectPlace(query: RedNode): { x: number; y: number } {
  const minX = INJECT.width / 2 + INJECT.button + 20;
  const x = Math.max(minX, Number(query.x) - 220);
  let y = Number(query.y) + (x > Number(query.x) - 180 ? 60 : 0);
  for (let i = 0; i < 20 && occupied(query.z, x, y); i++) y += 40;
  return { x, y };
}

/** An Inject node left of the query, wired to it and selected, that sends the command's body. */
function addInject(query: RedNode, payload: unknown): RedNode | undefined {
  const text = typeof payload === 'string';
  const [inject] = addNodes(
    [
      {
        id: RED.nodes.id(),
        type: 'inject',
        z: query.z,
        ...injectPlace(query),
        name: t('import.injectName'),
        props: [{ p: 'payload' }],
        payload: text ? payload : JSON.stringify(payload),
        payloadType: text ? 'str' : 'json',
        repeat: '',
        crontab: '',
        once: false,
        onceDelay: 0.1,
        topic: '',
        wires: [[]],
      },
    ],
    query,
  );
  if (inject) RED.view.select({ nodes: [inject] });
  return inject;
}

/** The datasources whose base URL the URL lies under (same origin, whole path segments). */
function datasourcesFor(url: string): RedNode[] {
  const found: RedNode[] = [];
  RED.nodes.eachConfig((n) => {
    const base = typeof n.baseUrl === 'string' ? trimTrailing(n.baseUrl, '/') : '';
    if (n.type === 'rest-datasource' && base && url.startsWith(base) && /^([/?#]|$)/.test(url.slice(base.length))) {
      found.push(n);
    }
  });
  return found;
}

function report(node: RedNode, r: CurlImport, details: JQuery): void {
  details.empty();
  const ds = selectedDatasource();
  if (!r.underDatasource) {
    const offer = $('<div/>', { class: 'rq-import-section rq-import-offer' }).appendTo(details);
    $('<div/>')
      .text(t(ds ? 'import.otherOrigin' : 'import.noDatasource', { baseUrl: r.datasource.baseUrl }))
      .appendTo(offer);
    // A datasource that already covers the URL is offered first: no duplicate for one API.
    for (const existing of datasourcesFor(r.url)) {
      const name = String(existing.name || existing.baseUrl);
      button(offer, `rq-curl-use-${existing.id}`, 'fa-database', t('import.useDatasource', { name }), () => {
        selectDatasource(existing.id, name);
        runImport(node);
      }).addClass('rq-curl-use-ds');
    }
    button(offer, 'rq-curl-new-ds', 'fa-plus', t('import.createDatasource', { baseUrl: r.datasource.baseUrl }), () => {
      const id = createDatasource(r.datasource);
      selectDatasource(id, r.datasource.baseUrl);
      offer.find('button').prop('disabled', true);
      credentialsUnkept(undefined);
      const name = String(RED.nodes.node(id)?.name || r.datasource.baseUrl);
      showResult(created, 'ok', t('import.created', { name }));
      showResult($('#rq-curl-result'), 'ok', t('import.filled', { method: r.query.method, url: r.url }));
      // The picker now shows the new datasource: bring it into view.
      document.getElementById('node-input-datasource')?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    });
    const created = $('<div/>', { id: 'rq-curl-created', class: 'rds-result', role: 'status' }).appendTo(offer);
  }
  const say = (n: Notice): string => noticeText(t, 'import', n);
  section(details, 'rq-import-credentials', t('import.credentials'), r.credentialsFound.map(say));
  if (r.underDatasource && r.credentialsFound.length && ds) {
    const target = String(ds.name || ds.baseUrl || ds.id);
    const current = typeof ds.authType === 'string' ? ds.authType : 'none';
    // Say so when the datasource's own authentication would be replaced.
    const replaces = r.datasource.authType !== 'none' && current !== 'none' && current !== r.datasource.authType;
    const label = replaces
      ? t('import.replaceAuth', { name: target, current })
      : t('import.storeCredentials', { name: target });
    const store = button(details, 'rq-curl-store-credentials', 'fa-lock', label, () => {
      store.prop('disabled', true);
      storeCredentials(ds, r.datasource).then(
        () => {
          credentialsUnkept(undefined);
          showResult($('#rq-curl-stored'), 'ok', t('import.stored', { name: target }));
          showResult($('#rq-curl-result'), 'ok', t('import.filled', { method: r.query.method, url: r.url }));
        },
        (xhr: JQuery.jqXHR) => {
          store.prop('disabled', false);
          showResult($('#rq-curl-stored'), 'fail', errorText(xhr, t('import.unreachable')));
        },
      );
    });
    $('<span/>', { id: 'rq-curl-stored', class: 'rds-result', role: 'status' }).appendTo(details);
  }
  const tls = r.datasource.tlsVerify === false ? [t('import.insecure')] : [];
  section(details, 'rq-import-warnings', t('import.warnings'), [...r.warnings.map(say), ...tls]);
  section(
    details,
    'rq-import-files',
    t('import.files'),
    r.files.map((f) => `${f.flag} ${f.field ? f.field + ' ' : ''}← ${f.path}`),
  );
  section(
    details,
    'rq-import-ignored',
    t('import.ignored'),
    r.ignored.map(
      (i) => `${i.flag}${i.value !== undefined ? ' ' + i.value : ''}: ${say({ code: i.code, text: i.reason })}`,
    ),
  );
  offerJson(r, details);
  if (r.payload !== undefined) {
    const box = $('<div/>', { class: 'rq-import-section rq-import-payload' }).appendTo(details);
    $('<div/>', { class: 'rq-import-title' }).text(t('import.payload')).appendTo(box);
    $('<pre/>')
      .text(typeof r.payload === 'string' ? r.payload : JSON.stringify(r.payload, null, 2))
      .appendTo(box);
    button(box, 'rq-curl-inject', 'fa-arrow-right', t('import.addInject'), () => {
      if (addInject(node, r.payload)) showResult(injected, 'ok', t('import.injectAdded'));
      box.find('#rq-curl-inject').prop('disabled', true);
    });
    const injected = $('<span/>', { id: 'rq-curl-injected', class: 'rds-result', role: 'status' }).appendTo(box);
  }
}

/**
 * `-d '{…}'` without a JSON Content-Type: curl sends a form, and so does the import; one click
 * makes the body JSON and the payload (and so the Inject node it adds) the parsed object.
 */
function offerJson(r: CurlImport, details: JQuery): void {
  const asJson = r.asJson;
  if (!asJson) return;
  const b = button(details, 'rq-curl-as-json', 'fa-code', t('import.sendAsJson'), () => {
    setField('bodyType', asJson.bodyType);
    r.payload = asJson.payload;
    r.asJson = undefined;
    details.find('.rq-import-payload pre').text(JSON.stringify(asJson.payload, null, 2));
    b.prop('disabled', true);
    showResult($('#rq-curl-as-json-result'), 'ok', t('import.sentAsJson'));
  });
  $('<span/>', { id: 'rq-curl-as-json-result', class: 'rds-result', role: 'status' }).insertAfter(b);
}

export function prepareCurlImport(node: RedNode): void {
  $('#rq-curl-button').on('click', (e) => {
    e.preventDefault();
    $('#rq-curl-panel').toggle();
    $('#rq-curl-text').trigger('focus');
  });
  $('#rq-curl-apply').on('click', (e) => {
    e.preventDefault();
    runImport(node);
  });
}

/** Send the pasted command to the import route, with the datasource the picker shows. */
function runImport(node: RedNode): void {
  const out = $('#rq-curl-result');
  const details = $('#rq-curl-details').empty();
  showResult(out, 'pending', t('import.running'));
  const ds = selectedDatasource();
  const body = {
    command: textOf($('#rq-curl-text')),
    datasource: ds ? { id: ds.id, baseUrl: ds.baseUrl } : undefined,
  };
  postJson<CurlImport>('rest-datasource/import/curl', body)
    .done((r) => {
      fill(r);
      // Credentials wait for a datasource: Done alone would leave them behind, so say what to do first.
      const waiting = r.credentialsFound.length > 0 ? (r.underDatasource ? 'store' : 'create') : '';
      credentialsUnkept(waiting ? r.datasource.baseUrl : undefined);
      const message =
        waiting === 'create' ? 'import.filledCreate' : waiting === 'store' ? 'import.filledStore' : 'import.filled';
      showResult(out, 'ok', t(message, { method: r.query.method, url: r.url }));
      report(node, r, details);
    })
    .fail((xhr) => showResult(out, 'fail', errorText(xhr, t('import.unreachable'))));
}
