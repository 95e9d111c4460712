/**
 * Turns the raw properties of a `rest-datasource` (from the flow, or the editor's unsaved
 * dialog values) plus its credentials into validated, typed settings. Every error names the
 * field to fix, so a bad deploy says exactly what to change.
 */
import { configError } from './errors';
import type { NameValue } from './types';
import { parseBaseUrl } from './base-url';
import { checkHeaderName } from './http/headers';
import { setOwn } from './own';
import { oauthFormEncode } from './redact';
import { OAUTH1_SIGNATURE_METHODS, isRsaMethod, signingSecret } from './auth/oauth1';
import type { OAuth1Settings } from './auth/oauth1';
import { strictEncode } from './auth/percent';

export type AuthType = 'none' | 'basic' | 'bearer' | 'apiKey' | 'digest' | 'oauth2' | 'awsSigV4' | 'oauth1';
export type GrantType = 'client_credentials' | 'authorization_code' | 'password' | 'manual' | 'jwt_bearer';
/** How the client authenticates at the token endpoint (RFC 6749 2.3, RFC 7523 2.2, RFC 8705 2). */
export type ClientAuth = 'header' | 'body' | 'private_key_jwt' | 'client_secret_jwt' | 'tls_client_auth';
/** JWS algorithms of client and jwt_bearer assertions. */
export type AssertionAlg = 'RS256' | 'PS256' | 'ES256' | 'EdDSA' | 'HS256';

/** A datasource list row as saved in the flow. Secret rows carry no value there. */
export interface ConfigRow {
  name: string;
  value?: string;
  secret?: boolean;
}

export interface DatasourceCredentials {
  username?: string;
  password?: string;
  token?: string;
  apiKey?: string;
  clientId?: string;
  clientSecret?: string;
  accessToken?: string;
  refreshToken?: string;
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
  signatureKey?: string;
  // AWS Signature Version 4
  awsAccessKeyId?: string;
  awsSecretAccessKey?: string;
  awsSessionToken?: string;
  // OAuth 1.0a
  oauth1ConsumerKey?: string;
  oauth1ConsumerSecret?: string;
  oauth1Token?: string;
  oauth1TokenSecret?: string;
  oauth1PrivateKey?: string;
  /** PEM private key of private_key_jwt and jwt_bearer assertions */
  clientPrivateKey?: string;
  /** a Google service-account JSON key, pasted whole */
  serviceAccountKey?: string;
  /** the DPoP key pair as a private JWK (generated when empty) */
  dpopKey?: string;
  /** JSON object `{"<list>:<name>": value}` holding the values of secret rows. */
  secrets?: string;
  /** The same for the rows the dialog changed since `secrets` was saved; these win. */
  secretEdits?: string;
}

export const CREDENTIAL_NAMES: ReadonlyArray<keyof DatasourceCredentials> = [
  'username',
  'password',
  'token',
  'apiKey',
  'clientId',
  'clientSecret',
  'accessToken',
  'refreshToken',
  'ca',
  'cert',
  'key',
  'passphrase',
  'signatureKey',
  'secrets',
  'secretEdits',
  'awsAccessKeyId',
  'awsSecretAccessKey',
  'awsSessionToken',
  'oauth1ConsumerKey',
  'oauth1ConsumerSecret',
  'oauth1Token',
  'oauth1TokenSecret',
  'oauth1PrivateKey',
  'clientPrivateKey',
  'serviceAccountKey',
  'dpopKey',
];

export interface OAuth2Settings {
  grantType: GrantType;
  tokenUrl: string;
  authUrl: string;
  scopes: string[];
  audience: string;
  resource: string;
  clientAuth: ClientAuth;
  /** `kid` of client and jwt_bearer assertions ('' = none) */
  clientKeyId: string;
  clientAssertionAlg: AssertionAlg;
  /** jwt_bearer claims; '' = the default (client id, issuer, token URL) */
  assertionIssuer: string;
  assertionSubject: string;
  assertionAudience: string;
  /** DPoP (RFC 9449): sender-constrained tokens */
  dpop: boolean;
  pkce: boolean;
  tokenPlacement: 'header' | 'query';
  headerPrefix: string;
  queryParam: string;
  tokenParams: NameValue[];
  authParams: NameValue[];
  tokenHeaders: NameValue[];
  expiresIn: number;
  expiredStatus: number[];
}

export interface DatasourceSettings {
  name: string;
  baseUrl: URL;
  headers: NameValue[];
  params: NameValue[];
  cookies: NameValue[];
  body: NameValue[];
  /** values of rows marked secret: they must never be shown */
  secretValues: string[];
  /** names (lower-case headers) of secret header rows and secret param rows */
  secretHeaderNames: string[];
  secretParamNames: string[];
  /** names of secret body rows: such a body never follows a redirect to another origin */
  secretBodyNames: string[];
  authType: AuthType;
  apiKeyName: string;
  apiKeyIn: 'header' | 'query';
  apiKeyPrefix: string;
  oauth2: OAuth2Settings;
  /** AWS Signature Version 4: region and service of the credential scope. */
  aws: { region: string; service: string };
  oauth1: OAuth1Settings;
  tlsVerify: boolean;
  /** id of a Node-RED `tls-config` node used instead of the inline PEM credentials, or '' */
  tlsConfigId: string;
  /** id of a Node-RED `http proxy` node, or '' to use HTTP_PROXY / HTTPS_PROXY / NO_PROXY */
  proxyConfigId: string;
  /** id of a `rest-shared-store` node (several instances share tokens and the rate limit); empty = none */
  sharedStoreId: string;
  timeout: number;
  followRedirects: boolean;
  maxRedirects: number;
  maxResponseBytes: number;
  maxRequestBytes: number;
  retries: number;
  retryDelay: number;
  signatureEnabled: boolean;
  signatureHeader: string;
  signatureIssuer: string;
  /** Add `method` and `url_sha256` claims that bind the signature to its request. */
  signatureBindRequest: boolean;
  concurrency: number;
  rateLimit: number;
  cookieJar: boolean;
  /** `http`: a private RFC 9111 cache of GET and HEAD responses (lib/cache). */
  cache: 'off' | 'http';
  /** Most bytes of cached bodies this instance keeps for the datasource. */
  cacheMaxBytes: number;
  /** Seconds a stale stored response may answer when the API fails (RFC 5861 stale-if-error). */
  staleIfError: number;
  /** Identical GET and HEAD requests in flight share one exchange. */
  coalesce: boolean;
  credentials: DatasourceCredentials;
}

/** What the flow (or the editor) holds: loosely typed on purpose, validated below. */
export type RawConfig = Record<string, unknown>;

const AUTH_TYPES: readonly AuthType[] = ['none', 'basic', 'bearer', 'apiKey', 'digest', 'oauth2', 'awsSigV4', 'oauth1'];
const GRANT_TYPES: readonly GrantType[] = [
  'client_credentials',
  'authorization_code',
  'password',
  'manual',
  'jwt_bearer',
];
const CLIENT_AUTHS: readonly ClientAuth[] = [
  'header',
  'body',
  'private_key_jwt',
  'client_secret_jwt',
  'tls_client_auth',
];
const ASSERTION_ALGS: readonly AssertionAlg[] = ['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256'];

function str(raw: RawConfig, field: string, fallback = ''): string {
  const v = raw[field];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'string') return v.trim() === '' ? fallback : v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw configError(field, `must be text, got ${typeof v}`);
}

function bool(raw: RawConfig, field: string, fallback: boolean): boolean {
  const v = raw[field];
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw configError(field, `must be true or false, got ${JSON.stringify(v)}`);
}

/** A whole number within [min, max]; empty means the default. */
export function int(raw: RawConfig, field: string, fallback: number, min: number, max: number): number {
  const v = raw[field];
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw configError(field, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return n;
}

function oneOf<T extends string>(raw: RawConfig, field: string, allowed: readonly T[], fallback: T): T {
  const v = str(raw, field, fallback);
  if (!(allowed as readonly string[]).includes(v)) {
    throw configError(field, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

/** Parse a `{name, value}` list; empty-named rows are ignored (an unfinished editor row). */
export function rows(raw: RawConfig, field: string): NameValue[] {
  const v = raw[field];
  if (v === undefined || v === null || v === '') return [];
  if (!Array.isArray(v)) throw configError(field, 'must be a list of {name, value} rows');
  const out: NameValue[] = [];
  v.forEach((row: unknown, i: number) => {
    if (!row || typeof row !== 'object') throw configError(`${field}[${i}]`, 'must be a {name, value} row');
    const r = row as Record<string, unknown>;
    const name = typeof r.name === 'string' ? r.name.trim() : '';
    if (!name) return;
    const value = r.value === undefined || r.value === null ? '' : r.value;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw configError(`${field}[${i}] "${name}"`, 'value must be text');
    }
    out.push({ name, value: String(value) });
  });
  return out;
}

/** The key under which a secret row's value lives in the `secrets` credential. */
export function secretKey(list: string, name: string): string {
  return `${list}:${list === 'headers' ? name.toLowerCase() : name}`;
}

function parseSecretsCredential(text: string | undefined): Record<string, string> {
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
        if (typeof v === 'string') setOwn(out, k, v);
      }
      return out;
    }
  } catch {
    // fall through: reported below without echoing the (secret) text
  }
  throw configError('secrets', 'the stored secret values are not valid; re-enter the secret rows');
}

/**
 * The secret row values: the saved `secrets` with the dialog's later edits over them. The
 * editor never receives either (password credentials): it sends the values it changed in
 * `secretEdits`, and the stored ones stay where they are.
 */
export function effectiveSecrets(secrets: string | undefined, edits: string | undefined): Record<string, string> {
  const out = parseSecretsCredential(secrets);
  for (const [key, value] of Object.entries(parseSecretsCredential(edits))) setOwn(out, key, value);
  return out;
}

/** Rows of one list with secret values filled in from the credential store. */
function listWithSecrets(
  raw: RawConfig,
  list: 'headers' | 'params' | 'cookies' | 'body',
  secrets: Record<string, string>,
  secretValues: string[],
  secretNames: string[],
): NameValue[] {
  const v = raw[list];
  const parsed = rows(raw, list);
  if (!Array.isArray(v)) return parsed;
  const secretFlags = new Map<string, boolean>();
  for (const row of v as ConfigRow[]) {
    if (row && typeof row.name === 'string' && row.secret) secretFlags.set(row.name.trim(), true);
  }
  return parsed.map((row) => {
    if (!secretFlags.get(row.name)) return row;
    const value = secrets[secretKey(list, row.name)] ?? '';
    secretValues.push(value);
    secretNames.push(list === 'headers' ? row.name.toLowerCase() : row.name);
    return { name: row.name, value };
  });
}

function statusList(raw: RawConfig, field: string): number[] {
  const text = str(raw, field, '401');
  const out = text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((s) => Number(s));
  if (out.some((n) => !Number.isInteger(n) || n < 100 || n > 599)) {
    throw configError(field, `must be a comma list of HTTP status codes, got ${JSON.stringify(text)}`);
  }
  return out;
}

function credentialsOf(raw: Record<string, unknown> | undefined): DatasourceCredentials {
  const out: DatasourceCredentials = {};
  if (!raw) return out;
  for (const name of CREDENTIAL_NAMES) {
    const v = raw[name];
    if (typeof v === 'string' && v !== '') out[name] = v;
  }
  return out;
}

export function parseSettings(raw: RawConfig, rawCredentials?: Record<string, unknown>): DatasourceSettings {
  const credentials = credentialsOf(rawCredentials);
  const secrets = effectiveSecrets(credentials.secrets, credentials.secretEdits);
  const secretValues: string[] = [];
  const secretHeaderNames: string[] = [];
  const secretParamNames: string[] = [];
  const unusedNames: string[] = [];
  const secretBodyNames: string[] = [];
  const authType = oneOf(raw, 'authType', AUTH_TYPES, 'none');
  const settings: DatasourceSettings = {
    name: str(raw, 'name'),
    baseUrl: parseBaseUrl(str(raw, 'baseUrl')),
    headers: listWithSecrets(raw, 'headers', secrets, secretValues, secretHeaderNames),
    params: listWithSecrets(raw, 'params', secrets, secretValues, secretParamNames),
    cookies: listWithSecrets(raw, 'cookies', secrets, secretValues, unusedNames),
    body: listWithSecrets(raw, 'body', secrets, secretValues, secretBodyNames),
    secretValues,
    secretHeaderNames,
    secretParamNames,
    secretBodyNames,
    authType,
    apiKeyName: str(raw, 'apiKeyName', 'X-API-Key'),
    apiKeyIn: oneOf(raw, 'apiKeyIn', ['header', 'query'] as const, 'header'),
    apiKeyPrefix: typeof raw.apiKeyPrefix === 'string' ? raw.apiKeyPrefix : '',
    oauth2: {
      grantType: oneOf(raw, 'oauth2GrantType', GRANT_TYPES, 'client_credentials'),
      tokenUrl: str(raw, 'oauth2TokenUrl'),
      authUrl: str(raw, 'oauth2AuthUrl'),
      scopes: str(raw, 'oauth2Scopes')
        .split(/[\s,]+/)
        .filter(Boolean),
      audience: str(raw, 'oauth2Audience'),
      resource: str(raw, 'oauth2Resource'),
      clientAuth: oneOf(raw, 'oauth2ClientAuth', CLIENT_AUTHS, 'header'),
      clientKeyId: str(raw, 'oauth2ClientKeyId'),
      clientAssertionAlg: oneOf(
        raw,
        'oauth2ClientAssertionAlg',
        ASSERTION_ALGS,
        raw.oauth2ClientAuth === 'client_secret_jwt' ? 'HS256' : 'RS256',
      ),
      assertionIssuer: str(raw, 'oauth2AssertionIssuer'),
      assertionSubject: str(raw, 'oauth2AssertionSubject'),
      assertionAudience: str(raw, 'oauth2AssertionAudience'),
      dpop: bool(raw, 'oauth2Dpop', false),
      pkce: bool(raw, 'oauth2Pkce', true),
      tokenPlacement: oneOf(raw, 'oauth2TokenPlacement', ['header', 'query'] as const, 'header'),
      // An empty prefix is allowed (the token alone), so no fallback for an empty string.
      headerPrefix: typeof raw.oauth2HeaderPrefix === 'string' ? raw.oauth2HeaderPrefix.trim() : 'Bearer',
      queryParam: str(raw, 'oauth2QueryParam', 'access_token'),
      tokenParams: rows(raw, 'oauth2TokenParams'),
      authParams: rows(raw, 'oauth2AuthParams'),
      tokenHeaders: rows(raw, 'oauth2TokenHeaders'),
      expiresIn: int(raw, 'oauth2ExpiresIn', 3600, 1, 10 * 365 * 86400),
      expiredStatus: statusList(raw, 'oauth2ExpiredStatus'),
    },
    aws: { region: str(raw, 'awsRegion'), service: str(raw, 'awsService') },
    oauth1: {
      signatureMethod: oneOf(raw, 'oauth1SignatureMethod', OAUTH1_SIGNATURE_METHODS, 'HMAC-SHA1'),
      realm: str(raw, 'oauth1Realm'),
    },
    tlsVerify: bool(raw, 'tlsVerify', true),
    tlsConfigId: str(raw, 'tls'),
    proxyConfigId: str(raw, 'proxy'),
    sharedStoreId: str(raw, 'sharedStore'),
    timeout: int(raw, 'timeout', 30000, 1, 24 * 3600 * 1000),
    followRedirects: bool(raw, 'followRedirects', true),
    maxRedirects: int(raw, 'maxRedirects', 5, 0, 50),
    maxResponseBytes: int(raw, 'maxResponseBytes', 52428800, 1, 2 ** 31 - 1),
    maxRequestBytes: int(raw, 'maxRequestBytes', 52428800, 1, 2 ** 31 - 1),
    retries: int(raw, 'retries', 0, 0, 10),
    retryDelay: int(raw, 'retryDelay', 500, 0, 600000),
    signatureEnabled: bool(raw, 'signatureEnabled', false),
    signatureHeader: str(raw, 'signatureHeader', 'X-Signature'),
    signatureIssuer: str(raw, 'signatureIssuer', 'node-red'),
    signatureBindRequest: bool(raw, 'signatureBindRequest', true),
    concurrency: int(raw, 'concurrency', 0, 0, 10000),
    rateLimit: int(raw, 'rateLimit', 0, 0, 100000),
    cookieJar: bool(raw, 'cookieJar', false),
    cache: oneOf(raw, 'cache', ['off', 'http'] as const, 'off'),
    cacheMaxBytes: int(raw, 'cacheMaxBytes', 52428800, 0, 2 ** 31 - 1),
    staleIfError: int(raw, 'staleIfError', 0, 0, 365 * 86400),
    coalesce: bool(raw, 'coalesce', false),
    credentials,
  };
  validateAuth(settings);
  return settings;
}

function validateAuth(s: DatasourceSettings): void {
  const c = s.credentials;
  switch (s.authType) {
    case 'basic':
    case 'digest':
      if (!c.username) throw configError('username', `is required for ${s.authType} authentication`);
      break;
    case 'bearer':
      if (!c.token) throw configError('token', 'is required for bearer authentication; paste the token');
      break;
    case 'apiKey':
      if (!c.apiKey) throw configError('apiKey', 'is required for API key authentication');
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(s.apiKeyName)) {
        throw configError('apiKeyName', 'must be a valid header or parameter name');
      }
      if (s.apiKeyIn === 'header') checkHeaderName(s.apiKeyName, 'apiKeyName');
      break;
    case 'awsSigV4':
      validateAws(s);
      break;
    case 'oauth1':
      validateOAuth1(s);
      break;
    default:
      break;
  }
  if (s.signatureEnabled) checkHeaderName(s.signatureHeader, 'signatureHeader');
  for (const row of s.oauth2.tokenHeaders) checkHeaderName(row.name, 'oauth2TokenHeaders');
  if (s.signatureEnabled && (c.signatureKey ?? '').length < 32) {
    throw configError('signatureKey', 'must be at least 32 characters when signed requests are enabled');
  }
}

/** A region or service name: letters, digits and hyphens (`eu-west-1`, `execute-api`). */
const AWS_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function validateAws(s: DatasourceSettings): void {
  const c = s.credentials;
  for (const [field, value, example] of [
    ['awsRegion', s.aws.region, 'eu-west-1'],
    ['awsService', s.aws.service, 'execute-api, s3, es'],
  ] as const) {
    if (!value) throw configError(field, `is required for AWS Signature Version 4 (for example ${example})`);
    if (!AWS_NAME.test(value))
      throw configError(field, `must be letters, digits and hyphens, got ${JSON.stringify(value)}`);
  }
  if (!c.awsAccessKeyId) throw configError('awsAccessKeyId', 'is required for AWS Signature Version 4');
  if (!c.awsSecretAccessKey) throw configError('awsSecretAccessKey', 'is required for AWS Signature Version 4');
}

function validateOAuth1(s: DatasourceSettings): void {
  const c = s.credentials;
  const method = s.oauth1.signatureMethod;
  if (!c.oauth1ConsumerKey) throw configError('oauth1ConsumerKey', 'is required for OAuth 1.0a');
  // The RSA methods sign with the private key (parsed when the datasource starts); the others with the secrets.
  if (!isRsaMethod(method) && !c.oauth1ConsumerSecret) {
    throw configError('oauth1ConsumerSecret', `is required for ${method}`);
  }
  if (!isRsaMethod(method) && c.oauth1Token && !c.oauth1TokenSecret) {
    throw configError('oauth1TokenSecret', 'is required with a token (leave both empty for two-legged OAuth)');
  }
  if (isRsaMethod(method) && !c.oauth1PrivateKey) {
    throw configError('oauth1PrivateKey', `is required for ${method}: paste the PEM private key`);
  }
}

/** Credential names whose values are secrets; the others (user name, client id, CA, certificate) are identifiers. */
export const SECRET_CREDENTIAL_NAMES: ReadonlyArray<keyof DatasourceCredentials> = [
  'password',
  'token',
  'apiKey',
  'clientSecret',
  'accessToken',
  'refreshToken',
  'key',
  'passphrase',
  'signatureKey',
  'awsSecretAccessKey',
  'awsSessionToken',
  'oauth1ConsumerSecret',
  'oauth1Token',
  'oauth1TokenSecret',
  'oauth1PrivateKey',
  'clientPrivateKey',
  'serviceAccountKey',
  'dpopKey',
];

/** Base64 of a Basic `id:secret` pair, plain and with both parts form-encoded (RFC 6749 2.3.1). */
function basicForms(id: string | undefined, secret: string | undefined): string[] {
  if (!secret) return [];
  const user = id ?? '';
  return [`${user}:${secret}`, `${oauthFormEncode(user)}:${oauthFormEncode(secret)}`].map((pair) =>
    Buffer.from(pair).toString('base64'),
  );
}

/** The OAuth 1.0a PLAINTEXT signature (both secrets joined), and as it appears encoded in the header. */
function oauth1Forms(consumerSecret: string | undefined, tokenSecret: string | undefined): string[] {
  if (!consumerSecret && !tokenSecret) return [];
  const joined = signingSecret(consumerSecret ?? '', tokenSecret ?? '');
  return [joined, strictEncode(joined)];
}

/** Every secret of these settings, with the derived forms a request carries, for the redactor. */
export function secretsOf(s: DatasourceSettings): string[] {
  const c = s.credentials;
  const out = [...SECRET_CREDENTIAL_NAMES.map((name) => c[name]), ...s.secretValues].filter(
    (v): v is string => typeof v === 'string' && v !== '',
  );
  out.push(...basicForms(c.username, c.password), ...basicForms(c.clientId, c.clientSecret));
  out.push(...oauth1Forms(c.oauth1ConsumerSecret, c.oauth1TokenSecret));
  out.push(...serviceAccountSecrets(c.serviceAccountKey));
  return [...new Set(out)];
}

/**
 * The secret values among raw credentials (an editor's dialog values, a node that failed to
 * deploy): what to mask when no settings could be parsed. Identifiers stay readable.
 */
export function secretCredentialValues(raw: Record<string, unknown>): string[] {
  const values = SECRET_CREDENTIAL_NAMES.map((name) => raw[name]);
  for (const blob of [raw.secrets, raw.secretEdits]) {
    if (typeof blob !== 'string') continue;
    try {
      const rows: unknown = JSON.parse(blob);
      if (rows && typeof rows === 'object') values.push(...Object.values(rows as Record<string, unknown>));
    } catch {
      values.push(blob);
    }
  }
  const text = (v: unknown): v is string => typeof v === 'string' && v !== '';
  const out = values.filter(text);
  const id = (name: string) => (text(raw[name]) ? raw[name] : undefined);
  out.push(...basicForms(id('username'), id('password')), ...basicForms(id('clientId'), id('clientSecret')));
  out.push(...oauth1Forms(id('oauth1ConsumerSecret'), id('oauth1TokenSecret')));
  out.push(...serviceAccountSecrets(id('serviceAccountKey')));
  return out;
}

/** The private key inside a pasted service-account JSON key (its text differs from the JSON's). */
function serviceAccountSecrets(text: string | undefined): string[] {
  if (!text) return [];
  try {
    const parsed = JSON.parse(text) as { private_key?: unknown };
    return typeof parsed.private_key === 'string' && parsed.private_key ? [parsed.private_key] : [];
  } catch {
    return [];
  }
}
