/**
 * The body of a curl command: `--data-urlencode` parts, the body type and payload its
 * Content-Type gives (curl's default is a form), and the secret-looking fields that must leave
 * the payload for the datasource's secret body rows.
 */
import type { NeedsFile } from './types';
import type { BodyType, NameValue } from '../types';
import { curlEscape, queryPairs } from './curl-exact';
import { looksSecretField as looksSecret } from './credentials';

/**
 * `--data-urlencode` content: `content`, `=content`, `name=content`, `@file`, `name@file`
 * (`@-` is standard input: the command's here-document or here-string when it has one).
 */
export function urlencodePart(value: string, files: NeedsFile[], flag: string, stdin?: string): string | undefined {
  const eq = value.indexOf('=');
  const at = value.indexOf('@');
  if (at >= 0 && (eq < 0 || at < eq)) {
    const name = value.slice(0, at);
    if (value.slice(at + 1) === '-' && stdin !== undefined) return (name ? name + '=' : '') + curlEscape(stdin);
    files.push({ flag, field: name || undefined, path: value.slice(at + 1) });
    return undefined;
  }
  if (eq < 0) return curlEscape(value);
  const name = value.slice(0, eq);
  return (name ? name + '=' : '') + curlEscape(value.slice(eq + 1));
}

/** Form fields when the runtime's encoding of them gives back `text` exactly (distinct names). */
function exactForm(text: string): NameValue[] | undefined {
  const pairs = queryPairs(text);
  if (!pairs.length || pairs.some((p) => !p.exact)) return undefined;
  const names = new Set(pairs.map((p) => p.name));
  return names.size === pairs.length ? pairs.map(({ name, value }) => ({ name, value })) : undefined;
}

/** A form's fields however written (for taking secret fields out), or undefined. */
function anyForm(text: string): NameValue[] | undefined {
  const pairs = queryPairs(text);
  if (!pairs.length || pairs.some((p) => !p.raw.includes('='))) return undefined;
  return pairs.map(({ name, value }) => ({ name, value }));
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `{…}` or `[…]` that parses as JSON. */
export function looksLikeJson(text: string): boolean {
  const t = text.trim();
  if (!((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']')))) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

/** Body type and payload for the data of a command, from its Content-Type (curl's default: a form). */
export function bodyOf(
  text: string,
  contentType: string | undefined,
  isJson: boolean,
): { bodyType: BodyType; payload: unknown } {
  const type = (contentType ?? (isJson ? 'application/json' : 'application/x-www-form-urlencoded')).toLowerCase();
  if (/[/+]json\b/.test(type)) return { bodyType: 'json', payload: jsonOrText(text) };
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const pairs = exactForm(text);
    // An object when the query sends it back byte for byte; anything else is sent as written.
    return { bodyType: 'form', payload: pairs ? Object.fromEntries(pairs.map((p) => [p.name, p.value])) : text };
  }
  if (type.startsWith('text/')) return { bodyType: 'text', payload: text };
  return { bodyType: 'binary', payload: text };
}

/** What a Content-Type header adds nothing to, given the body type (the body sets exactly it). */
export function impliedContentType(bodyType: BodyType, value: string): boolean {
  const v = value.trim();
  if (bodyType === 'json') return v === 'application/json';
  if (bodyType === 'form') return v === 'application/x-www-form-urlencoded';
  // curl sends its own boundary whatever the header says, and so does the query
  if (bodyType === 'multipart') return v.toLowerCase().startsWith('multipart/form-data');
  return false;
}

const MAX_DEPTH = 20;

/** Remove secret-looking keys below the top level; their paths go to `leftOut`. */
function dropNested(value: unknown, path: string, leftOut: string[], depth: number): void {
  if (!value || typeof value !== 'object' || depth > MAX_DEPTH) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => dropNested(v, `${path}[${i}]`, leftOut, depth + 1));
    return;
  }
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (looksSecret(key) && typeof o[key] === 'string') {
      delete o[key];
      leftOut.push(`${path}.${key}`);
    } else dropNested(o[key], `${path}.${key}`, leftOut, depth + 1);
  }
}

/**
 * Secret-looking fields of a form, multipart or JSON object body: top-level ones become secret
 * body rows of the datasource (it adds them to every body), nested ones are left out. A form
 * written so that only its text reproduces it is taken apart when it has such a field.
 */
export function takeSecretFields(
  payload: unknown,
  bodyType: BodyType,
): { payload: unknown; secrets: NameValue[]; leftOut: string[]; reencoded: boolean } {
  const secrets: NameValue[] = [];
  const leftOut: string[] = [];
  let value = payload;
  let reencoded = false;
  if (bodyType === 'form' && typeof value === 'string') {
    const pairs = anyForm(value);
    if (!pairs || !pairs.some((p) => looksSecret(p.name))) return { payload, secrets, leftOut, reencoded };
    value = Object.fromEntries(pairs.map((p) => [p.name, p.value]));
    reencoded = true;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    if (Array.isArray(value)) value.forEach((v, i) => dropNested(v, `[${i}]`, leftOut, 1));
    return { payload: value, secrets, leftOut, reencoded };
  }
  if (!['form', 'multipart', 'json'].includes(bodyType)) return { payload, secrets, leftOut, reencoded };
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (looksSecret(name) && typeof v === 'string') {
      secrets.push({ name, value: String(v) });
    } else {
      if (bodyType === 'json') dropNested(v, name, leftOut, 1);
      out[name] = v;
    }
  }
  return { payload: out, secrets, leftOut, reencoded };
}
