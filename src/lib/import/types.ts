/** What the importers propose: plain data the editor (or a script) applies to the two nodes. */
import type { AuthType } from '../settings';
import type { BodyType, HttpMethod } from '../types';
import type { QueryRow } from './operation-types';

export type { QueryRow };

/** A `rest-datasource` list row; a secret row's value travels in `credentials.secrets`. */
export interface DatasourceRow {
  name: string;
  value?: string;
  secret?: boolean;
}

/** Credentials of a proposed datasource: for the credential store, never for the flow. */
export interface ProposedCredentials {
  username?: string;
  password?: string;
  token?: string;
  apiKey?: string;
  awsAccessKeyId?: string;
  awsSecretAccessKey?: string;
  awsSessionToken?: string;
  /** JSON `{"<list>:<name>": value}` for secret rows, as the datasource stores it */
  secrets?: string;
}

/** Settings of a datasource, named as the `rest-datasource` node names them (CONTRACT.md). */
export interface DatasourceProposal {
  baseUrl: string;
  authType: AuthType;
  apiKeyName?: string;
  apiKeyIn?: 'header' | 'query';
  apiKeyPrefix?: string;
  awsRegion?: string;
  awsService?: string;
  headers?: DatasourceRow[];
  params?: DatasourceRow[];
  cookies?: DatasourceRow[];
  /** body fields added to every body (only secret ones are proposed: their values are credentials) */
  body?: DatasourceRow[];
  tlsVerify?: boolean;
  followRedirects?: boolean;
  maxRedirects?: number;
  oauth2GrantType?: 'client_credentials' | 'authorization_code' | 'password';
  oauth2TokenUrl?: string;
  oauth2AuthUrl?: string;
  oauth2Scopes?: string;
  credentials: ProposedCredentials;
}

/** Properties of a `rest-query` node. */
export interface QueryProposal {
  method: HttpMethod;
  path: string;
  headers: QueryRow[];
  params: QueryRow[];
  cookies: QueryRow[];
  bodyType: BodyType;
  timeout?: number;
}

/** Something in the input that was not imported, and why. */
export interface Ignored {
  flag: string;
  value?: string;
  /** why, in English; `code` names it for a translation (notices.ts) */
  reason: string;
  code: string;
}

/** A field or body that names a local file: the user has to supply its content. */
export interface NeedsFile {
  flag: string;
  field?: string;
  path: string;
}
