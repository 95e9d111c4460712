/**
 * Response-to-msg mapping (`payloadPath`): a property path or a JSONata expression picks the
 * data out of the decoded response body into msg.payload; the whole body stays in
 * msg.response. JSONata is Node-RED's own (RED.util), so no dependency is added.
 */
import type { Node, NodeAPI } from 'node-red';
import { configError } from '../../lib/errors';
import { getPath, parsePath } from '../../lib/features/json-path';
import type { PathSegment } from '../../lib/features/json-path';

export type PayloadPathType = 'path' | 'jsonata';

type Expression = ReturnType<NodeAPI['util']['prepareJSONataExpression']>;

export class PayloadMapping {
  private readonly path?: PathSegment[];
  private readonly expression?: Expression;

  constructor(
    private readonly RED: NodeAPI,
    node: Node,
    value: unknown,
    type: unknown,
  ) {
    const text = typeof value === 'string' ? value.trim() : '';
    if (!text) return;
    const kind = type === undefined || type === null || type === '' ? 'path' : type;
    if (kind === 'path') this.path = parsePath(text, 'payloadPath');
    else if (kind === 'jsonata') {
      try {
        this.expression = RED.util.prepareJSONataExpression(text, node);
      } catch (e) {
        throw configError('payloadPath', `the JSONata expression is not valid: ${(e as Error).message}`);
      }
    } else throw configError('payloadPathType', `must be path or jsonata, got ${JSON.stringify(type)}`);
  }

  get active(): boolean {
    return this.path !== undefined || this.expression !== undefined;
  }

  /** The mapped value; the expression's root (`$`) is the decoded body. */
  map(body: unknown): Promise<unknown> {
    if (this.path) return Promise.resolve(getPath(body, this.path));
    const expression = this.expression;
    if (!expression) return Promise.resolve(body);
    return new Promise((resolve, reject) => {
      this.RED.util.evaluateJSONataExpression(expression, body as never, (err: Error | null, value: unknown) => {
        if (err) reject(configError('payloadPath', `the JSONata expression failed: ${err.message}`));
        // A JSONata result list is an array with extra flags (`sequence`); hand on a plain one.
        else resolve(Array.isArray(value) ? Array.from(value) : value);
      });
    });
  }
}
