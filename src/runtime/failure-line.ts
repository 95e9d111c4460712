/**
 * What a node hands to `done(err)` / `node.error(err, msg)`, so that a failure reads well
 * wherever Node-RED shows it.
 *
 * Node-RED gives that argument to Catch nodes (`msg.error.message` from its `toString()`,
 * `msg.error.code` and `msg.error.stack` from its own properties) and, when no Catch node takes
 * it, to the log and the debug sidebar. The sidebar shows an `Error` as a collapsed object
 * (`RestError {…}`) whose text must be expanded, and a string as the line it is (what the core
 * `http request` node passes). A `String` object carrying the code is both: one readable line,
 * `CODE: message`, in the sidebar and the log, and `msg.error.code` for a Catch node.
 */
import type { RestError } from '../lib/errors';

/** The line people read, with the code Catch nodes switch on. */
export interface FailureLine {
  readonly code: string;
  readonly stack: string;
  toString(): string;
}

export function failureLine(err: RestError): FailureLine {
  const line = `${err.code}: ${err.message}`;
  return Object.assign(new String(line), { code: err.code, stack: line });
}
