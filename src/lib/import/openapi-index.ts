/**
 * The compact operation index of an OpenAPI 3.x or Swagger 2.0 description: one small record
 * per operation, with just what the query dialog's picker shows and fills.
 */
import { isObject } from './openapi-load';
import { plainText } from './plain-text';
import type { Json, JsonObject, Spec } from './openapi-load';
import type { IndexedOperation, IndexedParam, OperationBodyType, OperationMethod } from './operation-types';

export type { IndexedOperation, IndexedParam };

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;
/** Descriptions are cut here: the index is small (it is sent to the editor), the description is not. */
export const MAX_TEXT = 120;

function short(v: Json | undefined): string {
  if (typeof v !== 'string') return '';
  // HTML and Markdown as text: the picker shows one line per operation
  const line = plainText(v);
  return line.length > MAX_TEXT ? line.slice(0, MAX_TEXT - 1) + '…' : line;
}

/** Body type for a list of media types, the first JSON-ish one winning. */
export function bodyTypeOf(mediaTypes: string[]): OperationBodyType {
  const types = mediaTypes.map((t) => t.toLowerCase());
  if (!types.length) return 'none';
  if (types.some((t) => /^application\/(.+\+)?json\b/.test(t) || t === '*/*')) return 'json';
  if (types.some((t) => t.startsWith('application/x-www-form-urlencoded'))) return 'form';
  if (types.some((t) => t.startsWith('multipart/'))) return 'multipart';
  if (types.some((t) => t.startsWith('text/'))) return 'text';
  return 'binary';
}

function defaultOf(o: JsonObject): string | undefined {
  const only = Array.isArray(o.enum) && o.enum.length === 1 ? o.enum[0] : undefined;
  const v = o.default ?? only;
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function paramOf(spec: Spec, raw: unknown): (IndexedParam & { body?: true; form?: true }) | undefined {
  const p = spec.follow(raw);
  if (!isObject(p) || typeof p.name !== 'string' || typeof p.in !== 'string') return undefined;
  if (p.in === 'body') return { name: p.name, in: 'query', body: true };
  if (p.in === 'formData') return { name: p.name, in: 'query', form: true };
  if (!['path', 'query', 'header', 'cookie'].includes(p.in)) return undefined;
  const schema = spec.follow(p.schema);
  const type =
    typeof p.type === 'string' ? p.type : isObject(schema) && typeof schema.type === 'string' ? schema.type : '';
  const out: IndexedParam = { name: p.name, in: p.in as IndexedParam['in'] };
  if (p.in === 'path' || p.required === true) out.required = true;
  if (type) out.type = type;
  const description = out.required ? short(p.description) : '';
  if (description) out.description = description;
  const fallback = defaultOf(p) ?? (isObject(schema) ? defaultOf(schema) : undefined);
  if (out.required && fallback !== undefined) out.default = fallback;
  return out;
}

function requestBodyType(
  spec: Spec,
  op: JsonObject,
  consumes: string[],
  formParams: boolean,
  bodyParam: boolean,
): OperationBodyType {
  const body = spec.follow(op.requestBody);
  if (isObject(body) && isObject(body.content)) return bodyTypeOf(Object.keys(body.content));
  if (bodyParam) return bodyTypeOf(consumes.length ? consumes : ['application/json']);
  if (formParams) return consumes.some((c) => c.startsWith('multipart/')) ? 'multipart' : 'form';
  return 'none';
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function indexOperations(spec: Spec): IndexedOperation[] {
  const root = spec.root;
  const paths = spec.follow(root.paths);
  if (!isObject(paths)) return [];
  const globalConsumes = list(root.consumes);
  const out: IndexedOperation[] = [];
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = spec.follow(rawItem);
    if (!isObject(item)) continue;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const op = spec.follow(item[method]);
      if (!isObject(op)) continue;
      // Operation parameters override path-level ones with the same name and location.
      const byKey = new Map<string, NonNullable<ReturnType<typeof paramOf>>>();
      for (const raw of [...shared, ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
        const p = paramOf(spec, raw);
        if (p) byKey.set(`${p.body ? 'body' : p.form ? 'form' : p.in}:${p.name}`, p);
      }
      const all = [...byKey.values()];
      const consumes = op.consumes !== undefined ? list(op.consumes) : globalConsumes;
      const bodyType = requestBodyType(
        spec,
        op,
        consumes,
        all.some((p) => p.form),
        all.some((p) => p.body),
      );
      const params: IndexedParam[] = all.filter((p) => !p.body && !p.form).map(({ body: _b, form: _f, ...p }) => p);
      const tags = list(op.tags);
      const entry: IndexedOperation = {
        id: typeof op.operationId === 'string' && op.operationId ? op.operationId : `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase() as OperationMethod,
        path,
        summary: short(op.summary) || short(op.description),
        tag: tags[0] ?? '',
        params,
        bodyType,
      };
      if (op.deprecated === true) entry.deprecated = true;
      out.push(entry);
    }
  }
  return out;
}
