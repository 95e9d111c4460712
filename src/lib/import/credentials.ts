/**
 * Finds the credentials in an imported request (user and password, an Authorization header, an
 * API-key header or query parameter, cookies) and moves them out of the query: the first one
 * becomes the datasource's auth, the others secret rows. Either way the values end up in the
 * datasource's credentials, never in a flow property.
 */
import { secretKey } from '../settings';
import type { AuthType } from '../settings';
import type { DatasourceProposal, DatasourceRow, ProposedCredentials } from './types';
import type { NameValue } from '../types';
import { curlNotice } from './notices';
import type { Notice } from './notices';

/** Header or parameter names that carry a secret. */
const SECRET_NAME =
  /api[-_]?key|token|secret|passw(or)?d|session|signature|credential|access[-_]?key|(^|[-_])(key|sig|sid|auth)$/i;

export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * Body field names that carry a secret. Stricter than for headers and parameters: bodies hold
 * data too (`key`, `session`, `max_tokens`, `token_type_hint` are common and not secrets).
 */
const SECRET_FIELD = /passw(or)?d|secret|api[-_]?key|access[-_]?key|private[-_]?key|token|credential|[-_]key$/i;
const NOT_SECRET_FIELD = /tokens$|[-_](type|hint|count|limit|url|uri)$/i;

export function looksSecretField(name: string): boolean {
  return SECRET_FIELD.test(name) && !NOT_SECRET_FIELD.test(name);
}

export interface FoundCredentials {
  /** `-u user[:password]` */
  user?: { username: string; password?: string; digest: boolean };
  /** `--oauth2-bearer` */
  bearer?: string;
  /** `--aws-sigv4 aws:amz:REGION:SERVICE`: `-u` then holds the access key ID and secret */
  aws?: { region: string; service: string };
  headers: NameValue[];
  params: NameValue[];
  cookies: NameValue[];
  /** body fields with secret-looking names (already taken out of the payload) */
  body?: NameValue[];
}

export interface SplitCredentials {
  auth: Pick<DatasourceProposal, 'authType' | 'apiKeyName' | 'apiKeyIn' | 'apiKeyPrefix' | 'awsRegion' | 'awsService'>;
  credentials: ProposedCredentials;
  secretRows: { headers: DatasourceRow[]; params: DatasourceRow[]; cookies: DatasourceRow[]; body: DatasourceRow[] };
  /** what stays in the query, in order */
  headers: NameValue[];
  params: NameValue[];
  /** one notice per credential found, without its value */
  found: Notice[];
}

function decodeBasic(value: string): { username: string; password: string } | undefined {
  const text = Buffer.from(value, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  // Only a value the datasource writes back the same way: canonical base64 (no regex: a
  // `/=+$/` over the value is quadratic on a long run of `=`), and a user name (the datasource
  // refuses an empty one).
  if (colon <= 0 || Buffer.from(text, 'utf8').toString('base64') !== value) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

export function splitCredentials(input: FoundCredentials): SplitCredentials {
  let authType: AuthType = 'none';
  const auth: SplitCredentials['auth'] = { authType };
  const credentials: ProposedCredentials = {};
  const secrets: Record<string, string> = {};
  const secretRows: SplitCredentials['secretRows'] = { headers: [], params: [], cookies: [], body: [] };
  const found: Notice[] = [];
  const headers: NameValue[] = [];
  const params: NameValue[] = [];

  const setAuth = (type: AuthType, what: Notice): boolean => {
    if (authType !== 'none') return false;
    authType = type;
    auth.authType = type;
    found.push(what);
    return true;
  };
  const secretRow = (list: 'headers' | 'params' | 'cookies' | 'body', row: NameValue, what: Notice) => {
    secretRows[list].push({ name: row.name, secret: true });
    secrets[secretKey(list, row.name)] = row.value;
    found.push(what);
  };

  if (input.aws && setAuth('awsSigV4', curlNotice('awsSigV4'))) {
    // AWS Signature Version 4: the keys of -u, the session token of an X-Amz-Security-Token header.
    auth.awsRegion = input.aws.region;
    auth.awsService = input.aws.service;
    if (input.user) credentials.awsAccessKeyId = input.user.username;
    if (input.user?.password !== undefined) credentials.awsSecretAccessKey = input.user.password;
    const token = input.headers.findIndex((h) => h.name.toLowerCase() === 'x-amz-security-token');
    if (token >= 0) credentials.awsSessionToken = input.headers.splice(token, 1)[0].value;
  } else if (input.user && input.user.username === '' && !input.user.digest) {
    // `-u :password`: the datasource's Basic auth needs a user name, so the header curl sends
    // (`Basic` of ":password") becomes a secret header row instead.
    const value = 'Basic ' + Buffer.from(':' + (input.user.password ?? ''), 'utf8').toString('base64');
    secretRow('headers', { name: 'Authorization', value }, curlNotice('emptyUser'));
  } else if (input.user) {
    setAuth(
      input.user.digest ? 'digest' : 'basic',
      curlNotice('user', { scheme: input.user.digest ? 'Digest' : 'Basic' }),
    );
    credentials.username = input.user.username;
    if (input.user.password !== undefined) credentials.password = input.user.password;
  }
  if (input.bearer !== undefined && setAuth('bearer', curlNotice('oauth2Bearer'))) credentials.token = input.bearer;

  for (const h of input.headers) {
    const lower = h.name.toLowerCase();
    if (lower === 'authorization') {
      // The datasource writes `Bearer <token>` and `Basic <base64>`: other spellings stay rows, as sent.
      const space = h.value.indexOf(' ');
      const scheme = space > 0 ? h.value.slice(0, space) : '';
      const rest = space > 0 ? h.value.slice(space + 1) : '';
      if (scheme === 'Bearer' && rest && !rest.includes(' ') && setAuth('bearer', curlNotice('bearerHeader'))) {
        credentials.token = rest;
        continue;
      }
      const basic = scheme === 'Basic' ? decodeBasic(rest) : undefined;
      if (basic && setAuth('basic', curlNotice('basicHeader'))) {
        credentials.username = basic.username;
        credentials.password = basic.password;
        continue;
      }
      secretRow('headers', h, curlNotice('authorizationRow'));
      continue;
    }
    if (lower === 'cookie') continue; // merged into input.cookies by the caller
    if (lower === 'proxy-authorization') {
      // a credential for a proxy, never the API's auth: a secret row sends it as written
      secretRow('headers', h, curlNotice('secretHeader', { name: h.name }));
      continue;
    }
    if (looksSecret(h.name)) {
      if (setAuth('apiKey', curlNotice('apiKeyHeader', { name: h.name }))) {
        auth.apiKeyName = h.name;
        auth.apiKeyIn = 'header';
        credentials.apiKey = h.value;
      } else secretRow('headers', h, curlNotice('secretHeader', { name: h.name }));
      continue;
    }
    headers.push(h);
  }
  for (const p of input.params) {
    if (!looksSecret(p.name)) {
      params.push(p);
      continue;
    }
    if (setAuth('apiKey', curlNotice('apiKeyParam', { name: p.name }))) {
      auth.apiKeyName = p.name;
      auth.apiKeyIn = 'query';
      credentials.apiKey = p.value;
    } else secretRow('params', p, curlNotice('secretParam', { name: p.name }));
  }
  for (const c of input.cookies) secretRow('cookies', c, curlNotice('secretCookie', { name: c.name }));
  for (const b of input.body ?? []) secretRow('body', b, curlNotice('secretBodyField', { name: b.name }));
  if (Object.keys(secrets).length) credentials.secrets = JSON.stringify(secrets);
  return { auth, credentials, secretRows, headers, params, found };
}
