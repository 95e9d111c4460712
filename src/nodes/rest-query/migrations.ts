/**
 * Versions of the rest-query configuration. Version 1 is the first with a `version` property;
 * flows saved by 0.1.0 have none (version 0). Add a step and raise QUERY_VERSION when a setting
 * is renamed or changes meaning; a new setting only needs its default below.
 */
import { migrateConfig } from '../../lib/config-version';
import type { MigrationStep } from '../../lib/config-version';

/** Today's value of every setting the dialog shows, for a new node and for a missing setting. */
export const QUERY_DEFAULTS = {
  name: '',
  datasource: '',
  method: 'GET',
  path: '',
  headers: [] as unknown[],
  params: [] as unknown[],
  cookies: [] as unknown[],
  bodyType: 'auto',
  responseType: 'auto',
  failOnHttpError: true,
  timeout: '',
  paginate: 'off',
  pageNextPath: '',
  pageParam: '',
  pageStart: '',
  pageStep: '',
  pageCursorPath: '',
  pageItemsPath: '',
  pageMax: 100,
  pageOutput: 'each',
  payloadPath: '',
  payloadPathType: 'path',
  cacheTtl: 0,
  /** the OpenAPI operation the dialog's picker chose (docs/import.md) */
  operationId: '',
};

/** Step i brings version i to i + 1. */
const STEPS: readonly MigrationStep[] = [
  // 0 → 1 (0.1.0): the same settings; those added since 0.1.0 get their defaults.
  (config) => config,
];

/** The configuration version this build writes. */
export const QUERY_VERSION = STEPS.length;

/** A rest-query config of any earlier version as today's, with today's defaults filled. */
export function migrateQuery<C extends object>(config: C): C & typeof QUERY_DEFAULTS & { version: number } {
  return migrateConfig(config, STEPS, QUERY_DEFAULTS);
}
