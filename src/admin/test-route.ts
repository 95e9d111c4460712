/**
 * The "Test connection" admin route: one request with the editor's current, unsaved dialog
 * values (what the body does not carry comes from the deployed node).
 */
import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { Datasource } from '../lib/datasource';
import { RestError } from '../lib/errors';
import { Redactor } from '../lib/redact';
import { decodeText } from '../lib/http/response';
import { parseSettings, secretCredentialValues } from '../lib/settings';
import { buildPlan } from '../lib/http/plan';
import { networkOptions } from '../runtime/network-config';
import { oauthOptions, redactTokens } from '../runtime/oauth-runtime';
import { ownPort, withOwnPortHint } from '../runtime/own-port-hint';
import { editorSettings } from './editor-settings';
import { jsonOnly } from './json-only';

/** How much of an API's answer Test connection shows, and of an error. */
const ANSWER_CHARS = 240;
const ERROR_CHARS = 1000;

export function registerTestRoute(RED: NodeAPI): void {
  const write = RED.auth.needsPermission('rest-datasource.write');

  RED.httpAdmin.post('/rest-datasource/:id/test', write, jsonOnly, (req: Request, res: Response) => {
    const { config, credentials, destinationChanged, changed, withheld, clientCertificate } = editorSettings(
      RED,
      String(req.params.id),
      req.body,
    );
    // The dialog names what it must ask for again: stored secrets stay with the deployed destination.
    const withholding = withheld.length ? { withheld, changed } : {};
    // Secrets only (passwords, tokens, keys, secret rows, client secrets), never identifiers:
    // the same as a running datasource masks in its errors. The datasource's redactor also
    // knows its TLS key, proxy password and the tokens it gets.
    const redactor = new Redactor().add(...secretCredentialValues(credentials));
    let ds: Datasource | undefined;
    const redact = (text: string) => redactor.redact(ds ? ds.redact(text) : text);
    // An answer's body is shown up to ANSWER_CHARS; an error, the package's own text with its
    // hints (which come last), up to ERROR_CHARS.
    const answer = (ok: boolean, statusCode: number | null, message: string, limit = ANSWER_CHARS) => {
      // Redacted as received, then once more squeezed to one line (a server may have squeezed
      // a secret's whitespace itself); cut only after that, so a cut secret cannot show.
      const text = redact(redact(message).replace(/\s+/g, ' ').trim());
      if (ds) ds.close();
      res.json({ ok, statusCode, message: text.length > limit ? text.slice(0, limit) + '…' : text, ...withholding });
    };
    const failed = (err: unknown) => {
      // The same hint a query gives: an API served by this Node-RED on another port.
      const shown =
        err instanceof RestError
          ? withOwnPortHint(err, ds?.settings.baseUrl, ownPort(RED.settings as { uiPort?: unknown })).toString()
          : String(err);
      answer(false, null, shown, ERROR_CHARS);
    };
    try {
      const settings = parseSettings(config, credentials);
      // Stored tokens belong to the deployed destinations: with another base URL, token URL,
      // proxy or TLS trust the test gets its own token (and keeps it to itself).
      const oauth = oauthOptions(RED, destinationChanged ? undefined : String(req.params.id));
      ds = new Datasource(settings, { ...oauth, ...networkOptions(RED, settings, { clientCertificate }) });
      redactTokens(ds);
    } catch (err) {
      failed(err);
      return;
    }
    const path =
      typeof (req.body as Record<string, unknown>)?.path === 'string' ? (req.body as Record<string, string>).path : '';
    const plan = buildPlan(
      ds.defaults,
      { method: 'GET', path, headers: {}, params: {}, cookies: {}, bodyType: 'none', responseType: 'binary' },
      {},
      () => undefined,
    );
    const current = ds;
    current.send(plan).then((result) => {
      const ok = result.statusCode >= 200 && result.statusCode < 400;
      const ct = String(result.headers['content-type'] ?? '');
      // The whole body: `answer` redacts before it squeezes and shortens.
      const text = decodeText(result.body, ct);
      answer(ok, result.statusCode, `HTTP ${result.statusCode}${text.trim() ? ': ' + text : ''}`);
    }, failed);
  });
}
