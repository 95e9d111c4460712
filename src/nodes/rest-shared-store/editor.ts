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

const isTls = (): boolean => /^rediss:/i.test(textOf(input('url')).trim());

RED.nodes.registerType('rest-shared-store', {
  category: 'config',
  defaults: {
    version: { value: SHARED_STORE_VERSION },
    name: { value: D.name },
    url: {
      value: D.url,
      required: true,
      validate: validator((v) => validStoreUrl(v) || t('errors.url')),
    },
    keyPrefix: { value: D.keyPrefix },
    tls: { value: D.tls, type: 'tls-config', required: false },
  },
  credentials: {
    username: { type: 'text' },
    password: { type: 'password' },
  },
  paletteLabel: () => t('paletteLabel'),
  label: function () {
    return this.name || (typeof this.url === 'string' && this.url) || t('paletteLabel');
  },
  oneditprepare: function () {
    const id = this.id;
    showMigrated(this, 'node-config-input-', migrateSharedStore);
    const tlsRow = () => $('#rss-tls-row').toggle(isTls());
    input('url').on('change keyup', tlsRow);
    tlsRow();
    $('#rss-test-button').on('click', (e) => {
      e.preventDefault();
      const out = $('#rss-test-result');
      showResult(out, 'pending', t('test.running'));
      const body = {
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
