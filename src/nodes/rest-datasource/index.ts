/**
 * The `rest-datasource` config node: validates settings and credentials on deploy and holds
 * the running Datasource that every `rest-query` using it shares.
 */
import type { NodeAPI, NodeDef } from 'node-red';
import { Datasource } from '../../lib/datasource';
import { RestError } from '../../lib/errors';
import { parseSettings, secretCredentialValues } from '../../lib/settings';
import type { DatasourceCredentials, RawConfig } from '../../lib/settings';
import { Redactor } from '../../lib/redact';
import { registerAdminRoutes } from '../../admin';
import { networkOptions } from '../../runtime/network-config';
import { oauthOptions, oauthRuntime, redactTokens } from '../../runtime/oauth-runtime';
import type { RestDatasourceNode } from '../../runtime/types';
import { sharedOptions } from '../../runtime/shared-store';
import { cacheOptions } from '../../runtime/shared-cache';
import { DATASOURCE_CREDENTIALS } from '../../runtime/types';
import { migrateDatasource } from './migrations';
import { isInlineIndex, splitInline } from '../../lib/import/openapi-ref';
import { saveIndex } from '../../runtime/openapi-index-store';
import { foldSecretEdits } from '../../runtime/secret-rows';

export = function register(RED: NodeAPI): void {
  function RestDatasource(this: RestDatasourceNode, saved: NodeDef & RawConfig) {
    RED.nodes.createNode(this, saved);
    // A datasource saved by an older version: today's settings, defaults for what it lacks.
    const config = migrateDatasource(saved);
    this.rawConfig = config;
    // 0.1.x kept the OpenAPI operation index in the flow: move it to the user directory (the
    // editor then saves only the reference with the next deploy). Nothing at runtime reads it.
    if (isInlineIndex(config.openapi)) {
      const { index, ref } = splitInline(config.openapi);
      saveIndex(RED, index, ref.source);
    }
    const credentials = (this.credentials ?? {}) as Record<string, unknown>;
    foldSecretEdits(RED, this.id, credentials);
    try {
      const settings = parseSettings(config, credentials);
      const shared = sharedOptions(RED, this.id, settings);
      this.datasource = new Datasource(settings, {
        ...oauthOptions(RED, this.id, shared.sharing, shared.dpopKey),
        ...networkOptions(RED, settings),
        pacer: shared.pacer,
        cache: cacheOptions(RED, this.id, settings, shared.store),
      });
      this.sharedStore = shared.store;
      redactTokens(this.datasource);
    } catch (err) {
      // Never echo a secret, even one that ended up in a wrong field.
      const redactor = new Redactor().add(...secretCredentialValues(credentials));
      const e = err instanceof RestError ? err : new RestError('CONFIG_ERROR', String((err as Error).message));
      this.configError = new RestError('CONFIG_ERROR', redactor.redact(e.message), { field: e.field });
      this.error(this.configError.toString());
    }
    this.on('close', (removed: boolean, done: () => void) => {
      if (this.datasource) this.datasource.close();
      // A deleted datasource takes its stored OAuth tokens with it.
      if (removed) {
        oauthRuntime(RED).vault.remove(this.id);
        oauthRuntime(RED).dpopKeys.remove(this.id);
      }
      done();
    });
  }

  RED.nodes.registerType<RestDatasourceNode, NodeDef & RawConfig, unknown, DatasourceCredentials>(
    'rest-datasource',
    RestDatasource,
    {
      credentials: DATASOURCE_CREDENTIALS,
    },
  );
  registerAdminRoutes(RED);
};
