/**
 * Body encoders. Every body becomes a Buffer here, so the transport always knows its exact
 * length and nothing re-encodes it later.
 */
import { randomBytes } from 'node:crypto';
import { configError } from '../errors';
import type { BodyType } from '../types';

export interface EncodedBody {
  data: Buffer;
  /** The content type to send unless the request already names one. */
  contentType?: string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

function toText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function formEncode(fields: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      parts.push(encodeURIComponent(name) + '=' + encodeURIComponent(v === null ? '' : toText(v)));
    }
  }
  return parts.join('&');
}

interface MultipartPart {
  value: Buffer | string;
  filename?: string;
  contentType?: string;
}

function quote(text: string): string {
  return text.replace(/[\r\n"]/g, (c) => (c === '"' ? '%22' : c === '\r' ? '%0D' : '%0A'));
}

function toPart(name: string, v: unknown): MultipartPart {
  if (Buffer.isBuffer(v)) return { value: v, filename: name, contentType: 'application/octet-stream' };
  if (isPlainObject(v) && 'value' in v) {
    const options = isPlainObject(v.options) ? v.options : {};
    const inner = v.value;
    return {
      value: Buffer.isBuffer(inner) ? inner : toText(inner),
      filename: typeof options.filename === 'string' ? options.filename : undefined,
      contentType: typeof options.contentType === 'string' ? options.contentType : undefined,
    };
  }
  if (isPlainObject(v) || Array.isArray(v)) return { value: JSON.stringify(v), contentType: 'application/json' };
  return { value: toText(v) };
}

export function multipartEncode(fields: Record<string, unknown>): EncodedBody {
  const boundary = '----NodeREDFormBoundary' + randomBytes(12).toString('hex');
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    // An array of files or values repeats the field, except a {value, options} part.
    const list = Array.isArray(value) ? value : [value];
    for (const item of list) {
      const part = toPart(name, item);
      let head = `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"`;
      if (part.filename !== undefined) head += `; filename="${quote(part.filename)}"`;
      head += '\r\n';
      if (part.contentType) head += `Content-Type: ${part.contentType.replace(/[\r\n]/g, '')}\r\n`;
      chunks.push(
        Buffer.from(head + '\r\n'),
        Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value),
        Buffer.from('\r\n'),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { data: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

const JSON_TYPE = 'application/json';

/**
 * Encode `value` as `bodyType`. `auto`: Buffer → binary, string → text, anything else → JSON.
 * A string given for json/form is taken as already encoded.
 */
export function encodeBody(value: unknown, bodyType: BodyType): EncodedBody | undefined {
  if (bodyType === 'none' || value === undefined || value === null) return undefined;
  switch (bodyType) {
    case 'auto':
      if (Buffer.isBuffer(value)) return { data: value, contentType: 'application/octet-stream' };
      if (typeof value === 'string') return { data: Buffer.from(value), contentType: 'text/plain; charset=utf-8' };
      return { data: Buffer.from(JSON.stringify(value)), contentType: JSON_TYPE };
    case 'json':
      if (typeof value === 'string') return { data: Buffer.from(value), contentType: JSON_TYPE };
      if (Buffer.isBuffer(value)) return { data: value, contentType: JSON_TYPE };
      return { data: Buffer.from(JSON.stringify(value)), contentType: JSON_TYPE };
    case 'form':
      if (typeof value === 'string' || Buffer.isBuffer(value)) {
        return {
          data: Buffer.isBuffer(value) ? value : Buffer.from(value),
          contentType: 'application/x-www-form-urlencoded',
        };
      }
      if (!isPlainObject(value)) throw configError('msg.payload', 'a form body must be an object of fields');
      return { data: Buffer.from(formEncode(value)), contentType: 'application/x-www-form-urlencoded' };
    case 'multipart':
      if (!isPlainObject(value)) {
        throw configError(
          'msg.payload',
          'a multipart body must be an object of fields (text, Buffer, or {value, options})',
        );
      }
      return multipartEncode(value);
    case 'text':
      return { data: Buffer.from(toText(value)), contentType: 'text/plain; charset=utf-8' };
    case 'binary':
      if (Buffer.isBuffer(value)) return { data: value, contentType: 'application/octet-stream' };
      if (typeof value === 'string') return { data: Buffer.from(value), contentType: 'application/octet-stream' };
      throw configError('msg.payload', 'a binary body must be a Buffer or a string');
    default:
      throw configError('bodyType', `unknown body type ${JSON.stringify(bodyType)}`);
  }
}

/** Datasource body fields go under an object payload (payload fields win). */
export function mergeBodyFields(fields: Record<string, string>, payload: unknown, hasFields: boolean): unknown {
  if (!hasFields) return payload;
  if (payload === undefined || payload === null || payload === '') return { ...fields };
  if (isPlainObject(payload)) return { ...fields, ...payload };
  return payload;
}
