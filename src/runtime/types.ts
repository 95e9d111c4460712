/** The Node-RED shapes the adapters share. */
import type { Node } from 'node-red';
import type { Datasource } from '../lib/datasource';
import type { RestError } from '../lib/errors';
import type { DatasourceCredentials, RawConfig } from '../lib/settings';
import type { SharedStore } from '../lib/shared/store';

export interface RestDatasourceNode extends Node<DatasourceCredentials> {
  /** The running datasource, absent when its configuration is invalid. */
  datasource?: Datasource;
  /** Why the configuration is invalid (redacted), for every query that uses it. */
  configError?: RestError;
  /** The flow properties it was deployed with (admin routes fill gaps in editor values). */
  rawConfig?: RawConfig;
  /** The shared store it selected (several instances), for the status of its queries. */
  sharedStore?: SharedStore;
}

/** Credential definitions: text ones travel back to the editor, password ones never do. */
export const DATASOURCE_CREDENTIALS = {
  username: { type: 'text' },
  password: { type: 'password' },
  token: { type: 'password' },
  apiKey: { type: 'password' },
  clientId: { type: 'text' },
  clientSecret: { type: 'password' },
  accessToken: { type: 'password' },
  refreshToken: { type: 'password' },
  ca: { type: 'text' },
  cert: { type: 'text' },
  key: { type: 'password' },
  passphrase: { type: 'password' },
  signatureKey: { type: 'password' },
  // AWS Signature Version 4 and OAuth 1.0a: identifiers are text, secrets and tokens password.
  awsAccessKeyId: { type: 'text' },
  awsSecretAccessKey: { type: 'password' },
  awsSessionToken: { type: 'password' },
  oauth1ConsumerKey: { type: 'text' },
  oauth1ConsumerSecret: { type: 'password' },
  oauth1Token: { type: 'password' },
  oauth1TokenSecret: { type: 'password' },
  oauth1PrivateKey: { type: 'password' },
  clientPrivateKey: { type: 'password' },
  serviceAccountKey: { type: 'password' },
  dpopKey: { type: 'password' },
  // JSON of the secret rows' values. Password type: never sent back to the editor (a user with
  // credentials.read could read a text credential); the dialog shows "unchanged" instead.
  secrets: { type: 'password' },
  // JSON of the secret row values the dialog changed since `secrets` was saved; folded into
  // `secrets` on deploy (secret-rows.ts).
  secretEdits: { type: 'password' },
} as const;
