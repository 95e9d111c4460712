/**
 * The datasource's cache options as a Node-RED runtime gives them: its node id, and with a
 * `sharedStore` the Redis side, keyed and sealed with keys derived from Node-RED's credential
 * secret (the same on every instance that shares a flow). Without a credential secret the
 * cache stays local and says so once.
 */
import type { NodeAPI } from 'node-red';
import type { CacheOptions } from '../lib/datasource';
import type { DatasourceSettings } from '../lib/settings';
import type { SharedStore } from '../lib/shared/store';
import { COMMAND_TIMEOUT_MS } from '../lib/shared/redis-store';
import { deriveCacheKeys, RedisCacheBackend } from '../lib/cache/redis-backend';
import { credentialSecret } from './oauth-runtime';
import type { SettingsView } from './oauth-runtime';

export function cacheOptions(
  RED: NodeAPI,
  nodeId: string,
  settings: DatasourceSettings,
  store: SharedStore | undefined,
): CacheOptions | undefined {
  if (settings.cache !== 'http' && !settings.coalesce) return undefined;
  const warn = (text: string) => RED.log.warn(`[rest-datasource] ${settings.name || nodeId}: ${text}`);
  if (!store || settings.cache !== 'http') return { id: nodeId, warn };
  const secret = credentialSecret(RED.settings as unknown as SettingsView);
  if (typeof secret !== 'string') {
    warn(
      'cached responses are shared only encrypted with the credential secret, and Node-RED has none; they stay on this instance (set credentialSecret in settings.js, the same on every instance)',
    );
    return { id: nodeId, warn };
  }
  const keys = deriveCacheKeys(secret);
  const timeoutMs = Math.min(COMMAND_TIMEOUT_MS, settings.timeout);
  return {
    id: nodeId,
    keySecret: keys.names,
    shared: new RedisCacheBackend(store, nodeId, keys, timeoutMs),
    warn,
  };
}
