/**
 * Admin HTTP routes of the datasource (under httpAdminRoot). They take the editor's current,
 * unsaved dialog values; what the body does not carry comes from the deployed node.
 */
import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { Datasource } from '../lib/datasource';
import { RestError } from '../lib/errors';
import { Redactor } from '../lib/redact';
import { decodeText } from '../lib/response';
import { CREDENTIAL_NAMES, parseSettings } from '../lib/settings';
import type { RawConfig } from '../lib/settings';
import { buildPlan } from '../lib/plan';
import { networkOptions } from './network-config';
import type { RestDatasourceNode } from './types';
import { oauthOptions } from './oauth-runtime';
import { registerOAuthRoutes } from './oauth-routes';

/** Node-RED's editor sends this for an unchanged password credential. */
const UNCHANGED = '__PWRD__';

/** Merge the editor's values over the deployed node's config and credentials. */
export function editorSettings(
  RED: NodeAPI,
  id: string,
  body: unknown,
): { config: RawConfig; credentials: Record<string, unknown> } {
  const input = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const deployed = RED.nodes.getNode(id) as RestDatasourceNode | null;
  const config: RawConfig = { ...(deployed?.rawConfig ?? {}) };
  const stored = (RED.nodes.getCredentials(id) ?? {}) as Record<string, unknown>;
  // Stored secrets belong to the deployed origin: a dialog pointed elsewhere must type them again.
  const credentials: Record<string, unknown> = sameOrigin(config.baseUrl, input.baseUrl) ? { ...stored } : {};
  for (const [key, value] of Object.entries(input)) {
    if ((CREDENTIAL_NAMES as readonly string[]).includes(key)) {
      if (value !== UNCHANGED && value !== undefined) credentials[key] = value;
    } else {
      config[key] = value;
    }
  }
  return { config, credentials };
}

function originOf(url: unknown): string | undefined {
  try {
    return typeof url === 'string' ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}

function sameOrigin(deployed: unknown, edited: unknown): boolean {
  return edited === undefined || edited === deployed || originOf(edited) === originOf(deployed);
}

function redactorFor(credentials: Record<string, unknown>): Redactor {
  return new Redactor().add(...Object.values(credentials).filter((v): v is string => typeof v === 'string'));
}

export function registerAdminRoutes(RED: NodeAPI): void {
  const write = RED.auth.needsPermission('rest-datasource.write');
  registerOAuthRoutes(RED);

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
