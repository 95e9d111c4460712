/**
 * Versions of the rest-datasource configuration. Version 1 is the first with a `version`
 * property; flows saved by 0.1.0 have none (version 0). Add a step and raise
 * DATASOURCE_VERSION when a setting is renamed or changes meaning; a new setting only needs its
 * default below.
 */
import { migrateConfig } from '../../lib/config-version';
import type { MigrationStep } from '../../lib/config-version';

/** Today's value of every setting the dialog shows, for a new node and for a missing setting. */
export const DATASOURCE_DEFAULTS = {
  name: '',
  baseUrl: '',
  headers: [] as unknown[],
  params: [] as unknown[],
  cookies: [] as unknown[],
  body: [] as unknown[],
  authType: 'none',
  apiKeyName: 'X-API-Key',
  apiKeyIn: 'header',
  apiKeyPrefix: '',
  oauth2GrantType: 'client_credentials',
  oauth2TokenUrl: '',
  oauth2AuthUrl: '',
  oauth2Scopes: '',
  oauth2Audience: '',
  oauth2Resource: '',
  oauth2ClientAuth: 'header',
  oauth2Pkce: true,
  oauth2TokenPlacement: 'header',
  oauth2HeaderPrefix: 'Bearer',
  oauth2QueryParam: 'access_token',
  oauth2TokenParams: [] as unknown[],
  oauth2AuthParams: [] as unknown[],
  oauth2TokenHeaders: [] as unknown[],
  oauth2ExpiresIn: '',
  oauth2ExpiredStatus: '401',
  // AWS Signature Version 4 and OAuth 1.0a (docs/authentication.md)
  awsRegion: '',
  awsService: '',
  oauth1SignatureMethod: 'HMAC-SHA1',
  oauth1Realm: '',
  oauth2ClientKeyId: '',
  oauth2ClientAssertionAlg: 'RS256',
  oauth2AssertionIssuer: '',
  oauth2AssertionSubject: '',
  oauth2AssertionAudience: '',
  oauth2Dpop: false,
  tlsVerify: true,
  tls: '',
  proxy: '',
  sharedStore: '',
  timeout: 30000,
  followRedirects: true,
  maxRedirects: 5,
  maxResponseBytes: 52428800,
  retries: 0,
  retryDelay: 500,
  signatureEnabled: false,
  signatureHeader: 'X-Signature',
  signatureIssuer: 'node-red',
  signatureBindRequest: true,
  concurrency: 0,
  rateLimit: 0,
  cookieJar: false,
  /** the compact operation index of an imported OpenAPI description (docs/import.md), or '' */
  openapi: '' as unknown,
};

/** Step i brings version i to i + 1. */
const STEPS: readonly MigrationStep[] = [
  // 0 → 1 (0.1.0): the same settings; those added since 0.1.0 get their defaults.
  (config) => config,
];

/** The configuration version this build writes. */
export const DATASOURCE_VERSION = STEPS.length;

/** A rest-datasource config of any earlier version as today's, with today's defaults filled. */
export function migrateDatasource<C extends object>(config: C): C & typeof DATASOURCE_DEFAULTS & { version: number } {
  return migrateConfig(config, STEPS, DATASOURCE_DEFAULTS);
}
