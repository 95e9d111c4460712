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
   * The signing step: runs last, on the request exactly as it goes on the wire to the
   * datasource origin (defaults, query node, msg, filled `{{$token}}` slots, jar cookies and the
   * HS256 signature header all in place), again for every attempt, page and redirect hop.
   * `wire` is that hop's own copy: a scheme may set headers and re-encode `rawQuery`, `query`
   * and `pathname` (what it signed is what is sent), never touch the body bytes.
   * AWS SigV4 and OAuth 1.0a sign here, and DPoP adds its proof here.
   */
  sign?(wire: WireRequest): void | Promise<void>;
  /**
   * The header `apply` sets on every request, when it never changes (Basic, Bearer, an API key
   * header): the client hands it to its adapter once per deploy (HttpClient.presetHeaders).
   */
  readonly constantHeader?: readonly [name: string, value: string];
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
