// Nodes the import adds to the workspace: a new datasource (with its credentials) and an Inject
// node that sends the command's body. Added through RED.nodes.import, as a paste would add them,
// so they get their type's defaults, and one history entry so Undo removes them.
export type NodeJson = Record<string, unknown> & { id: string; type: string };

/** Add `nodes`, and a wire from each added node's first output to `wireTo` (an existing node). */
export function addNodes(nodes: NodeJson[], wireTo?: RedNode): RedNode[] {
  const wasDirty = RED.nodes.dirty();
  const result = RED.nodes.import(nodes, { generateIds: false, applyNodeDefaults: true, markChanged: true });
  const links: unknown[] = [...result.links];
  for (const n of result.nodes) {
    RED.editor.validateNode(n);
    if (wireTo && Number(n.outputs) > 0) {
      const link = { source: n, sourcePort: 0, target: wireTo };
      RED.nodes.addLink(link);
      links.push(link);
    }
  }
  RED.history.push({ t: 'add', nodes: result.nodes.map((n) => n.id), links, dirty: wasDirty });
  RED.nodes.dirty(true);
  RED.view.redraw(true);
  return nodes.map((n) => RED.nodes.node(n.id)).filter((n): n is RedNode => !!n);
}
