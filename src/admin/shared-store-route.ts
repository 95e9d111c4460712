/**
 * The shared store's "Test" admin route: with the dialog's current values, connect, PING, write
 * a test key, read it back and delete it. Answers {ok, message}; never a credential.
 */
import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { RestError } from '../lib/errors';
import { Redactor } from '../lib/redact';
import { RedisStore } from '../lib/shared/redis-store';
import { DEFAULT_KEY_PREFIX } from '../lib/shared/store';
import { storeTlsOptions } from '../runtime/shared-store';

/** Node-RED's editor sends this for an unchanged password credential. */
const UNCHANGED = '__PWRD__';
const TEST_TIMEOUT_MS = 5000;

function text(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  return typeof v === 'string' ? v : undefined;
}

export function registerSharedStoreRoute(RED: NodeAPI): void {
  const write = RED.auth.needsPermission('rest-datasource.write');

  RED.httpAdmin.post('/rest-shared-store/:id/test', write, (req: Request, res: Response) => {
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    const stored = (RED.nodes.getCredentials(String(req.params.id)) ?? {}) as Record<string, unknown>;
    const credential = (name: string) => {
      const v = text(body, name);
      if (v !== undefined && v !== UNCHANGED) return v;
      return typeof stored[name] === 'string' ? (stored[name] as string) : undefined;
    };
    const username = credential('username');
    const password = credential('password');
    const redactor = new Redactor().add(username, password);
    const answer = (ok: boolean, message: string) => {
      res.set('Cache-Control', 'no-store');
      res.json({ ok, message: redactor.redact(message) });
    };
    let store: RedisStore;
    try {
      const tlsId = text(body, 'tls');
      store = new RedisStore({
        url: text(body, 'url') ?? '',
        keyPrefix: text(body, 'keyPrefix') || DEFAULT_KEY_PREFIX,
        username,
        password,
        tls: tlsId ? storeTlsOptions(RED, tlsId) : undefined,
        commandTimeoutMs: TEST_TIMEOUT_MS,
      });
    } catch (err) {
      answer(false, err instanceof RestError ? err.toString() : String(err));
      return;
    }
    const key = store.key('test', randomBytes(8).toString('hex'));
    const value = randomBytes(8).toString('hex');
    (async () => {
      const started = Date.now();
      await store.ping();
      await store.set(key, value, { ttlMs: 10000 });
      const read = await store.get(key);
      await store.del(key);
      if (read !== value) return answer(false, `${store.label}: the test key ${key} read back differently`);
      return answer(true, `${store.label}: PING, write and read of ${key} took ${Date.now() - started} ms`);
    })()
      .catch((err: unknown) => answer(false, err instanceof Error ? err.message : String(err)))
      .finally(() => void store.close());
  });
}
