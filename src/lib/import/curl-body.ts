/**
 * The body of a curl command: `--data-urlencode` parts, and the body type and payload its
 * Content-Type gives (curl's default is a form).
 */
import type { NeedsFile } from './types';
import type { BodyType, NameValue } from '../types';

/** `--data-urlencode` content: `content`, `=content`, `name=content`, `@file`, `name@file`. */
export function urlencodePart(value: string, files: NeedsFile[], flag: string): string | undefined {
  const eq = value.indexOf('=');
  const at = value.indexOf('@');
  if (at >= 0 && (eq < 0 || at < eq)) {
    files.push({ flag, field: value.slice(0, at) || undefined, path: value.slice(at + 1) });
    return undefined;
  }
  if (eq < 0) return encodeURIComponent(value);
  const name = value.slice(0, eq);
  return (name ? name + '=' : '') + encodeURIComponent(value.slice(eq + 1));
}

function formPairs(text: string): NameValue[] | undefined {
  if (!text || !/^[^=&]+=/.test(text)) return undefined;
  const pairs: NameValue[] = [];
  for (const [name, value] of new URLSearchParams(text)) pairs.push({ name, value });
  const names = new Set(pairs.map((p) => p.name));
  return names.size === pairs.length ? pairs : undefined;
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
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
    const pairs = formPairs(text);
    // Pairs in order, with distinct names, are an object; anything else is sent as written.
    return { bodyType: 'form', payload: pairs ? Object.fromEntries(pairs.map((p) => [p.name, p.value])) : text };
  }
  if (type.startsWith('text/')) return { bodyType: 'text', payload: text };
  return { bodyType: 'binary', payload: text };
}

/** What a Content-Type header adds nothing to, given the body type (the body sets it itself). */
export function impliedContentType(bodyType: BodyType, value: string): boolean {
  const v = value.toLowerCase().trim();
  if (bodyType === 'json') return v === 'application/json' || v === 'application/json; charset=utf-8';
  if (bodyType === 'form') return v.startsWith('application/x-www-form-urlencoded');
  if (bodyType === 'multipart') return v.startsWith('multipart/form-data');
  return false;
}
