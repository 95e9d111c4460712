// The editor globals this package's dialogs use: Node-RED's RED object (the parts we call) and
// the two jQuery widgets Node-RED adds (editableList, typedInput). jQuery itself comes from
// @types/jquery. Hand-written: @types/node-red__editor-client pulls in the runtime's (Node.js)
// types and types validators with one argument, where Node-RED passes two and shows a
// returned string as the reason.

/** A property validator: true, or the reason Node-RED shows in its tooltip. */
type RedValidator = (this: RedNode, value: unknown, opt?: unknown) => boolean | string;

interface RedPropertyDef {
  value: unknown;
  required?: boolean;
  type?: string;
  validate?: RedValidator;
}

interface RedCredentialDef {
  type: 'text' | 'password';
  validate?: RedValidator;
}

/** A node as the editor holds it: its settings are own properties. */
interface RedNode {
  id: string;
  type: string;
  name?: string;
  credentials?: Record<string, string | boolean | undefined>;
  _def: { defaults: Record<string, RedPropertyDef>; credentials?: Record<string, RedCredentialDef> };
  [prop: string]: unknown;
}

interface RedNodeDef {
  category: string;
  color?: string;
  defaults: Record<string, RedPropertyDef>;
  credentials?: Record<string, RedCredentialDef>;
  inputs?: number;
  outputs?: number;
  icon?: string;
  paletteLabel?: string | ((this: RedNode) => string);
  label?: string | ((this: RedNode) => string);
  labelStyle?: string | ((this: RedNode) => string);
  oneditprepare?: (this: RedNode) => void;
  oneditsave?: (this: RedNode) => boolean | void;
  oneditcancel?: (this: RedNode) => void;
  oneditresize?: (this: RedNode, size: { width: number; height: number }) => void;
}

interface RedTabs {
  addTab(tab: { id: string; label: string }): void;
  activateTab(id: string): void;
  resize(): void;
}

interface RedEditorGlobal {
  _(key: string, vars?: Record<string, unknown>): string;
  nodes: {
    registerType(type: string, def: RedNodeDef): void;
    node(id: string): RedNode | null | undefined;
    eachConfig(cb: (node: RedNode) => boolean | void): void;
    dirty(dirty?: boolean): boolean;
    /** a new, unused node id */
    id(): string;
    /** the definition a type registered (its defaults and credentials) */
    getType(type: string): RedNodeDef | undefined;
    /** add nodes as a paste does; config nodes are among `nodes` too */
    import(
      nodes: object[],
      options?: { generateIds?: boolean; applyNodeDefaults?: boolean; markChanged?: boolean },
    ): { nodes: RedNode[]; links: unknown[] };
    addLink(link: { source: RedNode; sourcePort: number; target: RedNode }): void;
    removeLink(link: { source: RedNode; sourcePort: number; target: RedNode }): void;
    remove(id: string): unknown;
    eachNode(cb: (node: RedNode) => boolean | void): void;
  };
  events: { on(event: string, cb: (...args: unknown[]) => void): void };
  notify(text: string, options?: { type?: 'warning' | 'error' | 'success'; timeout?: number }): unknown;
  editor: { validateNode(node: RedNode): void };
  view: {
    redraw(full?: boolean): void;
    select(selection: string | { nodes: RedNode[] }): void;
    reveal(id: string): void;
  };
  history: { push(event: Record<string, unknown>): void; pop(): void; peek(): unknown };
  tabs: { create(opts: { id: string; onchange?: (tab: { id: string }) => void }): RedTabs };
  clipboard: { copyText(text: string, element: JQuery, messageKey: string): void };
  popover: { tooltip(target: JQuery, content: string): void };
  validators: { number(blankAllowed?: boolean): RedValidator };
}

declare const RED: RedEditorGlobal;

type TypedInputType = string | { value: string; label?: string; icon?: string; hasValue?: boolean };

interface JQuery {
  editableList<T extends object>(opts: {
    addItem: (row: JQuery, index: number, data: T) => void;
    addButton?: string | boolean;
    height?: number | 'auto';
    removable?: boolean;
    sortable?: boolean;
  }): JQuery;
  editableList(action: 'addItem', data: object): void;
  editableList(action: 'items'): JQuery;
  editableList(action: 'empty'): void;
  typedInput(opts: { types: TypedInputType[]; default?: string; typeField?: string | JQuery }): JQuery;
  typedInput(action: 'value' | 'type'): string;
  typedInput(action: 'value' | 'type' | 'width', value: string): void;
}
