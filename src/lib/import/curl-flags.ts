/**
 * The curl options the importer knows, by every name curl accepts for them. `arg` says whether
 * the option takes a value (so `-XPOST`, `-H 'a: b'` and clusters like `-sSL` split right).
 * Options that only change what curl prints or stores are `output`: they do not change the
 * request, and are listed to the user as such. Everything else curl has is `unknown`.
 */
export type CurlOption =
  | 'request'
  | 'header'
  | 'cookie'
  | 'data'
  | 'data-raw'
  | 'data-binary'
  | 'data-urlencode'
  | 'json'
  | 'form'
  | 'form-string'
  | 'get'
  | 'head'
  | 'user'
  | 'basic'
  | 'digest'
  | 'oauth2-bearer'
  | 'insecure'
  | 'compressed'
  | 'location'
  | 'max-redirs'
  | 'url'
  | 'user-agent'
  | 'referer'
  | 'max-time'
  | 'upload-file'
  | 'url-query'
  | 'range'
  | 'aws-sigv4'
  | 'output';

interface OptionSpec {
  option: CurlOption;
  arg: boolean;
}

const LONG: Record<string, OptionSpec> = {
  request: { option: 'request', arg: true },
  header: { option: 'header', arg: true },
  cookie: { option: 'cookie', arg: true },
  data: { option: 'data', arg: true },
  'data-ascii': { option: 'data', arg: true },
  'data-raw': { option: 'data-raw', arg: true },
  'data-binary': { option: 'data-binary', arg: true },
  'data-urlencode': { option: 'data-urlencode', arg: true },
  json: { option: 'json', arg: true },
  form: { option: 'form', arg: true },
  'form-string': { option: 'form-string', arg: true },
  get: { option: 'get', arg: false },
  head: { option: 'head', arg: false },
  user: { option: 'user', arg: true },
  basic: { option: 'basic', arg: false },
  digest: { option: 'digest', arg: false },
  'oauth2-bearer': { option: 'oauth2-bearer', arg: true },
  insecure: { option: 'insecure', arg: false },
  compressed: { option: 'compressed', arg: false },
  location: { option: 'location', arg: false },
  'max-redirs': { option: 'max-redirs', arg: true },
  url: { option: 'url', arg: true },
  'user-agent': { option: 'user-agent', arg: true },
  referer: { option: 'referer', arg: true },
  'max-time': { option: 'max-time', arg: true },
  'upload-file': { option: 'upload-file', arg: true },
  'url-query': { option: 'url-query', arg: true },
  range: { option: 'range', arg: true },
  // AWS Signature Version 4: `provider1[:provider2[:region[:service]]]`, keys from --user
  'aws-sigv4': { option: 'aws-sigv4', arg: true },
  // Output only: they change what curl shows or writes, not what it sends.
  silent: { option: 'output', arg: false },
  'show-error': { option: 'output', arg: false },
  verbose: { option: 'output', arg: false },
  include: { option: 'output', arg: false },
  output: { option: 'output', arg: true },
  'remote-name': { option: 'output', arg: false },
  'write-out': { option: 'output', arg: true },
  'progress-bar': { option: 'output', arg: false },
  'no-progress-meter': { option: 'output', arg: false },
  fail: { option: 'output', arg: false },
  'fail-with-body': { option: 'output', arg: false },
  trace: { option: 'output', arg: true },
  'trace-ascii': { option: 'output', arg: true },
  'dump-header': { option: 'output', arg: true },
  globoff: { option: 'output', arg: false },
};

const SHORT: Record<string, string> = {
  X: 'request',
  H: 'header',
  b: 'cookie',
  d: 'data',
  F: 'form',
  G: 'get',
  I: 'head',
  u: 'user',
  k: 'insecure',
  L: 'location',
  A: 'user-agent',
  e: 'referer',
  m: 'max-time',
  T: 'upload-file',
  r: 'range',
  s: 'silent',
  S: 'show-error',
  v: 'verbose',
  i: 'include',
  o: 'output',
  O: 'remote-name',
  w: 'write-out',
  '#': 'progress-bar',
  f: 'fail',
  D: 'dump-header',
  g: 'globoff',
};

/** Short options of curl that take a value; needed to split an unknown cluster correctly. */
const SHORT_WITH_ARG_UNKNOWN = new Set(['c', 'E', 'K', 'x', 'U', 'y', 'Y', 'z', 'C', 'P', 'Q', 't']);

/**
 * Options we do not import whose value is, or may hold, a credential (a proxy or TLS password,
 * `user:password`, a proxy URL with user info): `ignored` names the flag, never the value.
 */
const SECRET_VALUE = new Set([
  '--proxy-user',
  '-U',
  '--cert',
  '-E',
  '--pass',
  '--proxy-pass',
  '--key',
  '--proxy-key',
  '--proxy-cert',
  '--tlspassword',
  '--tlsuser',
  '--proxy-tlspassword',
  '--proxy-tlsuser',
  '--proxy',
  '-x',
  '--preproxy',
  '--oauth2-bearer',
  '--login-options',
  '--variable',
]);

/** Whether `ignored` may show the value of this flag (as written) to the user. */
export function valueIsShowable(flag: string): boolean {
  return !SECRET_VALUE.has(flag);
}
/** Long options of curl that take a value but that we do not import (so the value is not a URL). */
const LONG_WITH_ARG_UNKNOWN = new Set([
  'cacert',
  'capath',
  'cert',
  'key',
  'pass',
  'proxy-pass',
  'proxy-key',
  'proxy-cert',
  'tlspassword',
  'tlsuser',
  'proxy-tlspassword',
  'proxy-tlsuser',
  'preproxy',
  'netrc-file',
  'login-options',
  'cert-type',
  'key-type',
  'proxy',
  'proxy-user',
  'noproxy',
  'connect-timeout',
  'cookie-jar',
  'config',
  'resolve',
  'connect-to',
  'interface',
  'retry',
  'retry-delay',
  'retry-max-time',
  'limit-rate',
  'max-filesize',
  'ciphers',
  'proto',
  'proto-redir',
  'unix-socket',
  'abstract-unix-socket',
  'request-target',
  'time-cond',
  'variable',
  'expand-url',
  'dns-servers',
  'doh-url',
  'ntlm',
  'keepalive-time',
]);

/** One option as written in the command. */
export interface ParsedOption {
  /** as the user wrote it, e.g. `-H` or `--header` */
  flag: string;
  option: CurlOption | 'unknown';
  value?: string;
}

export class CurlSyntaxError extends Error {}

/** Split curl's arguments into options (with values) and URLs. */
export function parseCurlArgs(args: string[]): { options: ParsedOption[]; urls: string[] } {
  const options: ParsedOption[] = [];
  const urls: string[] = [];
  const takeValue = (flag: string, i: number): string => {
    if (i >= args.length) throw new CurlSyntaxError(`${flag} needs a value`);
    return args[i];
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      urls.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const name = arg.slice(2);
      const spec = LONG[name];
      if (spec) {
        options.push({ flag: arg, option: spec.option, value: spec.arg ? takeValue(arg, ++i) : undefined });
      } else {
        const value = LONG_WITH_ARG_UNKNOWN.has(name) ? takeValue(arg, ++i) : undefined;
        options.push({ flag: arg, option: 'unknown', value });
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // A cluster: -sSL, -XPOST, -H'a: b'. An option that takes a value takes the rest of the word.
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j];
        const flag = '-' + letter;
        const long = SHORT[letter];
        const spec = long ? LONG[long] : undefined;
        const takes = spec ? spec.arg : SHORT_WITH_ARG_UNKNOWN.has(letter);
        let value: string | undefined;
        if (takes) value = j + 1 < arg.length ? arg.slice(j + 1) : takeValue(flag, ++i);
        options.push({ flag, option: spec ? spec.option : 'unknown', value });
        if (takes) break;
      }
      continue;
    }
    urls.push(arg);
  }
  return { options, urls };
}
