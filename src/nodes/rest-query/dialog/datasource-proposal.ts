// What an import proposes for the datasource: a new rest-datasource for another origin, or the
// credentials found stored in the selected one. Either way they go to the node's credentials
// (the credential store on deploy), never to a flow property.
import { parseSecrets, type SecretRow } from '../../../editor/rows';
import { addNodes } from './add-nodes';
import { onCancel } from './import-session';

/** A datasource proposal as the import routes answer it. */
export interface DatasourceProposal {
  baseUrl: string;
  authType: string;
  credentials: Record<string, string>;
  headers?: SecretRow[];
  params?: SecretRow[];
  cookies?: SecretRow[];
  [setting: string]: unknown;
}

const ROW_LISTS = ['headers', 'params', 'cookies'] as const;

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Credentials as the editor holds them: a password one also says that it is set. */
function editorCredentials(values: Record<string, string>): Record<string, string | boolean> {
  const defs = RED.nodes.getType('rest-datasource')?.credentials ?? {};
  const out: Record<string, string | boolean> = {};
  for (const [k, v] of Object.entries(values)) {
    out[k] = v;
    if (defs[k]?.type === 'password') out[`has_${k}`] = true;
  }
  return out;
}

/** Add a new datasource with these settings and credentials; its id. */
export function createDatasource(p: DatasourceProposal): string {
  const { credentials, ...settings } = p;
  const id = RED.nodes.id();
  const rows: Record<string, SecretRow[]> = {};
  for (const list of ROW_LISTS) rows[list] = (p[list] ?? []).map((r) => ({ name: r.name, value: '', secret: true }));
  addNodes([
    {
      id,
      type: 'rest-datasource',
      ...settings,
      ...rows,
      name: hostOf(p.baseUrl),
      credentials: editorCredentials(credentials),
    },
  ]);
  return id;
}

/**
 * The datasource's credentials as the editor holds them. After a deploy the editor drops them,
 * so they are loaded as its dialog loads them (text ones with their values, password ones as
 * `has_<name>`), with the same `_` snapshot the editor compares against when it deploys.
 */
function loadCredentials(ds: RedNode): Promise<NonNullable<RedNode['credentials']>> {
  if (ds.credentials) return Promise.resolve(ds.credentials);
  return new Promise((resolve, reject) => {
    $.getJSON(`credentials/rest-datasource/${encodeURIComponent(ds.id)}`)
      .done((data: Record<string, string | boolean>) => {
        const loaded = { ...data, _: JSON.parse(JSON.stringify(data)) } as unknown as NonNullable<
          RedNode['credentials']
        >;
        ds.credentials = loaded;
        resolve(loaded);
      })
      .fail(reject);
  });
}

/**
 * Put the proposal's auth and secret rows into an existing datasource (its other settings and
 * credentials stay; the values of its secret rows are merged, not replaced).
 */
export async function storeCredentials(ds: RedNode, p: DatasourceProposal): Promise<void> {
  const current = await loadCredentials(ds);
  // Cancel of the query dialog puts the datasource back as it was.
  const kept: Record<string, unknown> = {};
  for (const k of ['authType', 'apiKeyName', 'apiKeyIn', 'apiKeyPrefix', ...ROW_LISTS, 'changed', 'dirty']) {
    kept[k] = ds[k];
  }
  const keptCredentials = ds.credentials;
  const wasDirty = RED.nodes.dirty();
  onCancel(() => {
    Object.assign(ds, kept);
    ds.credentials = keptCredentials;
    RED.editor.validateNode(ds);
    RED.nodes.dirty(wasDirty);
  });
  const { credentials, ...settings } = p;
  const { secrets, ...plain } = credentials;
  if (p.authType !== 'none') {
    for (const k of ['authType', 'apiKeyName', 'apiKeyIn', 'apiKeyPrefix', 'awsRegion', 'awsService']) {
      if (settings[k] !== undefined) ds[k] = settings[k];
    }
  }
  for (const list of ROW_LISTS) {
    const rows = (Array.isArray(ds[list]) ? ds[list] : []) as SecretRow[];
    const added = (p[list] ?? []).map((r) => r.name);
    ds[list] = [
      ...rows.filter((r) => !added.includes(r.name)),
      ...added.map((name) => ({ name, value: '', secret: true })),
    ];
  }
  const held = current as Record<string, unknown>;
  if (held.has_secrets && typeof held.secrets !== 'string') {
    // Deployed secret row values never come to the editor (a password credential): the new
    // ones go in `secretEdits`, which the runtime lays over the stored values.
    const edits = { ...parseSecrets(held.secretEdits), ...parseSecrets(secrets) };
    ds.credentials = { ...current, ...editorCredentials(plain), secretEdits: JSON.stringify(edits) };
  } else {
    const merged = { ...parseSecrets(current.secrets), ...parseSecrets(secrets) };
    ds.credentials = { ...current, ...editorCredentials(plain), secrets: JSON.stringify(merged) };
  }
  ds.changed = true;
  ds.dirty = true;
  RED.editor.validateNode(ds);
  RED.nodes.dirty(true);
}

/** Choose a datasource in the query dialog's picker (a new one is not listed there yet). */
export function selectDatasource(id: string, label: string): void {
  const select = $('#node-input-datasource');
  if (!select.find('option').filter((_i, o) => (o as HTMLOptionElement).value === id).length) {
    select.append($('<option/>').val(id).text(label));
  }
  select.val(id).trigger('change');
}
