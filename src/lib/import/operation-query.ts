/**
 * An indexed OpenAPI operation → the `rest-query` fields the operation picker fills: method,
 * path with `{{name}}` placeholders, rows for the required query and header parameters, body
 * type. Changing the operation keeps what the user typed for parameters both operations have,
 * drops the rows the old operation added that the new one does not have, and keeps rows the
 * user added by hand. No Node.js or DOM API: the editor bundle uses this file too.
 */
import type { IndexedOperation, IndexedParam, OperationBodyType, OperationMethod, QueryRow } from './operation-types';

/** A row as the dialog holds it (its value type may be any typedInput type). */
export interface RowLike {
  name: string;
  value: string;
  valueType: string;
}

export interface OperationFields {
  method: OperationMethod;
  path: string;
  headers: RowLike[];
  params: RowLike[];
  bodyType: OperationBodyType;
}

/** The msg property a parameter is read from: its name, made a plain property name. */
export function msgProperty(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[0-9]/.test(clean) ? '_' + clean : clean;
}

/** A row for a required parameter: its default as a typed literal, else `msg.<name>`. */
export function rowFor(p: IndexedParam): QueryRow {
  if (p.default !== undefined) {
    const valueType = p.type === 'integer' || p.type === 'number' ? 'num' : p.type === 'boolean' ? 'bool' : 'str';
    return { name: p.name, value: p.default, valueType };
  }
  return { name: p.name, value: msgProperty(p.name), valueType: 'msg' };
}

function pathWithPlaceholders(op: IndexedOperation): string {
  const byName = new Map(op.params.filter((p) => p.in === 'path').map((p) => [p.name, p]));
  return op.path.replace(/\{([^{}]+)\}/g, (all, name: string) => (byName.has(name) ? `{{${msgProperty(name)}}}` : all));
}

function mergeRows(
  current: RowLike[],
  previous: IndexedOperation | undefined,
  next: IndexedOperation,
  where: 'query' | 'header',
): RowLike[] {
  const same = (a: string, b: string) => (where === 'header' ? a.toLowerCase() === b.toLowerCase() : a === b);
  const nextRequired = next.params.filter((p) => p.in === where && p.required);
  const previousNames = (previous?.params ?? []).filter((p) => p.in === where).map((p) => p.name);
  const nextNames = next.params.filter((p) => p.in === where).map((p) => p.name);
  // Rows of the previous operation's parameters that the next one lacks go; the user's own stay.
  const kept = current.filter(
    (r) => !previousNames.some((n) => same(n, r.name)) || nextNames.some((n) => same(n, r.name)),
  );
  for (const p of nextRequired) if (!kept.some((r) => same(r.name, p.name))) kept.push(rowFor(p));
  return kept;
}

export function fieldsForOperation(
  next: IndexedOperation,
  current: { headers: RowLike[]; params: RowLike[] } = { headers: [], params: [] },
  previous?: IndexedOperation,
): OperationFields {
  return {
    method: next.method,
    path: pathWithPlaceholders(next),
    headers: mergeRows(current.headers, previous, next, 'header'),
    params: mergeRows(current.params, previous, next, 'query'),
    bodyType: next.bodyType,
  };
}
