/** The token set a datasource holds, in the plain shape it is cached and persisted in. */
export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  /** ms since the epoch; absent when neither the server nor the settings tell (pasted tokens). */
  expiresAt?: number;
  scope?: string;
  /** `token_type` of the answer (`DPoP` for a DPoP-bound token); absent when it sent none. */
  tokenType?: string;
}

/**
 * The TokenSet of a token endpoint answer. `expires_at` (Unix seconds or ISO text) and
 * `expires_in` come from the server; `fallbackSeconds` (oauth2ExpiresIn) when it sends neither.
 * `previousRefresh` is kept when a refresh answer carries no new refresh token.
 */
export function tokenSetFrom(
  answer: Record<string, unknown>,
  fallbackSeconds: number,
  previousRefresh?: string,
  now = Date.now(),
): TokenSet | undefined {
  const accessToken = answer.access_token;
  if (typeof accessToken !== 'string' || accessToken === '') return undefined;
  const refresh = typeof answer.refresh_token === 'string' && answer.refresh_token ? answer.refresh_token : undefined;
  return {
    accessToken,
    refreshToken: refresh ?? previousRefresh,
    expiresAt: expiryOf(answer, fallbackSeconds, now),
    scope: typeof answer.scope === 'string' ? answer.scope : undefined,
    ...(typeof answer.token_type === 'string' && answer.token_type ? { tokenType: answer.token_type } : {}),
  };
}

function expiryOf(answer: Record<string, unknown>, fallbackSeconds: number, now: number): number {
  const at = answer.expires_at;
  if (typeof at === 'number' && Number.isFinite(at)) return at > 1e12 ? at : at * 1000;
  if (typeof at === 'string' && at.trim() !== '') {
    const n = Number(at);
    const ms = Number.isFinite(n) ? (n > 1e12 ? n : n * 1000) : Date.parse(at);
    if (Number.isFinite(ms)) return ms;
  }
  if (at instanceof Date && Number.isFinite(at.getTime())) return at.getTime();
  const seconds = Number(answer.expires_in);
  if (answer.expires_in !== undefined && answer.expires_in !== null && Number.isFinite(seconds) && seconds >= 0) {
    return now + seconds * 1000;
  }
  return now + fallbackSeconds * 1000;
}

/** Every secret string of a token set, for the redactor. */
export function secretsOfTokens(t: TokenSet | undefined): string[] {
  if (!t) return [];
  return [t.accessToken, t.refreshToken].filter((v): v is string => typeof v === 'string' && v !== '');
}

/** Refresh this long before the expiry (capped at a tenth of a short token's lifetime). */
const REFRESH_MARGIN_MS = 60 * 1000;

/** Whether a set obtained at `issuedAt` is due for renewal (expired or about to). */
export function needsRenewal(t: Readonly<TokenSet>, issuedAt: number, now = Date.now()): boolean {
  if (!t.accessToken) return true;
  if (t.expiresAt === undefined) return false;
  const lifetime = Math.max(0, t.expiresAt - issuedAt);
  const margin = Math.min(REFRESH_MARGIN_MS, lifetime / 10);
  return now >= t.expiresAt - margin;
}
