// Checks the dialogs share: what a base URL and a whole number look like.
import { trimmed } from './dom';

/**
 * An http(s) URL with a host and an optional path: no query or fragment, and no user name or
 * password before the host (the runtime refuses those in a base URL; Basic auth is the place).
 */
export function validUrl(v: unknown): boolean {
  return /^https?:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/i.test(trimmed(v));
}

/** A value Node-RED takes from an environment variable at deploy time: `${NAME}` or `$(NAME)`. */
export function isEnvReference(v: unknown): boolean {
  return /^\$\{[a-zA-Z_][a-zA-Z0-9_]*\}$|^\$\([a-zA-Z_][a-zA-Z0-9_]*\)$/.test(trimmed(v));
}

/** A whole number >= 0, or blank (the default). */
export function isWholeNumberOrBlank(v: unknown): boolean {
  const text = trimmed(v);
  return text === '' || /^\d+$/.test(text);
}

/**
 * A property validator Node-RED treats as one that explains itself: it calls a validator with
 * (value, options) and shows a returned string as the reason only when the function declares
 * two parameters, so every check goes through this wrapper.
 */
export function validator(check: (this: RedNode, value: unknown) => boolean | string): RedValidator {
  return function (value, _opt) {
    return check.call(this, value);
  };
}
