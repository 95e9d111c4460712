/**
 * The query node's header, param and cookie rows: `{name, value, valueType}` with typedInput
 * types. Constant types are evaluated once on deploy; msg, flow, global and env per message.
 */
import type { Node, NodeAPI, NodeMessage } from 'node-red';
import { configError } from '../../lib/errors';
import { markValue } from '../../lib/features/token-placeholder';
import { setOwn } from '../../lib/own';

export interface TypedRow {
  name?: unknown;
  value?: unknown;
  valueType?: unknown;
}

const CONSTANT = new Set(['str', 'num', 'bool', 'json']);
const DYNAMIC = new Set(['msg', 'flow', 'global', 'env']);

interface DynamicRow {
  name: string;
  value: string;
  type: string;
}

export class TypedRows {
  private readonly constant: Record<string, unknown> = {};
  private readonly dynamic: DynamicRow[] = [];

  constructor(
    private readonly RED: NodeAPI,
    rows: unknown,
    field: string,
  ) {
    if (rows === undefined || rows === null || rows === '') return;
    if (!Array.isArray(rows)) throw configError(field, 'must be a list of {name, value, valueType} rows');
    (rows as TypedRow[]).forEach((row, i) => {
      const name = typeof row?.name === 'string' ? row.name.trim() : '';
      if (!name) return;
      const value = row.value === undefined || row.value === null ? '' : String(row.value);
      const type = typeof row.valueType === 'string' && row.valueType ? row.valueType : 'str';
      if (CONSTANT.has(type)) {
        try {
          // A `{{$token}}` written here may ask for the access token; msg/context values may not.
          setOwn(
            this.constant,
            name,
            markValue(RED.util.evaluateNodeProperty(value, type, undefined as unknown as Node, {} as NodeMessage)),
          );
        } catch {
          throw configError(`${field}[${i}] "${name}"`, `the ${type} value ${JSON.stringify(value)} is not valid`);
        }
      } else if (DYNAMIC.has(type)) {
        this.dynamic.push({ name, value, type });
      } else {
        throw configError(`${field}[${i}] "${name}"`, `unknown value type ${JSON.stringify(type)}`);
      }
    });
  }

  get isEmpty(): boolean {
    return this.dynamic.length === 0 && Object.keys(this.constant).length === 0;
  }

  /** The rows' values for this msg. The constant object is shared: callers only read it. */
  resolve(node: Node, msg: NodeMessage): Promise<Record<string, unknown>> | Record<string, unknown> {
    if (this.dynamic.length === 0) return this.constant;
    const out: Record<string, unknown> = { ...this.constant };
    const pending: Array<Promise<void>> = [];
    for (const row of this.dynamic) {
      if (row.type === 'flow' || row.type === 'global') {
        // Context stores may be asynchronous; the callback form works with all of them.
        pending.push(
          new Promise<void>((resolve, reject) => {
            this.RED.util.evaluateNodeProperty(row.value, row.type, node, msg, (err: Error | null, value: unknown) => {
              if (err) reject(configError(row.name, `cannot read ${row.type}.${row.value}`));
              else {
                setOwn(out, row.name, value);
                resolve();
              }
            });
          }),
        );
      } else {
        setOwn(out, row.name, this.RED.util.evaluateNodeProperty(row.value, row.type, node, msg));
      }
    }
    return pending.length ? Promise.all(pending).then(() => out) : out;
  }
}
