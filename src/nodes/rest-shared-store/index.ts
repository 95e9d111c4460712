/**
 * The `rest-shared-store` config node: a Redis or Valkey server that several Node-RED
 * instances running the same flows share (OAuth tokens, refresh lock, rate limit). It holds
 * one connection that reconnects by itself; an outage is logged once, and its end once.
 */
import type { NodeAPI, NodeDef } from 'node-red';
import { RestError } from '../../lib/errors';
import { Redactor } from '../../lib/redact';
import { RedisStore } from '../../lib/shared/redis-store';
import { DEFAULT_KEY_PREFIX } from '../../lib/shared/store';
import type { RestSharedStoreNode, SharedStoreCredentials } from '../../runtime/shared-store';
import { migrateSharedStore } from './migrations';
import { storeDestination, storeTlsOptions } from '../../runtime/shared-store';

interface SharedStoreConfig extends NodeDef {
  mode?: string;
  nodes?: string;
  masterName?: string;
  url?: string;
  keyPrefix?: string;
  tls?: string;
}

export = function register(RED: NodeAPI): void {
  function RestSharedStore(this: RestSharedStoreNode, saved: SharedStoreConfig) {
    RED.nodes.createNode(this, saved);
    const config = migrateSharedStore(saved);
    const credentials = (this.credentials ?? {}) as SharedStoreCredentials;
    const redactor = new Redactor().add(credentials.username, credentials.password, credentials.sentinelPassword);
    this.destination = storeDestination(config);
    try {
      const store = new RedisStore({
        mode: config.mode,
        url: String(config.url),
        nodes: config.nodes,
        masterName: config.masterName,
        sentinelUsername: credentials.sentinelUsername,
        sentinelPassword: credentials.sentinelPassword,
        keyPrefix: config.keyPrefix ? String(config.keyPrefix) : DEFAULT_KEY_PREFIX,
        username: credentials.username,
        password: credentials.password,
        tls: config.tls ? storeTlsOptions(RED, config.tls) : undefined,
      });
      this.store = store;
      let outage = false;
      store.onState((state, reason) => {
        if (state === 'up' && reason && reason.startsWith('failover')) {
          this.log(redactor.redact(RED._('rest-shared-store.log.failover', { store: store.label, reason })));
        }
        if (state === 'down' && !outage) {
          outage = true;
          this.warn(
            redactor.redact(`${RED._('rest-shared-store.log.down', { store: store.label, reason: reason ?? '' })}`),
          );
        } else if (state === 'up' && outage) {
          outage = false;
          this.log(RED._('rest-shared-store.log.up', { store: store.label }));
        }
      });
    } catch (err) {
      const e = err instanceof RestError ? err : new RestError('CONFIG_ERROR', String((err as Error).message));
      this.configError = new RestError('CONFIG_ERROR', redactor.redact(e.message), { field: e.field });
      this.error(this.configError.toString());
    }
    this.on('close', (done: () => void) => {
      const store = this.store;
      this.store = undefined;
      if (store) store.close().then(done, done);
      else done();
    });
  }

  RED.nodes.registerType<RestSharedStoreNode, SharedStoreConfig, unknown, SharedStoreCredentials>(
    'rest-shared-store',
    RestSharedStore,
    {
      credentials: {
        username: { type: 'text' },
        password: { type: 'password' },
        sentinelUsername: { type: 'text' },
        sentinelPassword: { type: 'password' },
      },
    },
  );
};
