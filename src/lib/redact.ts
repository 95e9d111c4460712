/**
 * The single place where secrets are masked before text leaves the package (errors, log
 * lines, statuses, debug summaries). Every configured secret is registered here, together
 * with the encodings in which it could appear on the wire (Basic auth's base64, URL encoding).
 */
export const MASK = '***';

// Very short values would mask innocent text everywhere; they are not real secrets.
const MIN_SECRET_LENGTH = 3;

export class Redactor {
  private readonly secrets: string[] = [];

  add(...values: Array<string | undefined | null>): this {
    for (const value of values) {
      if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) continue;
      for (const form of [value, encodeURIComponent(value)]) {
        if (!this.secrets.includes(form)) this.secrets.push(form);
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
      for (const form of [value, encodeURIComponent(value)]) {
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
