/**
 * The OAuth pieces one Node-RED runtime shares: the encrypted token vault in its user
 * directory and the pending authorizations of the admin routes.
 */
import type { NodeAPI } from 'node-red';
import type { Datasource, DatasourceOptions } from '../lib/datasource';
import type { RawConfig } from '../lib/settings';
import { secretsOf } from '../lib/settings';
import { StateStore } from '../lib/oauth/pkce';
import { createOAuthScheme, isOAuthScheme } from '../lib/oauth/scheme';
import type { OAuthSchemeOptions } from '../lib/oauth/scheme';
import { TokenVault } from '../lib/oauth/vault';
import type { DpopKeyPersistence, DpopKeySharing } from '../lib/oauth/dpop-key';

export interface PendingContext {
  config: RawConfig;
  credentials: Record<string, unknown>;
  /** Whether the stored client certificate may be presented (editor-settings.ts). */
  clientCertificate?: boolean;
}

export interface OAuthRuntime {
  vault: TokenVault;
  /** Generated DPoP keys (a JWK per node, in the accessToken field), encrypted like the tokens. */
  dpopKeys: TokenVault;
  states: StateStore<PendingContext>;
}

const runtimes = new WeakMap<object, OAuthRuntime>();

export const DPOP_KEY_FILE = 'rest-datasource-dpop-keys.json';
/** The one entry a node has in the DPoP key file. */
const DPOP_ENTRY = 'dpop-key';

/** Where the generated DPoP key of `nodeId` survives a restart. */
function dpopPersistence(rt: OAuthRuntime, nodeId: string): DpopKeyPersistence {
  return {
    load: () => rt.dpopKeys.load(nodeId, DPOP_ENTRY)?.accessToken,
    save: (jwk) => rt.dpopKeys.save(nodeId, DPOP_ENTRY, { accessToken: jwk }),
  };
}

export interface SettingsView {
  userDir?: unknown;
  credentialSecret?: unknown;
  get?: (name: string) => unknown;
}

/** The key Node-RED encrypts flows_cred.json with: the user's, or the one it generated. */
export function credentialSecret(settings: SettingsView): string | false | undefined {
  if (settings.credentialSecret === false) return false;
  if (typeof settings.credentialSecret === 'string' && settings.credentialSecret) return settings.credentialSecret;
  try {
    const generated = typeof settings.get === 'function' ? settings.get('_credentialSecret') : undefined;
    return typeof generated === 'string' && generated ? generated : undefined;
  } catch {
    return undefined;
  }
}

export function oauthRuntime(RED: NodeAPI): OAuthRuntime {
  let rt = runtimes.get(RED);
  if (!rt) {
    const settings = RED.settings as unknown as SettingsView;
    const dir = typeof settings.userDir === 'string' && settings.userDir ? settings.userDir : undefined;
    rt = {
      vault: new TokenVault({
        dir,
        secret: () => credentialSecret(settings),
        warn: (text) => RED.log.warn(`[rest-datasource] ${text}`),
      }),
      states: new StateStore<PendingContext>(),
      dpopKeys: new TokenVault({
        dir,
        fileName: DPOP_KEY_FILE,
        secret: () => credentialSecret(settings),
        warn: (text) => RED.log.warn(`[rest-datasource] ${text}`),
      }),
    };
    runtimes.set(RED, rt);
  }
  return rt;
}

/**
 * The datasource option that builds its OAuth 2.0 scheme, persisted under `nodeId`; without a
 * node id the scheme neither uses nor keeps stored tokens (an admin route whose dialog points
 * somewhere else than the deployed node).
 */
export function oauthOptions(
  RED: NodeAPI,
  nodeId: string | undefined,
  sharing?: OAuthSchemeOptions['sharing'],
  dpopSharing?: DpopKeySharing,
): Pick<DatasourceOptions, 'oauth2'> {
  if (nodeId === undefined) return { oauth2: (settings, client) => createOAuthScheme(settings, client) };
  const rt = oauthRuntime(RED);
  const dpopKey = { ...dpopKeyOf(RED, nodeId), sharing: dpopSharing };
  return {
    oauth2: (settings, client) => createOAuthScheme(settings, client, { vault: rt.vault, nodeId, sharing, dpopKey }),
  };
}

/** The DPoP key a node proves with (kept across restarts), for every scheme acting for it. */
export function dpopKeyOf(RED: NodeAPI, nodeId: string): NonNullable<OAuthSchemeOptions['dpopKey']> {
  return {
    persistence: dpopPersistence(oauthRuntime(RED), nodeId),
    warn: (text: string) => RED.log.warn(`[rest-datasource] ${text}`),
  };
}

/**
 * Teach the datasource's redactor every token it gets. The previous set stays masked too (an
 * answer may still mention it); older ones are forgotten so the list stays short.
 */
export function redactTokens(ds: Datasource): void {
  if (!isOAuthScheme(ds.auth)) return;
  const configured = new Set(secretsOf(ds.settings));
  let current: string[] = [];
  let previous: string[] = [];
  ds.auth.onSecrets((secrets) => {
    if (secrets.join('\n') === current.join('\n')) return;
    ds.redactor.remove(...previous.filter((s) => !configured.has(s) && !secrets.includes(s) && !current.includes(s)));
    ds.redactor.add(...secrets);
    previous = current;
    current = secrets;
  });
}
