/**
 * An error out of axios (an AxiosError, a CanceledError, or a plain error of the transport) as
 * the package's RestError with a stable code. Nothing of the axios error travels on: its
 * `config` holds the request headers (credentials) and `request`/`response` the sockets, so a
 * flow only ever sees the new RestError with a message built here.
 */
import { isAxiosError, isCancel } from 'axios';
import { configError, fromNetworkError, RestError } from '../errors';

export interface ErrorLimits {
  maxResponseBytes: number;
  maxRequestBytes: number;
}

/** Why an exchange was aborted: reported as the matching stable code. */
export const TIMEOUT = Symbol('timeout');
export const CLOSED = Symbol('closed');

export function abortError(reason: unknown, url: string): RestError {
  if (reason === TIMEOUT) return new RestError('ETIMEDOUT', `request to ${url} timed out`);
  return new RestError('ABORTED', `request to ${url} was aborted because the datasource was redeployed or stopped`);
}

/**
 * `aborted`: the exchange signal's state. An aborted exchange is reported as the abort
 * (ETIMEDOUT or ABORTED, from the signal's reason) whatever error the abort caused on its
 * way out: axios' ERR_CANCELED, a destroyed socket, a half-read body.
 */
export function fromAxiosError(
  err: unknown,
  url: string,
  limits: ErrorLimits,
  signal: { aborted: boolean; reason?: unknown },
): RestError {
  if (err instanceof RestError) return err;
  if (signal.aborted) return abortError(signal.reason, url);
  // A cancellation that did not come from the exchange signal (axios' CancelToken is not used
  // by the package, so this is defensive): still an abort, never an unmapped CanceledError.
  if (isCancel(err)) return abortError(undefined, url);
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (/maxContentLength/.test(message)) {
    return new RestError(
      'RESPONSE_TOO_LARGE',
      `the response from ${url} is larger than the limit of ${limits.maxResponseBytes} bytes (maxResponseBytes)`,
    );
  }
  if (/maxBodyLength/.test(message)) {
    return new RestError(
      'REQUEST_TOO_LARGE',
      `the request body is larger than the datasource's limit of ${limits.maxRequestBytes} bytes (maxRequestBytes)`,
    );
  }
  if (isAxiosError(err)) {
    switch (code) {
      case 'ERR_FR_TOO_MANY_REDIRECTS':
        return new RestError('TOO_MANY_REDIRECTS', `too many redirects from ${url}`);
      case 'ERR_BAD_RESPONSE':
        // The body stream ended early ("stream has been aborted"), or the response could not
        // be read: the connection failed mid-answer.
        if (/abort/i.test(message))
          return new RestError('ECONNRESET', `connection to ${url} closed before the response was complete`);
        return new RestError('NETWORK_ERROR', `the response from ${url} could not be read: ${message}`);
      case 'ERR_INVALID_URL':
      case 'ERR_NOT_SUPPORT':
        // axios refused the address before sending anything.
        return configError('baseUrl', `axios cannot send a request to ${url}: ${message} (${code})`);
      default:
      // ECONNREFUSED, ECONNRESET, TLS codes, ECONNABORTED, ERR_NETWORK, ERR_BAD_REQUEST...:
      // axios keeps the socket's code on the AxiosError and the original error as its cause;
      // fromNetworkError maps those and names any other code in a NETWORK_ERROR.
    }
  }
  return fromNetworkError(err, url);
}
