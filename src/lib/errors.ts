/**
 * The one error type the package raises. `code` is one of the stable codes documented in
 * docs/query.md (and CONTRACT.md); flows switch on it in Catch nodes, so never rename a code.
 */
export type ErrorCode =
  | 'CONFIG_ERROR'
  | 'ORIGIN_REFUSED'
  | 'HTTP_ERROR'
  | 'TOKEN_ERROR'
  | 'RESPONSE_TOO_LARGE'
  | 'REQUEST_TOO_LARGE'
  | 'PARSE_ERROR'
  | 'TLS_ERROR'
  | 'PROXY_ERROR'
  | 'TOO_MANY_REDIRECTS'
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'ETIMEDOUT'
  | 'ENOTFOUND'
  | 'ABORTED'
  | 'NETWORK_ERROR';

export interface RestErrorDetails {
  statusCode?: number;
  attempts?: number;
  field?: string;
}

export class RestError extends Error {
  readonly code: ErrorCode;
  statusCode?: number;
  attempts?: number;
  field?: string;

  constructor(code: ErrorCode, message: string, details: RestErrorDetails = {}) {
    super(message);
    this.name = 'RestError';
    this.code = code;
    if (details.statusCode !== undefined) this.statusCode = details.statusCode;
    if (details.attempts !== undefined) this.attempts = details.attempts;
    if (details.field !== undefined) this.field = details.field;
  }

  /** What Node-RED shows in the debug sidebar and gives a Catch node as msg.error.message. */
  override toString(): string {
    return `${this.code}: ${this.message}`;
  }
}

/** A configuration mistake, always naming the field to fix. */
export function configError(field: string, problem: string): RestError {
  return new RestError('CONFIG_ERROR', `${field}: ${problem}`, { field });
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'EPROTO',
]);

const UNKNOWN_ISSUER = 'the server certificate is signed by an unknown authority; add the issuing CA on the TLS tab';
const CLIENT_CERT_REQUIRED =
  'the server requires a client certificate; set the client certificate and key on the TLS tab';
const CLIENT_CERT_REFUSED = 'the server did not accept the client certificate; check that its CA trusts it';

const TLS_HINTS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT:
    'the server uses a self-signed certificate; add it as the CA certificate on the TLS tab, or turn off "Verify server certificate" for testing',
  SELF_SIGNED_CERT_IN_CHAIN:
    'the server certificate chain ends in an untrusted root; add that root as the CA certificate on the TLS tab',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNKNOWN_ISSUER,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNKNOWN_ISSUER,
  UNABLE_TO_GET_ISSUER_CERT:
    'the server sent an incomplete certificate chain; add the intermediate and root CA on the TLS tab',
  CERT_HAS_EXPIRED: 'the server certificate has expired',
  CERT_NOT_YET_VALID: 'the server certificate is not valid yet; check the clock of this machine',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the server certificate is not valid for this host name',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: CLIENT_CERT_REQUIRED,
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE:
    'the server refused the TLS handshake; it may require a client certificate or a protocol this client does not offer',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: CLIENT_CERT_REFUSED,
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: CLIENT_CERT_REFUSED,
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: CLIENT_CERT_REFUSED,
  ERR_SSL_WRONG_VERSION_NUMBER: 'the server did not answer with TLS; is this an http:// address?',
};

/** The readable part of an OpenSSL message ("…:SSL routines:fn:reason:file:line…"). */
function openSslReason(raw: string): string {
  const m = /SSL routines:[^:]*:([^:]+)/.exec(raw);
  return m ? m[1].trim() : raw.trim();
}

/** `host:port` of an http(s) URL, with the port its scheme implies when none is written. */
export function hostAndPort(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`;
  } catch {
    return undefined;
  }
}

/** Map a low-level socket/TLS error to a RestError with a stable code and a helpful message. */
export function fromNetworkError(err: unknown, url: string): RestError {
  if (err instanceof RestError) return err;
  const e = err as { code?: unknown; message?: unknown; name?: unknown; cause?: unknown };
  const cause = e.cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e.code === 'string' ? e.code : typeof cause?.code === 'string' ? cause.code : '';
  const raw = typeof e.message === 'string' ? e.message : String(err);
  if (code === 'ECONNREFUSED') {
    const at = hostAndPort(url);
    const hint = at ? `: nothing accepts connections at ${at}; check the Base URL and that the API is running` : '';
    return new RestError('ECONNREFUSED', `connection refused by ${url}${hint}`);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || raw === 'socket hang up')
    return new RestError('ECONNRESET', `connection reset by ${url}`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new RestError('ENOTFOUND', `host not found: ${url}`);
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') return new RestError('ETIMEDOUT', `request to ${url} timed out`);
  if (code === 'PROXY_ERROR') return new RestError('PROXY_ERROR', `request to ${url} failed: ${raw}`);
  if (TLS_CODES.has(code) || /^ERR_(SSL|TLS)_/.test(code) || /certificate|SSL|TLS/i.test(raw)) {
    let hint = TLS_HINTS[code] ?? openSslReason(raw);
    // Node's host-name check carries the certificate: say which names it does cover.
    type WithCert = { cert?: { subjectaltname?: unknown; subject?: { CN?: unknown } } };
    const cert = (e as WithCert).cert ?? (cause as WithCert | undefined)?.cert;
    const names = cert?.subjectaltname ?? (cert?.subject?.CN ? `CN=${String(cert.subject.CN)}` : undefined);
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' && typeof names === 'string') hint += ` (it is for ${names})`;
    return new RestError('TLS_ERROR', `TLS error talking to ${url}: ${hint} (${code || 'TLS'})`);
  }
  return new RestError('NETWORK_ERROR', `request to ${url} failed: ${code ? code + ' ' : ''}${raw}`);
}
