/**
 * The opt-in cookie jar of one datasource (login-then-call APIs). It lives as long as the
 * deployed datasource, so a redeploy starts empty. It only ever learns from and speaks to the
 * datasource's own origin: a cookie another origin sets (during a redirect) is not kept, and
 * no jar cookie goes to another origin, even one on the same host name with another port.
 */
import { CookieJar } from 'tough-cookie';

export class DatasourceCookieJar {
  private readonly jar = new CookieJar(undefined, {
    // An API on localhost or 127.0.0.1 may set cookies as well.
    allowSpecialUseDomain: true,
    rejectPublicSuffixes: true,
  });

  constructor(private readonly origin: string) {}

  /** Remember the cookies of a response that `url` (on the datasource origin) sent. */
  store(url: string, setCookie: string | string[] | undefined): void {
    if (!setCookie || new URL(url).origin !== this.origin) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      // A malformed or foreign-domain cookie is simply not kept, as a browser would do.
      this.jar.setCookieSync(line, url, { ignoreError: true });
    }
  }

  /**
   * The Cookie header for a request to `url`: `current` (configured, query or msg cookies)
   * followed by every jar cookie whose name `current` does not already carry.
   */
  cookieHeader(url: string, current: string | undefined): string | undefined {
    if (new URL(url).origin !== this.origin) return current;
    const fromJar = this.jar.getCookiesSync(url);
    if (fromJar.length === 0) return current;
    const taken = new Set(cookieNames(current ?? ''));
    let out = current ?? '';
    for (const cookie of fromJar) {
      if (taken.has(cookie.key)) continue;
      taken.add(cookie.key);
      out += (out ? '; ' : '') + cookie.cookieString();
    }
    return out || undefined;
  }
}

/** The names in a Cookie header, in order. */
function cookieNames(header: string): string[] {
  const out: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? '' : part.slice(0, eq)).trim();
    if (name) out.push(name);
  }
  return out;
}
