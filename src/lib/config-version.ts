/**
 * Versioned node configuration. A node saved by an earlier version of this package lacks the
 * settings added since (0.1.0 saved no `version` at all): `migrateConfig` applies the steps from
 * the saved version to today's, fills today's default for every setting still missing, and sets
 * `version`. Pure: the runtime runs it before parsing settings, the editor before filling the
 * dialog, both with the same node module (src/nodes/<type>/migrations.ts).
 */

/** A node's settings as Node-RED stores them in the flow. */
export type NodeConfig = Record<string, unknown>;

/** One step: a config of version n in, version n + 1 out (a new object; the input is left alone). */
export type MigrationStep = (config: NodeConfig) => NodeConfig;

/** The version a config says it has: a whole number >= 0; missing or unreadable means 0 (0.1.0). */
export function configVersion(config: object): number {
  const v = Number((config as NodeConfig).version);
  return Number.isInteger(v) && v >= 0 ? v : 0;
}

/** A deep copy of a JSON default, so no two nodes share one array. */
const copy = <T>(value: T): T => (value !== null && typeof value === 'object' ? structuredClone(value) : value);

/**
 * Bring `config` to version `steps.length`: step i migrates version i to i + 1. A config from a
 * newer build keeps its version and settings (nothing is downgraded); missing settings get
 * `defaults` either way.
 */
export function migrateConfig<C extends object, T extends NodeConfig>(
  config: C,
  steps: readonly MigrationStep[],
  defaults: T,
): C & T & { version: number } {
  const from = configVersion(config);
  let out: NodeConfig = { ...(config as NodeConfig) };
  for (let v = from; v < steps.length; v++) out = steps[v](out);
  for (const [key, value] of Object.entries(defaults)) {
    if (out[key] === undefined || out[key] === null) out[key] = copy(value);
  }
  out.version = Math.max(from, steps.length);
  return out as C & T & { version: number };
}
