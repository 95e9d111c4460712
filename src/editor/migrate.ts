// An imported node saved by an older version lacks newer settings: Node-RED leaves those
// undefined and the dialog would show, e.g., a blank select. Before the dialog shows the node,
// its settings are migrated with the node's own migrations module and the fields are updated.
import type { NodeConfig } from '../lib/config-version';
import { field, type FieldPrefix } from './dom';

/** The node's settings (its `defaults`) as a plain config, the way the runtime gets them. */
function settingsOf(node: RedNode): NodeConfig {
  const out: NodeConfig = {};
  for (const key of Object.keys(node._def.defaults)) out[key] = node[key];
  return out;
}

/**
 * Show `migrate(node)` in the open dialog: every field whose setting the migration changed or
 * filled gets the migrated value. Config-node pickers keep their choice. Returns the migrated
 * settings (for the row lists, which the dialog builds itself).
 */
export function showMigrated(node: RedNode, prefix: FieldPrefix, migrate: (c: NodeConfig) => NodeConfig): NodeConfig {
  const before = settingsOf(node);
  const after = migrate(before);
  for (const [key, def] of Object.entries(node._def.defaults)) {
    const value = after[key];
    if (def.type || JSON.stringify(value) === JSON.stringify(before[key])) continue;
    const el = field(prefix, key);
    if (!el.length || Array.isArray(value)) continue;
    if (el.attr('type') === 'checkbox') el.prop('checked', value === true || value === 'true');
    else el.val(value === undefined || value === null ? '' : String(value));
  }
  return after;
}
