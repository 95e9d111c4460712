// The rest-shared-store dialog: a Redis or Valkey URL, key prefix, ACL credentials, a TLS
// configuration for rediss://, and a Test button (PING, write and read back a test key)
// through the admin route, with the dialog's unsaved values.
import { field, textOf, trimmed } from '../../editor/dom';
import { translator } from '../../editor/i18n';
import { errorText, postJson, showResult } from '../../editor/result';
import { showMigrated } from '../../editor/migrate';
import { validator } from '../../editor/validate';
import { SHARED_STORE_DEFAULTS as D, SHARED_STORE_VERSION, migrateSharedStore } from './migrations';

const t = translator('rest-shared-store');
const input = (prop: string): JQuery => field('node-config-input-', prop);

/** redis:// or rediss:// with a host, and no user or password (the URL is saved in the flow). */
function validStoreUrl(v: unknown): boolean {
  try {
    const u = new URL(trimmed(v));
    return (u.protocol === 'redis:' || u.protocol === 'rediss:') && !!u.hostname && !u.username && !u.password;
  } catch {
    return false;
  }
}

const modeOf = (): string => textOf(input('mode')) || 'standalone';
/** TLS: a rediss:// URL in standalone mode; in Sentinel and Cluster mode whenever a TLS node is chosen. */
const isTls = (): boolean => (modeOf() === 'standalone' ? /^rediss:/i.test(textOf(input('url')).trim()) : true);

/** The mode a validation applies to: the open dialog's, else the node's. */
function modeIn(node: object): string {
  if ($('#node-config-input-mode').length) return modeOf();
  const own = (node as { mode?: unknown }).mode;
  return typeof own === 'string' && own ? own : 'standalone';
}

/** host:port entries separated by commas or spaces, no scheme, user or password. */
function validNodes(v: unknown): boolean {
  const entries = trimmed(v)
    .split(/[\s,]+/)
    .filter((e) => e !== '');
  return entries.length > 0 && entries.every((e) => /^(\[[0-9a-fA-F:.]+\]|[^:[\]@/]+)(:\d{1,5})?$/.test(e));
}

RED.nodes.registerType('rest-shared-store', {
  category: 'config',
  defaults: {
    version: { value: SHARED_STORE_VERSION },
    name: { value: D.name },
    mode: { value: D.mode },
    url: {
      value: D.url,
      validate: validator(function (v: unknown) {
        const mode = modeIn(this);
        return mode !== 'standalone' || validStoreUrl(v) || t('errors.url');
      }),
    },
    nodes: {
      value: D.nodes,
      validate: validator(function (v: unknown) {
        const mode = modeIn(this);
        return mode === 'standalone' || validNodes(v) || t('errors.nodes');
      }),
    },
    masterName: {
      value: D.masterName,
      validate: validator(function (v: unknown) {
        const mode = modeIn(this);
        return mode !== 'sentinel' || /^[A-Za-z0-9._-]+$/.test(trimmed(v)) || t('errors.masterName');
      }),
    },
    keyPrefix: { value: D.keyPrefix },
    tls: { value: D.tls, type: 'tls-config', required: false },
  },
  credentials: {
    username: { type: 'text' },
    password: { type: 'password' },
    sentinelUsername: { type: 'text' },
    sentinelPassword: { type: 'password' },
  },
  paletteLabel: () => t('paletteLabel'),
  label: function () {
    return this.name || (typeof this.url === 'string' && this.url) || t('paletteLabel');
  },
  oneditprepare: function () {
    const id = this.id;
    showMigrated(this, 'node-config-input-', migrateSharedStore);
    // Only the fields of the chosen mode are shown.
    const rows = () => {
      const mode = modeOf();
      $('#rss-url-row').toggle(mode === 'standalone');
      $('#rss-nodes-row').toggle(mode !== 'standalone');
      $('#rss-masterName-row, .rss-sentinel-row').toggle(mode === 'sentinel');
      input('nodes').attr(
        'placeholder',
        t(mode === 'sentinel' ? 'placeholder.nodesSentinel' : 'placeholder.nodesCluster'),
      );
      $('#rss-tls-row').toggle(isTls());
    };
    if (!textOf(input('mode'))) input('mode').val('standalone');
    input('url').on('change keyup', rows);
    input('mode').on('change', rows);
    rows();
    $('#rss-test-button').on('click', (e) => {
      e.preventDefault();
      const out = $('#rss-test-result');
      showResult(out, 'pending', t('test.running'));
      const body = {
        mode: modeOf(),
        nodes: textOf(input('nodes')),
        masterName: textOf(input('masterName')),
        sentinelUsername: textOf(input('sentinelUsername')),
        sentinelPassword: textOf(input('sentinelPassword')),
        url: textOf(input('url')),
        keyPrefix: textOf(input('keyPrefix')),
        tls: isTls() ? textOf(input('tls')) : '',
        username: textOf(input('username')),
        password: textOf(input('password')),
      };
      postJson<{ ok?: boolean; message?: string }>(`rest-shared-store/${encodeURIComponent(id)}/test`, body)
        .done((r) => showResult(out, r && r.ok ? 'ok' : 'fail', (r && r.message) || t('errors.unreachable')))
        .fail((xhr) => showResult(out, 'fail', errorText(xhr, t('errors.unreachable'))));
    });
  },
  oneditsave: function () {
    this.version = SHARED_STORE_VERSION;
    // A TLS configuration only applies to rediss://; a plain URL keeps none.
    if (!isTls()) input('tls').val('_ADD_');
  },
});
