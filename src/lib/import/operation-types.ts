/**
 * Shapes of the operation index and of query rows, with no Node.js type in reach: the editor
 * bundle (type-checked without Node.js) imports them along with operation-query.ts.
 */

/** The methods an OpenAPI operation can have that a query can send. */
export type OperationMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'OPTIONS' | 'HEAD' | 'PATCH';
/** The query body types an operation's request body maps to. */
export type OperationBodyType = 'json' | 'form' | 'multipart' | 'text' | 'binary' | 'none';

/** A `rest-query` list row. */
export interface QueryRow {
  name: string;
  value: string;
  valueType: 'str' | 'msg' | 'num' | 'bool' | 'json';
}

export interface IndexedParam {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  /** present (true) only for required parameters, to keep the index small */
  required?: true;
  /** JSON schema type: string, integer, number, boolean, array, object (absent when not given) */
  type?: string;
  /** kept for required parameters only, cut at MAX_TEXT characters */
  description?: string;
  /** a required parameter's default (or its only allowed value), as text */
  default?: string;
}

export interface IndexedOperation {
  /** operationId, or `METHOD path` when the description gives none */
  id: string;
  method: OperationMethod;
  path: string;
  summary: string;
  tag: string;
  params: IndexedParam[];
  bodyType: OperationBodyType;
  deprecated?: boolean;
}
