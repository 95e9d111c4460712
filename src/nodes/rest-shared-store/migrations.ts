/**
 * Versions of the rest-shared-store configuration (see docs/configuration-versions.md). Version 1
 * is the first; add a step and raise SHARED_STORE_VERSION when a setting is renamed or changes
 * meaning; a new setting only needs its default below.
 */
import { migrateConfig } from '../../lib/config-version';
import type { MigrationStep } from '../../lib/config-version';

/** Today's value of every setting the dialog shows, for a new node and for a missing setting. */
export const SHARED_STORE_DEFAULTS = {
  name: '',
  mode: 'standalone',
  url: 'redis://127.0.0.1:6379',
  nodes: '',
  masterName: '',
  keyPrefix: 'rest-datasource:',
  tls: '',
};

/** Step i brings version i to i + 1. */
const STEPS: readonly MigrationStep[] = [
  // 0 → 1: the first version (a store without `version` was never written).
  (config) => config,
];

/** The configuration version this build writes. */
export const SHARED_STORE_VERSION = STEPS.length;

/** A rest-shared-store config of any earlier version as today's, with today's defaults filled. */
export function migrateSharedStore<C extends object>(
  config: C,
): C & typeof SHARED_STORE_DEFAULTS & { version: number } {
  return migrateConfig(config, STEPS, SHARED_STORE_DEFAULTS);
}
