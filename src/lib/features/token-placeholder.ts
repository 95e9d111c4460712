/**
 * `{{$token}}` placeholders (Jet Admin's `{-oauth_access_token-}`): a header, query parameter,
 * cookie or body value written in the datasource or the query node may contain `{{$token}}`,
 * and the current access token takes its place on the wire, at send time.
 *
 * Only configured values may ask for the token. When a flow is deployed, each configured
 * `{{$token}}` becomes a slot marker that holds a random nonce of this process; the transport
 * fills only that marker. A msg (which may carry text from anywhere) can write the literal
 * `{{$token}}` but cannot guess the marker, so it cannot make the token appear in a field the
 * API would echo back (a search term, a comment), and the token itself never enters a msg.
 */
import { randomBytes } from 'node:crypto';
import type { DatasourceDefaults } from '../http/plan';
import type { HeaderMap } from '../types';
import { setOwn } from '../own';

export const TOKEN_PLACEHOLDER = '{{$token}}';

/** In-memory form of a configured placeholder; never saved, never shown. */
export const TOKEN_SLOT = `{{$token:${randomBytes(16).toString('hex')}}}`;
const ENCODED_SLOT = encodeURIComponent(TOKEN_SLOT);
const ENCODED_PLACEHOLDER = encodeURIComponent(TOKEN_PLACEHOLDER);

function replaceAll(text: string, what: string, by: string): string {
  return text.split(what).join(by);
}

/** A configured value: its placeholders become slots. */
export function markTokenSlots(text: string): string {
  return text.includes(TOKEN_PLACEHOLDER) ? replaceAll(text, TOKEN_PLACEHOLDER, TOKEN_SLOT) : text;
}

/** A configured value of any type: only text can hold a placeholder. */
export function markValue<T>(value: T): T {
  return (typeof value === 'string' ? markTokenSlots(value) : value) as T;
}

export function hasTokenSlot(text: string): boolean {
  return text.includes(TOKEN_SLOT);
}

export function fillTokenSlots(text: string, token: string): string {
  return hasTokenSlot(text) ? replaceAll(text, TOKEN_SLOT, token) : text;
}

/** Text for people (msg.responseUrl): slots shown as the placeholder the user wrote. */
export function showTokenSlots(text: string): string {
  return replaceAll(replaceAll(text, TOKEN_SLOT, TOKEN_PLACEHOLDER), ENCODED_SLOT, ENCODED_PLACEHOLDER);
}

function markHeaders(headers: HeaderMap): HeaderMap {
  const out: HeaderMap = new Map();
  for (const [key, [name, value]] of headers) out.set(key, [name, markTokenSlots(value)]);
  return out;
}

/** The datasource's configured rows with their placeholders turned into slots. */
export function markDefaults(d: DatasourceDefaults): DatasourceDefaults {
  const params = new Map<string, string[]>();
  for (const [name, values] of d.params) params.set(name, values.map(markTokenSlots));
  const cookies = new Map<string, string>();
  for (const [name, value] of d.cookies) cookies.set(name, markTokenSlots(value));
  const body: Record<string, string> = {};
  for (const [name, value] of Object.entries(d.body)) setOwn(body, name, markTokenSlots(value));
  return { ...d, headers: markHeaders(d.headers), params, cookies, body };
}

/** Whether any configured value of the datasource asks for the token. */
export function defaultsUseToken(d: DatasourceDefaults): boolean {
  for (const [, value] of d.headers.values()) if (hasTokenSlot(value)) return true;
  for (const values of d.params.values()) if (values.some(hasTokenSlot)) return true;
  for (const value of d.cookies.values()) if (hasTokenSlot(value)) return true;
  return Object.values(d.body).some(hasTokenSlot);
}

/** Top-level text fields of an object body with their slots filled (a copy), or the body as is. */
export function fillBodySlots(body: unknown, token: string): unknown {
  if (!bodyHasSlot(body)) return body;
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const [k, v] of Object.entries(copy)) if (typeof v === 'string') copy[k] = fillTokenSlots(v, token);
  return copy;
}

export function bodyHasSlot(body: unknown): boolean {
  if (!body || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) return false;
  return Object.values(body as Record<string, unknown>).some((v) => typeof v === 'string' && hasTokenSlot(v));
}
