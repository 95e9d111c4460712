/**
 * Retry policy: which failures are worth another attempt, and how long to wait.
 * Idempotent methods retry network errors, 429 and 5xx; POST and PATCH only retry failures
 * where the request certainly never reached the server (refused connection, unknown host).
 */
import type { ErrorCode } from '../errors';
import type { HttpMethod } from '../types';

const IDEMPOTENT = new Set<HttpMethod>(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const NEVER_SENT = new Set<ErrorCode>(['ECONNREFUSED', 'ENOTFOUND']);
const TRANSIENT = new Set<ErrorCode>(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'NETWORK_ERROR']);

/** The longest wait a Retry-After header can impose. */
export const RETRY_AFTER_CAP_MS = 60_000;

export function retryableError(method: HttpMethod, code: ErrorCode): boolean {
  return IDEMPOTENT.has(method) ? TRANSIENT.has(code) : NEVER_SENT.has(code);
}

export function retryableStatus(method: HttpMethod, status: number): boolean {
  if (!IDEMPOTENT.has(method)) return false;
  return status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/** Seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\s*\d+\s*$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with jitter: between half and all of base * 2^(attempt-1). */
export function backoff(baseMs: number, attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, RETRY_AFTER_CAP_MS);
  const full = baseMs * 2 ** (attempt - 1);
  return Math.round(full / 2 + (Math.random() * full) / 2);
}
