/**
 * curl command → datasource and query proposal. Text in, data out: nothing named in the command
 * is run, read or fetched. What the command does that a query cannot (files, output options,
 * proxies, client certificates) is listed in `ignored` or `files`, never dropped silently.
 */
import { splitShellWords, ShellSyntaxError } from './shell-words';
import { CurlSyntaxError, parseCurlArgs } from './curl-flags';
import type { ParsedOption } from './curl-flags';
import { splitCredentials } from './credentials';
import type { FoundCredentials } from './credentials';
import { splitBaseUrl } from './base-path';
import { bodyOf, impliedContentType, urlencodePart } from './curl-body';
import type { DatasourceProposal, Ignored, NeedsFile, QueryProposal, QueryRow } from './types';
import type { BodyType, HttpMethod, NameValue } from '../types';
import { HTTP_METHODS } from '../types';
import { curlNotice } from './notices';
import type { CURL_NOTICES, Notice } from './notices';

/** The `code` and English `reason` of something not imported. */
const reason = (code: keyof typeof CURL_NOTICES): Pick<Ignored, 'code' | 'reason'> => {
  const n = curlNotice(code);
  return { code: n.code, reason: n.text };
};

export interface CurlImport {
  /** the request URL as written (scheme added when missing) */
  url: string;
  /** true when `query.path` is relative to the given datasource base URL */
  underDatasource: boolean;
  datasource: DatasourceProposal;
  query: QueryProposal;
  /** the body to send as msg.payload (an object for JSON, form and multipart bodies) */
  payload?: unknown;
  files: NeedsFile[];
  ignored: Ignored[];
  /** credentials found, by kind (never their values) */
  credentialsFound: Notice[];
  warnings: Notice[];
}

export class CurlImportError extends Error {}

/** Largest command accepted (a browser's copy of a big upload can be large, but not this). */
export const MAX_COMMAND_CHARS = 2 * 1024 * 1024;

interface DataPart {
  flag: string;
  text: string;
  /** joined with `&` (data options) or with nothing (`--json`) */
  glue: '&' | '';
}

const row = (nv: NameValue): QueryRow => ({ name: nv.name, value: nv.value, valueType: 'str' });

function parseCookieText(text: string): NameValue[] {
  return text
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0 ? { name: part, value: '' } : { name: part.slice(0, eq).trim(), value: part.slice(eq + 1).trim() };
    });
}

function parseUrl(text: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : 'http://' + text;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new CurlImportError(`"${text}" is not a URL curl could request`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CurlImportError(`only http:// and https:// URLs can be imported, not ${url.protocol}`);
  }
  return url;
}

export interface CurlImportOptions {
  /** base URL of the datasource the query will use, if any */
  datasourceBaseUrl?: string;
}

export function importCurl(command: string, options: CurlImportOptions = {}): CurlImport {
  if (typeof command !== 'string' || !command.trim()) throw new CurlImportError('command: paste a curl command');
  if (command.length > MAX_COMMAND_CHARS) {
    throw new CurlImportError(`command: longer than ${MAX_COMMAND_CHARS} characters; shorten the body`);
  }
  if (/\^\r?\n/.test(command) && !/\\\r?\n/.test(command)) {
    throw new CurlImportError(
      'command: this looks like Windows cmd syntax (lines end in ^); copy as cURL (bash) instead',
    );
  }
  let split;
  try {
    split = splitShellWords(command.replace(/^\s*[$%>]\s+/, ''));
  } catch (err) {
    throw new CurlImportError(`command: ${err instanceof ShellSyntaxError ? err.message : String(err)}`);
  }
  const [program, ...args] = split.words;
  if (!program || !/(^|\/)curl(\.exe)?$/.test(program)) {
    throw new CurlImportError(`command: must start with curl, found ${JSON.stringify(program ?? '')}`);
  }
  let parsed;
  try {
    parsed = parseCurlArgs(args);
  } catch (err) {
    throw new CurlImportError(`command: ${err instanceof CurlSyntaxError ? err.message : String(err)}`);
  }
  const ignored: Ignored[] = [];
  const warnings: Notice[] = [];
  const files: NeedsFile[] = [];
  if (split.rest) ignored.push({ flag: split.rest, ...reason('notCommand') });
  for (const word of split.unexpanded) {
    warnings.push(curlNotice('unexpanded', { word: JSON.stringify(word) }));
  }

  const urls = [...parsed.urls];
  let method: string | undefined;
  let get = false;
  let head = false;
  const headers: NameValue[] = [];
  const cookies: NameValue[] = [];
  const data: DataPart[] = [];
  const form: NameValue[] = [];
  let json = false;
  let user: FoundCredentials['user'];
  let digest = false;
  let bearer: string | undefined;
  let aws: { region: string; service: string } | undefined;
  const datasourceExtras: Partial<DatasourceProposal> = {};
  let timeout: number | undefined;

  const take = (o: ParsedOption): string => o.value ?? '';
  for (const o of parsed.options) {
    const value = take(o);
    switch (o.option) {
      case 'url':
        urls.push(value);
        break;
      case 'request':
        method = value.toUpperCase();
        break;
      case 'header': {
        if (value.startsWith('@')) {
          files.push({ flag: o.flag, path: value.slice(1) });
          break;
        }
        const colon = value.indexOf(':');
        const semi = value.indexOf(';');
        if (colon < 0 && semi === value.length - 1) headers.push({ name: value.slice(0, -1).trim(), value: '' });
        else if (colon < 0) ignored.push({ flag: o.flag, value, ...reason('notHeader') });
        else if (value.slice(colon + 1).trim() === '')
          ignored.push({ flag: o.flag, value, ...reason('removesHeader') });
        else {
          const name = value.slice(0, colon).trim();
          const v = value.slice(colon + 1).trim();
          if (name.toLowerCase() === 'cookie') cookies.push(...parseCookieText(v));
          else headers.push({ name, value: v });
        }
        break;
      }
      case 'user-agent':
        headers.push({ name: 'User-Agent', value });
        break;
      case 'referer':
        headers.push({ name: 'Referer', value: value.replace(/;auto$/, '') });
        break;
      case 'cookie':
        if (value.includes('=')) cookies.push(...parseCookieText(value));
        else ignored.push({ flag: o.flag, value, ...reason('cookieFile') });
        break;
      case 'data':
      case 'data-binary':
        if (value.startsWith('@')) files.push({ flag: o.flag, path: value.slice(1) });
        else data.push({ flag: o.flag, text: o.option === 'data' ? value.replace(/[\r\n]/g, '') : value, glue: '&' });
        break;
      case 'data-raw':
        data.push({ flag: o.flag, text: value, glue: '&' });
        break;
      case 'data-urlencode': {
        const text = urlencodePart(value, files, o.flag);
        if (text !== undefined) data.push({ flag: o.flag, text, glue: '&' });
        break;
      }
      case 'json':
        json = true;
        if (value.startsWith('@')) files.push({ flag: o.flag, path: value.slice(1) });
        else data.push({ flag: o.flag, text: value, glue: '' });
        break;
      case 'form':
      case 'form-string': {
        const eq = value.indexOf('=');
        if (eq < 0) {
          ignored.push({ flag: o.flag, value, ...reason('notField') });
          break;
        }
        const name = value.slice(0, eq);
        let content = value.slice(eq + 1);
        if (o.option === 'form' && (content.startsWith('@') || content.startsWith('<'))) {
          files.push({ flag: o.flag, field: name, path: content.slice(1).replace(/;.*$/, '') });
          break;
        }
        if (o.option === 'form' && /;type=[^;]*$/.test(content)) {
          content = content.replace(/;type=[^;]*$/, '');
          warnings.push(curlNotice('fieldType', { flag: o.flag, name }));
        }
        form.push({ name, value: content });
        break;
      }
      case 'get':
        get = true;
        break;
      case 'head':
        head = true;
        break;
      case 'user': {
        const colon = value.indexOf(':');
        user =
          colon < 0
            ? { username: value, digest: false }
            : { username: value.slice(0, colon), password: value.slice(colon + 1), digest: false };
        if (colon < 0) warnings.push(curlNotice('noPassword'));
        break;
      }
      case 'basic':
        digest = false;
        break;
      case 'digest':
        digest = true;
        break;
      case 'oauth2-bearer':
        bearer = value;
        break;
      case 'aws-sigv4': {
        // curl: "aws:amz:REGION:SERVICE"; without region and service it reads them from the host.
        const [, , region = '', service = ''] = value.split(':');
        aws = { region, service };
        break;
      }
      case 'insecure':
        datasourceExtras.tlsVerify = false;
        warnings.push(curlNotice('insecure'));
        break;
      case 'compressed':
        ignored.push({ flag: o.flag, ...reason('compressed') });
        break;
      case 'location':
        datasourceExtras.followRedirects = true;
        break;
      case 'max-redirs': {
        const n = Number(value);
        if (Number.isInteger(n) && n >= 0 && n <= 50) datasourceExtras.maxRedirects = n;
        else ignored.push({ flag: o.flag, value, ...reason('maxRedirs') });
        break;
      }
      case 'max-time': {
        const seconds = Number(value);
        if (Number.isFinite(seconds) && seconds > 0) timeout = Math.round(seconds * 1000);
        else ignored.push({ flag: o.flag, value, ...reason('maxTime') });
        break;
      }
      case 'upload-file':
        files.push({ flag: o.flag, path: value });
        if (!method) method = 'PUT';
        break;
      case 'output':
        ignored.push({ flag: o.flag, value: o.value, ...reason('output') });
        break;
      default:
        ignored.push({ flag: o.flag, value: o.value, ...reason('unsupported') });
    }
  }
  if (user) user.digest = digest;

  if (urls.length === 0) throw new CurlImportError('command: has no URL');
  if (urls.length > 1) {
    for (const extra of urls.slice(1)) ignored.push({ flag: extra, ...reason('extraUrl') });
  }
  const url = parseUrl(urls[0]);
  if (url.username || url.password) {
    user = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password), digest };
    url.username = '';
    url.password = '';
  }
  if (url.hash) url.hash = '';
  if (aws && (!aws.region || !aws.service)) {
    // As curl does: <service>.<region>.<provider>.<tld> (e.g. abc.execute-api.eu-west-1.amazonaws.com).
    const labels = url.hostname.split('.');
    const at = labels.length >= 4 ? labels.length - 4 : -1;
    if (at >= 0) aws = { service: aws.service || labels[at], region: aws.region || labels[at + 1] };
    if (!aws.region || !aws.service) warnings.push(curlNotice('awsScope'));
  }

  // Query parameters: those of the URL, then with -G the data.
  const params: NameValue[] = [];
  for (const [name, value] of url.searchParams) params.push({ name, value });
  const dataText = data.map((d, i) => (i === 0 ? '' : d.glue) + d.text).join('');
  let bodyType: BodyType = 'none';
  let payload: unknown;
  const contentTypeRow = headers.find((h) => h.name.toLowerCase() === 'content-type');
  if (get && data.length) {
    for (const [name, value] of new URLSearchParams(dataText)) params.push({ name, value });
  } else if (data.length) {
    ({ bodyType, payload } = bodyOf(dataText, contentTypeRow?.value, json));
  } else if (form.length || files.some((f) => f.flag === '-F' || f.flag === '--form')) {
    bodyType = 'multipart';
    payload = Object.fromEntries(form.map((f) => [f.name, f.value]));
  }
  if (json) {
    if (!contentTypeRow) headers.push({ name: 'Content-Type', value: 'application/json' });
    if (!headers.some((h) => h.name.toLowerCase() === 'accept'))
      headers.push({ name: 'Accept', value: 'application/json' });
  }
  if (data.length && form.length) warnings.push(curlNotice('dataAndForm'));

  const sendsData =
    (data.length > 0 && !get) ||
    bodyType === 'multipart' ||
    files.some((f) => f.flag === '-T' || f.flag === '--upload-file');
  const finalMethod = method ?? (head ? 'HEAD' : get ? 'GET' : sendsData ? 'POST' : 'GET');
  if (!(HTTP_METHODS as readonly string[]).includes(finalMethod)) {
    throw new CurlImportError(`-X ${finalMethod}: the query supports ${HTTP_METHODS.join(', ')}`);
  }
  if ((finalMethod === 'GET' || finalMethod === 'HEAD') && bodyType !== 'none') {
    warnings.push(curlNotice('bodyIgnored', { method: finalMethod }));
  }

  const creds = splitCredentials({ user, bearer, aws, headers, params, cookies });
  // A Content-Type the body type sets by itself needs no row.
  const queryHeaders = creds.headers.filter(
    (h) => !(h.name.toLowerCase() === 'content-type' && impliedContentType(bodyType, h.value)),
  );

  const base = splitBaseUrl(url, options.datasourceBaseUrl);
  const datasource: DatasourceProposal = {
    baseUrl: base.baseUrl,
    ...creds.auth,
    credentials: creds.credentials,
    ...datasourceExtras,
  };
  if (creds.secretRows.headers.length) datasource.headers = creds.secretRows.headers;
  if (creds.secretRows.params.length) datasource.params = creds.secretRows.params;
  if (creds.secretRows.cookies.length) datasource.cookies = creds.secretRows.cookies;

  const query: QueryProposal = {
    method: finalMethod as HttpMethod,
    path: base.path,
    headers: queryHeaders.map(row),
    params: creds.params.map(row),
    cookies: [],
    bodyType,
  };
  if (timeout !== undefined) query.timeout = timeout;
  return {
    url: url.toString(),
    underDatasource: base.underDatasource,
    datasource,
    query,
    payload,
    files,
    ignored,
    credentialsFound: creds.found,
    warnings,
  };
}
