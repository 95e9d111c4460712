/**
 * Response decoding (auto, json, text, binary) and the shaping of a response into the fields
 * a flow reads from the output message.
 */
import { isUtf8 } from 'node:buffer';
import { RestError } from '../errors';
import type { ResponseType } from '../types';
import { setOwn } from '../own';

const JSON_CT = /^application\/(?:[\w.+-]*\+)?json|^text\/json/i;
const TEXT_CT =
  /^text\/|^application\/(?:[\w.+-]*\+)?(?:xml|javascript|ecmascript|x-www-form-urlencoded|yaml|x-yaml|csv|graphql)|charset=/i;

function headerText(v: string | string[] | undefined): string {
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

// An API answers with the same content type over and over: remember the last one.
let lastContentType = '';
let lastCharset = 'utf-8';

function charsetOf(contentType: string): string {
  if (contentType === lastContentType) return lastCharset;
  const m = /charset\s*=\s*"?([\w.:-]+)"?/i.exec(contentType);
  lastCharset = m ? m[1].toLowerCase() : 'utf-8';
  lastContentType = contentType;
  return lastCharset;
}

const decoders = new Map<string, TextDecoder>();

export function decodeText(body: Buffer, contentType: string): string {
  const charset = charsetOf(contentType);
  if (charset === 'utf-8' || charset === 'utf8') return body.toString('utf8');
  let decoder = decoders.get(charset);
  if (!decoder) {
    try {
      decoder = new TextDecoder(charset);
    } catch {
      return body.toString('utf8');
    }
    decoders.set(charset, decoder);
  }
  return decoder.decode(body);
}

/**
 * Decode a body. Auto: JSON by content type, text for text types (and for untyped valid
 * UTF-8), a Buffer otherwise. Empty bodies: '' (auto, text), null (json), an empty Buffer (binary).
 * In auto mode a JSON content type with a body that is not JSON falls back to text; with
 * `json` it is a PARSE_ERROR.
 */
export function decodeBody(
  body: Buffer,
  headers: Record<string, string | string[]>,
  responseType: ResponseType,
): unknown {
  const contentType = headerText(headers['content-type']);
  switch (responseType) {
    case 'binary':
      return body;
    case 'text':
      return decodeText(body, contentType);
    case 'json': {
      const text = decodeText(body, contentType);
      if (text.trim() === '') return null;
      try {
        return JSON.parse(text) as unknown;
      } catch (e) {
        throw new RestError('PARSE_ERROR', `the response is not valid JSON (${(e as Error).message})`);
      }
    }
    default: {
      if (body.length === 0) return '';
      if (JSON_CT.test(contentType)) {
        const text = decodeText(body, contentType);
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return text;
        }
      }
      if (TEXT_CT.test(contentType)) return decodeText(body, contentType);
      // No content type at all: text when the bytes are valid UTF-8, else a Buffer.
      if (!contentType && isUtf8(body)) return body.toString('utf8');
      return body;
    }
  }
}

export interface ResponseCookie {
  value: string;
  [attribute: string]: string | boolean;
}

/** Parse Set-Cookie headers into `{name: {value, path, expires, httponly, ...}}` like Node-RED's core node. */
export function parseSetCookies(setCookie: string | string[] | undefined): Record<string, ResponseCookie> {
  const out: Record<string, ResponseCookie> = {};
  if (!setCookie) return out;
  for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
    const parts = line.split(';');
    const first = parts.shift() ?? '';
    const eq = first.indexOf('=');
    if (eq <= 0) continue;
    const name = first.slice(0, eq).trim();
    let value = first.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep it as sent
    }
    const cookie: ResponseCookie = { value };
    for (const attr of parts) {
      const i = attr.indexOf('=');
      const key = (i < 0 ? attr : attr.slice(0, i)).trim().toLowerCase();
      if (!key) continue;
      setOwn(cookie, key, i < 0 ? true : attr.slice(i + 1).trim());
    }
    setOwn(out, name, cookie);
  }
  return out;
}

export function isSuccess(statusCode: number): boolean {
  return statusCode >= 200 && statusCode < 300;
}
