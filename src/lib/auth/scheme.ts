import type { WireRequest, WireResponse } from '../types';

/**
 * One authentication scheme. The transport calls `apply` before every exchange that goes to
 * the datasource's own origin, and `shouldRetry` after a response: returning true sends the
 * request once more (a Digest challenge, an expired OAuth token). A scheme never overrides a
 * header or parameter that the query node or msg set explicitly.
 */
export interface AuthScheme {
  apply(req: WireRequest): void | Promise<void>;
  shouldRetry?(req: WireRequest, res: WireResponse): boolean | Promise<boolean>;
  /**
   * Sign the request exactly as it goes on the wire (every header, parameter and body byte
   * final: token slots filled, cookies added): run last, on every exchange with the origin —
   * each retry, page and redirect hop. `wire` is that exchange's own copy.
   */
  sign?(wire: WireRequest): void | Promise<void>;
  /** Lower-case header names this scheme fills with secrets. */
  readonly sensitiveHeaders: readonly string[];
  /** Query parameter names this scheme fills with secrets. */
  readonly sensitiveParams: readonly string[];
  /** The current access token, for `{{$token}}` placeholders. */
  currentToken?(): Promise<string>;
  close?(): void;
}

export const noAuth: AuthScheme = {
  apply() {
    // nothing to add
  },
  sensitiveHeaders: [],
  sensitiveParams: [],
};

/** Set a header unless the query node or msg already set it. */
export function setAuthHeader(req: WireRequest, name: string, value: string): void {
  const lower = name.toLowerCase();
  if (req.explicitHeaders.has(lower)) return;
  req.headers.set(lower, [name, value]);
}

/** Add a query parameter unless the query node or msg already set it. */
export function setAuthParam(req: WireRequest, name: string, value: string): void {
  if (req.explicitParams.has(name)) return;
  const i = req.query.findIndex(([n]) => n === name);
  if (i >= 0) req.query.splice(i, 1);
  req.query.push([name, value]);
}
