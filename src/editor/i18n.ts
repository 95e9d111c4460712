/** Translate a key of one node's catalog, e.g. t('label.name'), with __placeholder__ values. */
export type Translate = (key: string, vars?: Record<string, unknown>) => string;

/** The package name Node-RED prefixes catalog namespaces with. */
export const MODULE = 'node-red-contrib-rest-datasource';

/** The catalog namespace of a node type, as RED._ and RED.clipboard expect it. */
export function catalogKey(type: string, key: string): string {
  return `${MODULE}/${type}:${type}.${key}`;
}

/** A translator for one node type's catalog (locales/<lang>/<type>.json). */
export function translator(type: string): Translate {
  return (key, vars) => RED._(catalogKey(type, key), vars);
}
