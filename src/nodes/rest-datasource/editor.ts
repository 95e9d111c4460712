// The rest-datasource dialog: the node definition Node-RED registers (defaults and credentials
// literal, so tools can read them), wired to one module per tab under dialog/.
import { isWholeNumberOrBlank, validUrl, validator } from '../../editor/validate';
import { prepareAuth, requiredFor, signatureKeyValid } from './dialog/auth';
import { prepareAdvanced } from './dialog/advanced';
import { setEditing, t } from './dialog/common';
import { createLists, saveLists } from './dialog/lists';
import { prepareOAuth } from './dialog/oauth';
import { clientPrivateKeyValid, prepareOAuthKeys, serviceAccountKeyValid } from './dialog/oauth-keys';
import { moveInlineIndexes, prepareOpenApiImport, saveOpenApiIndex } from './dialog/openapi-import';
import { prepareTestConnection } from './dialog/test-connection';
import { prepareTls } from './dialog/tls';
import { showMigrated } from '../../editor/migrate';
import { DATASOURCE_DEFAULTS as D, DATASOURCE_VERSION, migrateDatasource } from './migrations';

/** A whole number >= 0, or blank for the default. */
function wholeNumber(label: string): RedValidator {
  return validator((v) => isWholeNumberOrBlank(v) || t('errors.number', { field: t(label) }));
}

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
    version: { value: DATASOURCE_VERSION },
    name: { value: D.name },
    baseUrl: {
      value: D.baseUrl,
      required: true,
      validate: validator((v) => validUrl(v) || t('errors.url', { field: t('label.baseUrl') })),
    },
    headers: { value: D.headers },
    params: { value: D.params },
    cookies: { value: D.cookies },
    body: { value: D.body },
    authType: { value: D.authType },
    apiKeyName: { value: D.apiKeyName, validate: requiredFor('apiKeyName', 'label.apiKeyName') },
    apiKeyIn: { value: D.apiKeyIn },
    apiKeyPrefix: { value: D.apiKeyPrefix },
    oauth2GrantType: { value: D.oauth2GrantType },
    oauth2TokenUrl: { value: D.oauth2TokenUrl, validate: requiredFor('oauth2TokenUrl', 'label.tokenUrl', true) },
    oauth2AuthUrl: { value: D.oauth2AuthUrl, validate: requiredFor('oauth2AuthUrl', 'label.authUrl', true) },
    oauth2Scopes: { value: D.oauth2Scopes },
    oauth2Audience: { value: D.oauth2Audience },
    oauth2Resource: { value: D.oauth2Resource },
    oauth2ClientAuth: { value: D.oauth2ClientAuth },
    oauth2Pkce: { value: D.oauth2Pkce },
    oauth2TokenPlacement: { value: D.oauth2TokenPlacement },
    oauth2HeaderPrefix: { value: D.oauth2HeaderPrefix },
    oauth2QueryParam: { value: D.oauth2QueryParam },
    oauth2TokenParams: { value: D.oauth2TokenParams },
    oauth2AuthParams: { value: D.oauth2AuthParams },
    oauth2TokenHeaders: { value: D.oauth2TokenHeaders },
    oauth2ExpiresIn: { value: D.oauth2ExpiresIn, validate: wholeNumber('label.expiresIn') },
    oauth2ExpiredStatus: { value: D.oauth2ExpiredStatus },
    awsRegion: { value: D.awsRegion, validate: requiredFor('awsRegion', 'label.awsRegion') },
    awsService: { value: D.awsService, validate: requiredFor('awsService', 'label.awsService') },
    oauth1SignatureMethod: { value: D.oauth1SignatureMethod },
    oauth1Realm: { value: D.oauth1Realm },
    oauth2ClientKeyId: { value: D.oauth2ClientKeyId },
    oauth2ClientAssertionAlg: { value: D.oauth2ClientAssertionAlg },
    oauth2AssertionIssuer: { value: D.oauth2AssertionIssuer },
    oauth2AssertionSubject: { value: D.oauth2AssertionSubject },
    oauth2AssertionAudience: { value: D.oauth2AssertionAudience },
    oauth2Dpop: { value: D.oauth2Dpop },
    tlsVerify: { value: D.tlsVerify },
    tls: { value: D.tls, type: 'tls-config', required: false },
    proxy: { value: D.proxy, type: 'http proxy', required: false },
    sharedStore: { value: D.sharedStore, type: 'rest-shared-store', required: false },
    timeout: { value: D.timeout, validate: wholeNumber('label.timeout') },
    followRedirects: { value: D.followRedirects },
    maxRedirects: { value: D.maxRedirects, validate: wholeNumber('label.maxRedirects') },
    maxResponseBytes: { value: D.maxResponseBytes, validate: wholeNumber('label.maxResponseBytes') },
    retries: { value: D.retries, validate: wholeNumber('label.retries') },
    retryDelay: { value: D.retryDelay, validate: wholeNumber('label.retryDelay') },
    signatureEnabled: { value: D.signatureEnabled },
    signatureHeader: { value: D.signatureHeader },
    signatureIssuer: { value: D.signatureIssuer },
    signatureBindRequest: { value: D.signatureBindRequest },
    concurrency: { value: D.concurrency, validate: wholeNumber('label.concurrency') },
    rateLimit: { value: D.rateLimit, validate: wholeNumber('label.rateLimit') },
    cookieJar: { value: D.cookieJar },
    cache: { value: D.cache },
    cacheMaxBytes: { value: D.cacheMaxBytes, validate: wholeNumber('label.cacheMaxBytes') },
    staleIfError: { value: D.staleIfError, validate: wholeNumber('label.staleIfError') },
    coalesce: { value: D.coalesce },
    openapi: { value: D.openapi },
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
    awsAccessKeyId: { type: 'text', validate: requiredFor('awsAccessKeyId', 'label.awsAccessKeyId') },
    awsSecretAccessKey: { type: 'password', validate: requiredFor('awsSecretAccessKey', 'label.awsSecretAccessKey') },
    awsSessionToken: { type: 'password' },
    oauth1ConsumerKey: { type: 'text', validate: requiredFor('oauth1ConsumerKey', 'label.oauth1ConsumerKey') },
    oauth1ConsumerSecret: {
      type: 'password',
      validate: requiredFor('oauth1ConsumerSecret', 'label.oauth1ConsumerSecret'),
    },
    oauth1Token: { type: 'password' },
    oauth1TokenSecret: { type: 'password' },
    oauth1PrivateKey: { type: 'password', validate: requiredFor('oauth1PrivateKey', 'label.oauth1PrivateKey') },
    secrets: { type: 'password' },
    secretEdits: { type: 'password' },
    clientPrivateKey: { type: 'password', validate: clientPrivateKeyValid },
    serviceAccountKey: { type: 'password', validate: serviceAccountKeyValid },
    dpopKey: { type: 'password' },
  },
  paletteLabel: () => t('paletteLabel'),
  label: function () {
    return this.name || (typeof this.baseUrl === 'string' && this.baseUrl) || t('paletteLabel');
  },
  oneditprepare: function () {
    setEditing(this.id);
    const tabs = createTabs();
    // Also fills what Node-RED leaves out of a new node: defaults that are 0 or false.
    createLists(this, showMigrated(this, 'node-config-input-', migrateDatasource));
    prepareAuth();
    prepareOAuthKeys();
    prepareTls();
    prepareAdvanced();
    prepareTestConnection(this);
    prepareOpenApiImport(this);
    dialog = { tabs, oauth: prepareOAuth(this) };
  },
  oneditsave: function () {
    saveLists(this);
    this.version = DATASOURCE_VERSION;
    const indexChanged = saveOpenApiIndex(this);
    // New tokens from Authorize are saved to the credential file by the next Deploy.
    if (closeDialog()) {
      RED.nodes.dirty(true);
      return true;
    }
    if (indexChanged) return true;
  },
  oneditcancel: () => {
    closeDialog();
  },
  oneditresize: () => dialog?.tabs.resize(),
});

// A 0.1.x flow holds its operation indexes inline: once the runtime keeps them in the user
// directory, the editor holds only their references, and the next deploy saves the small form.
RED.events.on('flows:loaded', moveInlineIndexes);
