/**
 * curl command → datasource and query proposal. Text in, data out: nothing named in the command
 * is run, read or fetched. What the command does that a query cannot (files, output options,
 * proxies, client certificates) is listed in `ignored` or `files`, never dropped silently.
 */
import { splitShellWords, ShellSyntaxError } from './shell-words';
import { CurlSyntaxError, parseCurlArgs, valueIsShowable } from './curl-flags';
import type { ParsedOption } from './curl-flags';
import { looksSecret, splitCredentials } from './credentials';
import type { FoundCredentials } from './credentials';
import { splitBaseUrl } from './base-path';
import { bodyOf, impliedContentType, looksLikeJson, takeSecretFields, urlencodePart } from './curl-body';
import { cookieNames, exactCookies, exactRows, lowerEscapes, queryPairs, rawQueryOf } from './curl-exact';
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
  /**
   * A form body that looks like JSON (`-d '{…}'` without a JSON Content-Type): what "send as
   * JSON" sets instead (body type json, the parsed object as msg.payload). curl itself sends a form.
   */
  asJson?: { bodyType: 'json'; payload: unknown };
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

/** Leading blank lines and `# …` comment lines, which bash skips, removed (an index loop). */
function skipLeadingComments(text: string): string {
  let at = 0;
  for (;;) {
    let k = at;
    while (k < text.length && (text[k] === ' ' || text[k] === '\t' || text[k] === '\r')) k++;
    if (k < text.length && text[k] !== '\n' && text[k] !== '#') return text.slice(k);
    const nl = text.indexOf('\n', k);
    if (nl < 0) return '';
    at = nl + 1;
  }
}

/** What the input starts with instead of curl, for the message. */
function foundInstead(program: string | undefined, rest: string): string {
  if (program) return JSON.stringify(program.length > 40 ? program.slice(0, 40) + '…' : program);
  if (rest) return JSON.stringify(rest.length > 40 ? rest.slice(0, 40) + '…' : rest);
  return 'only comments or blank lines';
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
    split = splitShellWords(skipLeadingComments(command).replace(/^[$%>][ \t]+/, ''));
  } catch (err) {
    throw new CurlImportError(`command: ${err instanceof ShellSyntaxError ? err.message : String(err)}`);
  }
  const [program, ...args] = split.words;
  if (!program || !(program === 'curl' || program === 'curl.exe' || program.endsWith('/curl'))) {
    throw new CurlImportError(`command: must start with curl, found ${foundInstead(program, split.rest)}`);
  }
  const stdin = split.stdin;
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
  /** `-b` texts (curl joins them with `;`) and a Cookie header (which replaces them) */
  const cookieTexts: string[] = [];
  let cookieHeaderText: string | undefined;
  const urlQuery: string[] = [];
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
  /** `@-` reads standard input: the here-document or here-string, when the command has one. */
  const fromStdin = (value: string): string | undefined => (value === '@-' && stdin !== undefined ? stdin : undefined);
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
          if (name.toLowerCase() === 'cookie') cookieHeaderText = v;
          else if (name.toLowerCase() === 'host') ignored.push({ flag: o.flag, value, ...reason('hostHeader') });
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
        if (value.includes('=')) cookieTexts.push(value);
        else ignored.push({ flag: o.flag, value, ...reason('cookieFile') });
        break;
      case 'data':
      case 'data-binary': {
        const text = fromStdin(value) ?? value;
        if (text === value && value.startsWith('@')) files.push({ flag: o.flag, path: value.slice(1) });
        // -d drops carriage returns and newlines (also of a file or standard input); --data-binary keeps them.
        else data.push({ flag: o.flag, text: o.option === 'data' ? withoutLineBreaks(text) : text, glue: '&' });
        break;
      }
      case 'data-raw':
        data.push({ flag: o.flag, text: value, glue: '&' });
        break;
      case 'data-urlencode': {
        const text = urlencodePart(value, files, o.flag, stdin);
        if (text !== undefined) data.push({ flag: o.flag, text, glue: '&' });
        break;
      }
      case 'url-query': {
        // like --data-urlencode, and `+content` as written
        const text = value.startsWith('+') ? value.slice(1) : urlencodePart(value, files, o.flag, stdin);
        if (text !== undefined) urlQuery.push(text);
        break;
      }
      case 'range':
        headers.push({ name: 'Range', value: 'bytes=' + value });
        break;
      case 'json': {
        json = true;
        const text = fromStdin(value) ?? value;
        if (text === value && value.startsWith('@')) files.push({ flag: o.flag, path: value.slice(1) });
        else data.push({ flag: o.flag, text, glue: '' });
        break;
      }
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
          // `;type=…` and other attributes follow the file name (indexOf: `/;.*$/` is quadratic on a run of `;`)
          const semi = content.indexOf(';');
          files.push({ flag: o.flag, field: name, path: content.slice(1, semi < 0 ? undefined : semi) });
          break;
        }
        const typeAt = o.option === 'form' ? content.lastIndexOf(';type=') : -1;
        if (typeAt >= 0 && !content.includes(';', typeAt + 1)) {
          content = content.slice(0, typeAt);
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
        // A credential in an option we do not import is never echoed: the flag only.
        if (o.value !== undefined && !valueIsShowable(o.flag))
          ignored.push({ flag: o.flag, ...reason('unsupportedSecret') });
        else ignored.push({ flag: o.flag, value: o.value, ...reason('unsupported') });
    }
  }
  if (user) user.digest = digest;

  if (urls.length === 0) throw new CurlImportError('command: has no URL');
  if (urls.length > 1) {
    for (const extra of urls.slice(1)) ignored.push({ flag: extra, ...reason('extraUrl') });
  }
  const url = parseUrl(urls[0]);
  const writtenQuery = rawQueryOf(urls[0]);
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

  // The query as curl sends it: the URL's as written, then with -G the data, then --url-query
  // parts (curl writes the escapes of what it appends in lower case).
  const dataText = data.map((d, i) => (i === 0 ? '' : d.glue) + d.text).join('');
  const appended = [...(get && data.length ? [dataText] : []), ...urlQuery].map(lowerEscapes);
  const queryText = [writtenQuery, ...appended].filter((q) => q !== '').join('&');
  const pairs = queryPairs(queryText);
  let bodyType: BodyType = 'none';
  let payload: unknown;
  let asJson: CurlImport['asJson'];
  const contentTypeRow = headers.find((h) => h.name.toLowerCase() === 'content-type');
  if (data.length && !get) {
    ({ bodyType, payload } = bodyOf(dataText, contentTypeRow?.value, json));
    if (bodyType === 'form' && typeof payload === 'string' && looksLikeJson(payload)) {
      warnings.push(curlNotice('jsonAsForm'));
      asJson = { bodyType: 'json', payload: JSON.parse(payload) };
    }
  } else if (form.length || files.some((f) => f.flag === '-F' || f.flag === '--form')) {
    bodyType = 'multipart';
    const fields: Record<string, string> = {};
    for (const f of form) {
      if (Object.prototype.hasOwnProperty.call(fields, f.name))
        warnings.push(curlNotice('repeatedField', { name: f.name }));
      fields[f.name] = f.value;
    }
    payload = fields;
  }
  // Secret-looking body fields go to the datasource's secret body rows, never the flow.
  const body = takeSecretFields(payload, bodyType);
  payload = body.payload;
  if (body.reencoded) warnings.push(curlNotice('formReencoded'));
  if (asJson) asJson.payload = takeSecretFields(asJson.payload, 'json').payload;
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

  // Query parameters: a secret-looking name given once is a credential; the rest are rows
  // when rows send the same bytes, else the query text stays in the path as written.
  const credentialParams: NameValue[] = [];
  const counts = new Map<string, number>();
  for (const p of pairs) counts.set(p.name, (counts.get(p.name) ?? 0) + 1);
  const warnedRepeat = new Set<string>();
  const plainPairs = pairs.filter((p) => {
    if (!p.exact || !looksSecret(p.name)) return true;
    if ((counts.get(p.name) ?? 0) > 1) {
      if (!warnedRepeat.has(p.name)) warnings.push(curlNotice('repeatedSecret', { name: p.name }));
      warnedRepeat.add(p.name);
      return true;
    }
    credentialParams.push({ name: p.name, value: p.value });
    return false;
  });
  const rows = exactRows(plainPairs);
  const queryInPath = rows ? '' : plainPairs.map((p) => p.raw).join('&');
  const encoded = urlEncodes(queryInPath);
  if (encoded) warnings.push(curlNotice('queryEncoded', { chars: encoded }));

  // Cookies: a Cookie header replaces every -b; several -b are joined with `;`.
  const cookieText = cookieHeaderText ?? (cookieTexts.length ? cookieTexts.join(';') : undefined);
  const cookies = cookieText === undefined ? [] : exactCookies(cookieText);
  const cookieRow = cookieText !== undefined && !cookies ? { name: 'Cookie', value: cookieText } : undefined;

  const creds = splitCredentials({
    user,
    bearer,
    aws,
    headers,
    params: credentialParams,
    cookies: cookies ?? [],
    body: body.secrets,
  });
  if (cookieRow) {
    creds.secretRows.headers.push({ name: 'Cookie', secret: true });
    const secrets = creds.credentials.secrets ? (JSON.parse(creds.credentials.secrets) as Record<string, string>) : {};
    secrets['headers:cookie'] = cookieRow.value;
    creds.credentials.secrets = JSON.stringify(secrets);
    creds.found.push(curlNotice('cookieHeader', { names: cookieNames(cookieRow.value).join(', ') }));
  }
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
  if (creds.secretRows.body.length) datasource.body = creds.secretRows.body;
  for (const leftOut of body.leftOut) creds.found.push(curlNotice('secretBodyLeftOut', { name: leftOut }));

  const queryRows: QueryRow[] = (rows ?? []).map((r) =>
    r.values.length === 1
      ? { name: r.name, value: r.values[0], valueType: 'str' }
      : { name: r.name, value: JSON.stringify(r.values), valueType: 'json' },
  );
  const query: QueryProposal = {
    method: finalMethod as HttpMethod,
    path: base.path + (queryInPath ? '?' + queryInPath : ''),
    headers: queryHeaders.map(row),
    params: queryRows,
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
    ...(asJson ? { asJson } : {}),
    files,
    ignored,
    credentialsFound: creds.found,
    warnings,
  };
}

/** Characters of a query text that URL parsing percent-encodes (curl sends them as written). */
function urlEncodes(query: string): string {
  const found = new Set<string>();
  for (const c of query) {
    if (c === ' ' || c === '"' || c === '<' || c === '>' || c === "'" || c === '`' || c > '~' || c < ' ') found.add(c);
  }
  return [...found].map((c) => JSON.stringify(c)).join(' ');
}

/** Text without CR and LF, as `-d` sends it (an index loop over unbounded input). */
function withoutLineBreaks(text: string): string {
  if (!text.includes('\n') && !text.includes('\r')) return text;
  let out = '';
  for (const c of text) if (c !== '\n' && c !== '\r') out += c;
  return out;
}
