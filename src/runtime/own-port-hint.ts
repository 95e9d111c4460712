/**
 * The package's examples serve their demo APIs from Node-RED itself, at http://127.0.0.1:1880
 * (Node-RED gives a flow no way to learn its own port). Imported into a Node-RED that listens
 * on another port they fail with ECONNREFUSED; this says which port this Node-RED uses.
 */
import { RestError } from '../lib/errors';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Node-RED's own port, from its settings (`uiPort`, which `--port` and `PORT` set too). */
export function ownPort(settings: { uiPort?: unknown } | undefined): number | undefined {
  const port = Number(settings?.uiPort);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

/**
 * `err` with a hint appended when the connection to a loopback base URL was refused and this
 * Node-RED listens on another port; otherwise `err` itself.
 */
export function withOwnPortHint(err: RestError, baseUrl: URL | undefined, port: number | undefined): RestError {
  if (err.code !== 'ECONNREFUSED' || !baseUrl || !port || !LOOPBACK.has(baseUrl.hostname)) return err;
  const target = Number(baseUrl.port || (baseUrl.protocol === 'https:' ? 443 : 80));
  if (target === port) return err;
  const hint =
    ` (this Node-RED listens on port ${port}: if the API is served by this Node-RED, as the demo APIs of` +
    ` the package's examples are, put port ${port} in the datasource's Base URL)`;
  const out = new RestError(err.code, err.message + hint, {
    statusCode: err.statusCode,
    attempts: err.attempts,
    field: err.field,
  });
  out.stack = out.toString();
  return out;
}
