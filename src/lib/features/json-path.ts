/**
 * Plain property paths into a decoded JSON body: `data.items`, `meta.next_cursor`,
 * `links[0].href`, `$.data["odd.name"]`. A leading `$` or `$.` (as in JSONPath) is allowed.
 * No wildcards or filters: for those, use a JSONata expression.
 */
import { configError } from '../errors';

export type PathSegment = string | number;

/** Parse a path once (on deploy); a syntax error names the field. */
export function parsePath(path: string, field: string): PathSegment[] {
  let rest = path.trim();
  if (rest === '$') return [];
  if (rest.startsWith('$.')) rest = rest.slice(2);
  else if (rest.startsWith('$[')) rest = rest.slice(1);
  const out: PathSegment[] = [];
  const bad = () =>
    configError(field, `${JSON.stringify(path)} is not a property path; write it like data.items[0].id`);
  let first = true;
  while (rest.length) {
    if (rest.startsWith('[')) {
      const m = /^\[\s*(?:(\d+)|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\]/.exec(rest);
      if (!m) throw bad();
      out.push(m[1] !== undefined ? Number(m[1]) : (m[2] ?? m[3]).replace(/\\(.)/g, '$1'));
      rest = rest.slice(m[0].length);
    } else {
      if (!first) {
        if (!rest.startsWith('.')) throw bad();
        rest = rest.slice(1);
      }
      const m = /^[^.[\]]+/.exec(rest);
      if (!m) throw bad();
      out.push(m[0].trim());
      rest = rest.slice(m[0].length);
    }
    first = false;
  }
  if (out.length === 0 && path.trim() !== '$') throw bad();
  return out;
}

/** The value at a parsed path, or undefined when any step is missing. */
export function getPath(value: unknown, path: readonly PathSegment[]): unknown {
  let cur = value;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || Buffer.isBuffer(cur)) return undefined;
    if (Array.isArray(cur)) {
      const i = typeof seg === 'number' ? seg : /^\d+$/.test(seg) ? Number(seg) : -1;
      if (i < 0) return undefined;
      cur = cur[i];
    } else {
      const key = String(seg);
      if (!Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
      cur = (cur as Record<string, unknown>)[key];
    }
  }
  return cur;
}
