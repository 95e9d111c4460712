/**
 * The shared store's "Test" admin route: with the dialog's current values, connect, PING, write
 * a test key, read it back and delete it. Answers {ok, message}; never a credential.
 *
 * Stored secrets belong to the deployed store's destination: the stored username, password and
 * the TLS client certificate are used only when the dialog names the same URL and the same TLS
 * configuration as the deployed node. Only a rest-shared-store id is accepted (another node's
 * id is 404; an id not deployed yet tests the dialog's values alone), and only a JSON body.
 */
import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { RestError } from '../lib/errors';
import { Redactor } from '../lib/redact';
import { RedisStore } from '../lib/shared/redis-store';
import { DEFAULT_KEY_PREFIX } from '../lib/shared/store';
import type { RestSharedStoreNode, StoreDestination } from '../runtime/shared-store';
import { storeDestination, storeTlsOptions } from '../runtime/shared-store';
import { jsonOnly } from './json-only';

/** Node-RED's editor sends this for an unchanged password credential. */
const UNCHANGED = '__PWRD__';
const TEST_TIMEOUT_MS = 5000;

function text(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  return typeof v === 'string' ? v : undefined;
}

/** The node with this id: a deployed store, another node (refused), or nothing deployed yet. */
function lookup(RED: NodeAPI, id: string): { store?: RestSharedStoreNode; other: boolean } {
  const node = RED.nodes.getNode(id) as RestSharedStoreNode | null;
  if (!node || typeof node !== 'object' || node.id !== id) return { other: false };
  return node.type === 'rest-shared-store' ? { store: node, other: false } : { other: true };
}

/** Whether the dialog points where the deployed store points (mode, URL or nodes, primary name, TLS). */
function sameDestination(deployed: StoreDestination | undefined, body: Record<string, unknown>): boolean {
  if (!deployed) return false;
  const asked = storeDestination(body);
  return (Object.keys(deployed) as Array<keyof StoreDestination>).every((k) => asked[k] === deployed[k]);
}

export function registerSharedStoreRoute(RED: NodeAPI): void {
  const write = RED.auth.needsPermission('rest-datasource.write');

  RED.httpAdmin.post('/rest-shared-store/:id/test', write, jsonOnly, (req: Request, res: Response) => {
    const id = String(req.params.id);
    const found = lookup(RED, id);
    if (found.other) {
      res.status(404).json({ ok: false, message: `no rest-shared-store with id ${id}` });
      return;
    }
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    const same = sameDestination(found.store?.destination, body);
    const stored = (found.store && same ? (RED.nodes.getCredentials(id) ?? {}) : {}) as Record<string, unknown>;
    let withheld = false;
    const credential = (name: string) => {
      const v = text(body, name);
      if (v !== undefined && v !== UNCHANGED) return v;
      if (!same && v === UNCHANGED) withheld = true;
      return typeof stored[name] === 'string' ? (stored[name] as string) : undefined;
    };
    const username = credential('username');
    const password = credential('password');
    const sentinelUsername = credential('sentinelUsername');
    const sentinelPassword = credential('sentinelPassword');
    const redactor = new Redactor().add(username, password, sentinelPassword);
    const note =
      withheld || (!same && found.store && text(body, 'tls'))
        ? ' (stored password and TLS client key not used: the URL or TLS configuration differs from the deployed store; enter the password again, or deploy first)'
        : '';
    const answer = (ok: boolean, message: string) => {
      res.set('Cache-Control', 'no-store');
      res.json({ ok, message: redactor.redact(message) + (ok ? '' : note) });
    };
    let store: RedisStore;
    try {
      const tlsId = text(body, 'tls');
      store = new RedisStore({
        mode: text(body, 'mode'),
        url: text(body, 'url') ?? '',
        nodes: text(body, 'nodes'),
        masterName: text(body, 'masterName'),
        sentinelUsername,
        sentinelPassword,
        keyPrefix: text(body, 'keyPrefix') || DEFAULT_KEY_PREFIX,
        username,
        password,
        // The client certificate and key only with the deployed destination.
        tls: tlsId ? storeTlsOptions(RED, tlsId, same) : undefined,
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
      const took = Date.now() - started;
      const topology = await store.topology().catch((err: unknown) => `topology unknown (${(err as Error).message})`);
      return answer(true, `${store.label}: PING, write and read of ${key} took ${took} ms; ${topology}`);
    })()
      .catch((err: unknown) => answer(false, err instanceof Error ? err.message : String(err)))
      .finally(() => void store.close());
  });
}
