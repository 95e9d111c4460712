/**
 * The single place where secrets are masked before text leaves the package (errors, log
 * lines, statuses, debug summaries, the admin routes' answers). Every configured secret is
 * registered here (settings.ts `secretsOf` adds the derived ones, such as each Basic
 * `id:secret` pair's base64), and `add` registers each value in every form a server's echo
 * may show it in: as is, URL-encoded, form-encoded, JSON-escaped and whitespace-normalised.
 */
export const MASK = '***';

// Very short values would mask innocent text everywhere; they are not real secrets.
const MIN_SECRET_LENGTH = 3;

/** A value form-encoded as RFC 6749 (appendix B) clients such as simple-oauth2 write it. */
export function oauthFormEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A form-urlencoded value as RFC 6749 clients and URLSearchParams write it. */
function formEncoded(value: string): string[] {
  return [oauthFormEncode(value), new URLSearchParams([['', value]]).toString().slice(1)];
}

/** The forms in which a secret can come back in a server's answer or a message. */
export function formsOf(value: string): string[] {
  const forms = [value, encodeURIComponent(value), ...formEncoded(value)];
  // Inside a JSON string: quotes, backslashes and control characters escaped (and "/" by some).
  const json = JSON.stringify(value).slice(1, -1);
  forms.push(json, json.replace(/\//g, '\\/'));
  // Whitespace squeezed, as text shown on one line (or an HTML page) has it.
  const squeezed = value.replace(/\s+/g, ' ').trim();
  forms.push(squeezed, JSON.stringify(squeezed).slice(1, -1));
  return [...new Set(forms)];
}

export class Redactor {
  private readonly secrets: string[] = [];

  add(...values: Array<string | undefined | null>): this {
    for (const value of values) {
      if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) continue;
      for (const form of formsOf(value)) {
        if (form.length >= MIN_SECRET_LENGTH && !this.secrets.includes(form)) this.secrets.push(form);
      }
    }
    // Longest first, so a secret that contains another is masked whole.
    this.secrets.sort((a, b) => b.length - a.length);
    return this;
  }

  /** Forget these secrets (a token that was replaced long ago). */
  remove(...values: Array<string | undefined | null>): this {
    for (const value of values) {
      if (typeof value !== 'string') continue;
      for (const form of formsOf(value)) {
        const i = this.secrets.indexOf(form);
        if (i >= 0) this.secrets.splice(i, 1);
      }
    }
    return this;
  }

  /** Forget every registered secret (a datasource that is being replaced). */
  clear(): void {
    this.secrets.length = 0;
  }

  get size(): number {
    return this.secrets.length;
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
    }
    return out;
  }
}
