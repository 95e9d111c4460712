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
import { parseSettings } from '../lib/settings';
import { buildPlan } from '../lib/http/plan';
import { networkOptions } from '../runtime/network-config';
import { oauthOptions } from '../runtime/oauth-runtime';
import { editorSettings } from './editor-settings';

function redactorFor(credentials: Record<string, unknown>): Redactor {
  return new Redactor().add(...Object.values(credentials).filter((v): v is string => typeof v === 'string'));
}

export function registerTestRoute(RED: NodeAPI): void {
  const write = RED.auth.needsPermission('rest-datasource.write');

  RED.httpAdmin.post('/rest-datasource/:id/test', write, (req: Request, res: Response) => {
    const { config, credentials } = editorSettings(RED, String(req.params.id), req.body);
    const redactor = redactorFor(credentials);
    let ds: Datasource | undefined;
    const answer = (ok: boolean, statusCode: number | null, message: string) => {
      // The datasource's redactor also knows secret rows and the Basic auth encoding.
      const text = redactor.redact(ds ? ds.redact(message) : message);
      if (ds) ds.close();
      res.json({ ok, statusCode, message: text.length > 240 ? text.slice(0, 240) + '…' : text });
    };
    try {
      const settings = parseSettings(config, credentials);
      ds = new Datasource(settings, { ...oauthOptions(RED, String(req.params.id)), ...networkOptions(RED, settings) });
    } catch (err) {
      answer(false, null, err instanceof RestError ? err.toString() : String(err));
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
    current.send(plan).then(
      (result) => {
        const ok = result.statusCode >= 200 && result.statusCode < 400;
        const ct = String(result.headers['content-type'] ?? '');
        // Redacted whole before it is shortened: a cut secret would no longer match.
        const snippet = decodeText(result.body.subarray(0, 8192), ct).replace(/\s+/g, ' ').trim();
        answer(ok, result.statusCode, `HTTP ${result.statusCode}${snippet ? ': ' + snippet : ''}`);
      },
      (err: unknown) => answer(false, null, err instanceof RestError ? err.toString() : String(err)),
    );
  });
}
