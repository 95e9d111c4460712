/**
 * The `rest-shared-store` node as the datasource uses it: the running store, and the datasource
 * options that share OAuth tokens (encrypted with a key from Node-RED's credential secret) and
 * the `rateLimit` through it. Keys: `<prefix>oauth:<datasource id>:<settings fingerprint>` (and
 * `…:lock`), `<prefix>rate:<datasource id>`.
 */
import type { Node, NodeAPI } from 'node-red';
import type { ConnectionOptions } from 'node:tls';
import { configError, RestError } from '../lib/errors';
import type { DatasourceOptions } from '../lib/datasource';
import type { DatasourceSettings } from '../lib/settings';
import type { TokenSet } from '../lib/oauth/tokens';
import type { SharedStore } from '../lib/shared/store';
import { COMMAND_TIMEOUT_MS } from '../lib/shared/redis-store';
import { ClusterPacer, ClusterRate } from '../lib/shared/rate-limit';
import { SharedTokens } from '../lib/shared/shared-tokens';
import { SharedDpopKey } from '../lib/shared/dpop-key-record';
import { deriveRecordKey, TokenRecords } from '../lib/shared/token-record';
import { credentialSecret } from './oauth-runtime';
import type { SettingsView } from './oauth-runtime';

export interface SharedStoreCredentials {
  username?: string;
  password?: string;
}

export interface RestSharedStoreNode extends Node<SharedStoreCredentials> {
  store?: SharedStore;
  configError?: RestError;
}

/** What the core `tls-config` node exposes (05-tls.js). */
interface TlsConfigNode extends Node {
  valid?: boolean;
  addTLSOptions?: (opts: Record<string, unknown>) => Record<string, unknown>;
}

/** TLS options of a `tls-config` node, for a `rediss://` store. */
export function storeTlsOptions(RED: NodeAPI, id: string): ConnectionOptions {
  const node = RED.nodes.getNode(id) as TlsConfigNode | null;
  if (!node || node.type !== 'tls-config' || typeof node.addTLSOptions !== 'function') {
    throw configError('tls', 'the selected TLS configuration node is missing; pick another or clear the field');
  }
  if (node.valid === false) {
    throw configError(
      `tls (TLS configuration "${node.name || node.id}")`,
      'is invalid; open it and fix the error it reports',
    );
  }
  const opts = node.addTLSOptions({});
  const out: ConnectionOptions = {
    rejectUnauthorized: opts.rejectUnauthorized !== false && opts.rejectUnauthorized !== 'false',
  };
  for (const name of ['ca', 'cert', 'key', 'passphrase', 'servername'] as const) {
    const v = opts[name];
    if (typeof v === 'string' || Buffer.isBuffer(v)) Object.assign(out, { [name]: v });
  }
  return out;
}

/** The running store a datasource selected, or a CONFIG_ERROR naming `sharedStore`. */
function selectedStore(RED: NodeAPI, id: string): SharedStore {
  const node = RED.nodes.getNode(id) as RestSharedStoreNode | null;
  if (!node || node.type !== 'rest-shared-store') {
    throw configError('sharedStore', 'the selected shared store node is missing; pick another or clear the field');
  }
  if (node.configError) throw configError('sharedStore', `the shared store is not valid: ${node.configError.message}`);
  if (!node.store) throw configError('sharedStore', 'the shared store is not running');
  return node.store;
}

/** The token records of a store, sealed with this runtime's credential secret (none: CONFIG_ERROR). */
function recordsOf(RED: NodeAPI, store: SharedStore): TokenRecords {
  const secret = credentialSecret(RED.settings as unknown as SettingsView);
  if (typeof secret !== 'string') {
    throw configError(
      'sharedStore',
      'OAuth tokens are shared only encrypted with the credential secret, and Node-RED has none (credentialSecret: false or not created yet); set credentialSecret in settings.js, the same on every instance',
    );
  }
  return new TokenRecords(store, deriveRecordKey(secret));
}

const recordKey = (store: SharedStore, nodeId: string, fingerprint: string) => store.key('oauth', nodeId, fingerprint);

/**
 * Tokens from the editor's Authorize, written to the datasource's shared store (when it has a
 * running one) so every instance uses them. Problems are left to the running datasource, which
 * shares them again when the store answers.
 */
export async function shareTokens(
  RED: NodeAPI,
  settings: DatasourceSettings,
  nodeId: string,
  fingerprint: string,
  tokens: TokenSet,
): Promise<void> {
  if (!settings.sharedStoreId) return;
  try {
    const store = selectedStore(RED, settings.sharedStoreId);
    await recordsOf(RED, store).write(recordKey(store, nodeId, fingerprint), { tokens, issuedAt: Date.now() }, true);
  } catch {
    // no store, no secret or no answer: see above
  }
}

/**
 * Options of a datasource with a shared store: the OAuth token sharing (handed to the OAuth
 * scheme) and the cluster pacer of `rateLimit`. Nothing without `sharedStore`.
 */
export function sharedOptions(
  RED: NodeAPI,
  nodeId: string,
  settings: DatasourceSettings,
): {
  store?: SharedStore;
  pacer?: DatasourceOptions['pacer'];
  sharing?: (fingerprint: string) => SharedTokens;
  dpopKey?: SharedDpopKey;
} {
  if (!settings.sharedStoreId) return {};
  const store = selectedStore(RED, settings.sharedStoreId);
  const out: ReturnType<typeof sharedOptions> = { store };
  if (settings.rateLimit > 0) {
    out.pacer = new ClusterPacer(new ClusterRate(store, store.key('rate', nodeId), settings.rateLimit), {
      timeoutMs: Math.min(COMMAND_TIMEOUT_MS, settings.timeout),
      closedError: () =>
        new RestError('ABORTED', 'the datasource was redeployed or stopped before this request could start'),
    });
  }
  if (settings.authType === 'oauth2') {
    const records = recordsOf(RED, store);
    out.sharing = (fingerprint) =>
      new SharedTokens({
        store,
        records,
        recordKey: recordKey(store, nodeId, fingerprint),
        lockKey: recordKey(store, nodeId, fingerprint) + ':lock',
        waitMs: settings.timeout,
        requestMs: settings.timeout,
        warn: (text) => RED.log.warn(`[rest-datasource] ${text}`),
      });
    if (settings.oauth2.dpop) {
      // Key `<prefix>dpop:<datasource id>`: one key per datasource, whatever its settings.
      out.dpopKey = new SharedDpopKey(
        store,
        deriveRecordKey(credentialSecret(RED.settings as unknown as SettingsView) as string),
        store.key('dpop', nodeId),
        Math.min(COMMAND_TIMEOUT_MS, settings.timeout),
      );
    }
  }
  return out;
}
