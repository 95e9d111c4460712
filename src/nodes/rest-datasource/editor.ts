// The rest-datasource dialog: the node definition Node-RED registers (defaults and credentials
// literal, so tools can read them), wired to one module per tab under dialog/.
import { isWholeNumberOrBlank, validUrl, validator } from '../../editor/validate';
import { prepareAuth, requiredFor, signatureKeyValid } from './dialog/auth';
import { input, setEditing, t } from './dialog/common';
import { createLists, saveLists } from './dialog/lists';
import { prepareOAuth } from './dialog/oauth';
import { prepareTestConnection } from './dialog/test-connection';
import { prepareTls } from './dialog/tls';

/** A whole number >= 0, or blank for the default. */
function wholeNumber(label: string): RedValidator {
  return validator((v) => isWholeNumberOrBlank(v) || t('errors.number', { field: t(label) }));
}

// Numeric settings whose default is 0: Node-RED does not copy falsy defaults into a new
// config node, so the dialog fills them in itself.
const ZERO_DEFAULTS = ['retries', 'concurrency', 'rateLimit'];

/** What the open dialog holds beyond its fields. */
let dialog: { tabs: RedTabs; oauth: { authorized: boolean; close(): void } } | null = null;

function closeDialog(): boolean {
  const authorized = !!dialog?.oauth.authorized;
  dialog?.oauth.close();
  dialog = null;
  setEditing(null);
  return authorized;
}

function createTabs(): RedTabs {
  const tabs = RED.tabs.create({
    id: 'rds-tabs',
    onchange: (tab) => {
      $('#rds-tabs-content').children().hide();
      $(`#${tab.id}`).show();
    },
  });
  tabs.addTab({ id: 'rds-tab-connection', label: t('tabs.connection') });
  tabs.addTab({ id: 'rds-tab-auth', label: t('tabs.auth') });
  tabs.addTab({ id: 'rds-tab-tls', label: t('tabs.tls') });
  tabs.addTab({ id: 'rds-tab-advanced', label: t('tabs.advanced') });
  return tabs;
}

RED.nodes.registerType('rest-datasource', {
  category: 'config',
  defaults: {
    name: { value: '' },
    baseUrl: {
      value: '',
      required: true,
      validate: validator((v) => validUrl(v) || t('errors.url', { field: t('label.baseUrl') })),
    },
    headers: { value: [] },
    params: { value: [] },
    cookies: { value: [] },
    body: { value: [] },
    authType: { value: 'none' },
    apiKeyName: { value: 'X-API-Key', validate: requiredFor('apiKeyName', 'label.apiKeyName') },
    apiKeyIn: { value: 'header' },
    apiKeyPrefix: { value: '' },
    oauth2GrantType: { value: 'client_credentials' },
    oauth2TokenUrl: { value: '', validate: requiredFor('oauth2TokenUrl', 'label.tokenUrl', true) },
    oauth2AuthUrl: { value: '', validate: requiredFor('oauth2AuthUrl', 'label.authUrl', true) },
    oauth2Scopes: { value: '' },
    oauth2Audience: { value: '' },
    oauth2Resource: { value: '' },
    oauth2ClientAuth: { value: 'header' },
    oauth2Pkce: { value: true },
    oauth2TokenPlacement: { value: 'header' },
    oauth2HeaderPrefix: { value: 'Bearer' },
    oauth2QueryParam: { value: 'access_token' },
    oauth2TokenParams: { value: [] },
    oauth2AuthParams: { value: [] },
    oauth2TokenHeaders: { value: [] },
    oauth2ExpiresIn: { value: '', validate: wholeNumber('label.expiresIn') },
    oauth2ExpiredStatus: { value: '401' },
    tlsVerify: { value: true },
    tls: { value: '', type: 'tls-config', required: false },
    proxy: { value: '', type: 'http proxy', required: false },
    timeout: { value: 30000, validate: wholeNumber('label.timeout') },
    followRedirects: { value: true },
    maxRedirects: { value: 5, validate: wholeNumber('label.maxRedirects') },
    maxResponseBytes: { value: 52428800, validate: wholeNumber('label.maxResponseBytes') },
    retries: { value: 0, validate: wholeNumber('label.retries') },
    retryDelay: { value: 500, validate: wholeNumber('label.retryDelay') },
    signatureEnabled: { value: false },
    signatureHeader: { value: 'X-Signature' },
    signatureIssuer: { value: 'node-red' },
    signatureBindRequest: { value: true },
    concurrency: { value: 0, validate: wholeNumber('label.concurrency') },
    rateLimit: { value: 0, validate: wholeNumber('label.rateLimit') },
    cookieJar: { value: false },
  },
  credentials: {
    username: { type: 'text', validate: requiredFor('username', 'label.username') },
    password: { type: 'password' },
    token: { type: 'password', validate: requiredFor('token', 'label.token') },
    apiKey: { type: 'password', validate: requiredFor('apiKey', 'label.apiKey') },
    clientId: { type: 'text', validate: requiredFor('clientId', 'label.clientId') },
    clientSecret: { type: 'password' },
    accessToken: { type: 'password', validate: requiredFor('accessToken', 'label.accessToken') },
    refreshToken: { type: 'password' },
    ca: { type: 'text' },
    cert: { type: 'text' },
    key: { type: 'password' },
    passphrase: { type: 'password' },
    signatureKey: { type: 'password', validate: signatureKeyValid },
    secrets: { type: 'text' },
  },
  paletteLabel: () => t('paletteLabel'),
  label: function () {
    return this.name || (typeof this.baseUrl === 'string' && this.baseUrl) || t('paletteLabel');
  },
  oneditprepare: function () {
    setEditing(this.id);
    const tabs = createTabs();
    for (const k of ZERO_DEFAULTS) if (input(k).val() === '') input(k).val('0');
    createLists(this);
    prepareAuth();
    input('signatureEnabled').on('change', () => input('signatureKey').trigger('change'));
    prepareTls();
    prepareTestConnection(this);
    dialog = { tabs, oauth: prepareOAuth(this) };
  },
  oneditsave: function () {
    saveLists(this);
    // New tokens from Authorize are saved to the credential file by the next Deploy.
    if (closeDialog()) {
      RED.nodes.dirty(true);
      return true;
    }
  },
  oneditcancel: () => {
    closeDialog();
  },
  oneditresize: () => dialog?.tabs.resize(),
});
