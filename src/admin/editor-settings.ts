/**
 * The dialog-values merge every admin route shares: the editor's current, unsaved values over
 * the deployed node's config and credentials.
 */
import type { NodeAPI } from 'node-red';
import { CREDENTIAL_NAMES } from '../lib/settings';
import type { RawConfig } from '../lib/settings';
import type { RestDatasourceNode } from '../runtime/types';

/** Node-RED's editor sends this for an unchanged password credential. */
const UNCHANGED = '__PWRD__';

/**
 * The deployed `rest-datasource` with this id, or undefined. The id comes from a URL: only a
 * node of our type counts (a prototype name such as `constructor` is an unknown id).
 */
export function deployedDatasource(RED: NodeAPI, id: string): RestDatasourceNode | undefined {
  const node = RED.nodes.getNode(id) as RestDatasourceNode | null;
  return node && typeof node === 'object' && node.type === 'rest-datasource' && node.id === id ? node : undefined;
}

/** What the dialog changed that decides where requests (and the secrets on them) go. */
export interface DestinationChanges {
  /** Base URL origin, proxy, TLS configuration, certificate verification or CA: every request. */
  network: boolean;
  /** The token endpoint: client secret, resource owner password and refresh token go there. */
  tokenUrl: boolean;
  /** The authorization endpoint: its codes are redeemed with the client secret. */
  authUrl: boolean;
}

export interface EditorSettings {
  config: RawConfig;
  credentials: Record<string, unknown>;
  /** Set when stored secrets were withheld: the dialog points somewhere else than the deployed node. */
  changed: DestinationChanges;
  /** True when any destination changed: stored runtime tokens must not be used either. */
  destinationChanged: boolean;
  /** Names of the stored credentials withheld (set in the store, not given again by the dialog). */
  withheld: string[];
  /**
   * Whether stored client-certificate material (the datasource's cert, key and passphrase, or
   * its tls-config node's) may be presented: only for a deployed node whose base URL origin,
   * TLS settings, proxy and token URL the dialog left as they are.
   */
  clientCertificate: boolean;
}

const NOTHING_CHANGED: DestinationChanges = { network: false, tokenUrl: false, authUrl: false };

/** Secrets that travel to the token endpoint, or redeem what the authorization endpoint issues. */
const TOKEN_URL_SECRETS = [
  'clientSecret',
  'password',
  'refreshToken',
  // keys that sign assertions for the token endpoint (and the key DPoP-bound tokens are tied to)
  'clientPrivateKey',
  'serviceAccountKey',
  'dpopKey',
];
/** A client certificate and its key are stored secrets like a password (docs/security.md). */
const CLIENT_CERTIFICATE = ['cert', 'key', 'passphrase'];
const AUTH_URL_SECRETS = ['clientSecret'];

/**
 * Merge the editor's values over the deployed node's config and credentials. Stored secrets
 * belong to the deployed destinations: when the dialog changes where a secret would go (base
 * URL origin, token or authorization URL, proxy, TLS trust), that secret is not taken from the
 * store and the dialog has to supply it again.
 */
export function editorSettings(RED: NodeAPI, id: string, body: unknown): EditorSettings {
  const input = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const deployed = deployedDatasource(RED, id);
  const config: RawConfig = { ...(deployed?.rawConfig ?? {}) };
  const stored = (deployed ? (RED.nodes.getCredentials(id) ?? {}) : {}) as Record<string, unknown>;
  // A datasource that is not deployed has no stored secrets to protect.
  const changed = deployed ? destinationChanges(config, stored, input) : NOTHING_CHANGED;
  const credentials: Record<string, unknown> = changed.network ? {} : { ...stored };
  if (changed.tokenUrl) for (const name of TOKEN_URL_SECRETS) delete credentials[name];
  if (changed.authUrl) for (const name of AUTH_URL_SECRETS) delete credentials[name];
  const clientCertificate = Boolean(deployed) && !changed.network && !changed.tokenUrl;
  if (!clientCertificate) for (const name of CLIENT_CERTIFICATE) delete credentials[name];
  for (const [key, value] of Object.entries(input)) {
    if ((CREDENTIAL_NAMES as readonly string[]).includes(key)) {
      if (value !== UNCHANGED && value !== undefined) credentials[key] = value;
    } else {
      config[key] = value;
    }
  }
  // The certificate is a text credential, so the dialog sends the stored one back as typed; its
  // key (a password) arrives as "unchanged". Without the key the echoed certificate goes too.
  if (!clientCertificate && credentials.cert && !credentials.key) {
    delete credentials.cert;
    delete credentials.passphrase;
  }
  const destinationChanged = changed.network || changed.tokenUrl || changed.authUrl;
  const given = (v: unknown) => v !== undefined && v !== null && v !== '';
  // Only what was held back, not what the dialog cleared on purpose.
  const withheld = destinationChanged
    ? Object.keys(stored).filter(
        (k) => given(stored[k]) && !given(credentials[k]) && (!(k in input) || input[k] === UNCHANGED),
      )
    : [];
  return { config, credentials, changed, destinationChanged, withheld, clientCertificate };
}

function destinationChanges(
  config: RawConfig,
  stored: Record<string, unknown>,
  input: Record<string, unknown>,
): DestinationChanges {
  /** The dialog sent this field with another meaning than the deployed value. */
  const differs = (field: string, norm: (v: unknown) => string, deployed = config[field]) =>
    field in input && norm(input[field]) !== norm(deployed);
  return {
    network:
      differs('baseUrl', originOf) ||
      differs('proxy', text) ||
      differs('tls', text) ||
      differs('tlsVerify', verifies) ||
      (input.ca !== UNCHANGED && differs('ca', text, stored.ca)),
    tokenUrl: differs('oauth2TokenUrl', href),
    authUrl: differs('oauth2AuthUrl', href),
  };
}

function text(v: unknown): string {
  return v === undefined || v === null ? '' : String(v).trim();
}

function verifies(v: unknown): string {
  return v === false || v === 'false' ? 'false' : 'true';
}

function href(v: unknown): string {
  try {
    return new URL(text(v)).href;
  } catch {
    return text(v);
  }
}

function originOf(v: unknown): string {
  try {
    return new URL(text(v)).origin;
  } catch {
    return text(v);
  }
}
