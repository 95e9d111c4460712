// Nodes the import adds to the workspace: a new datasource (with its credentials) and an Inject
// node that sends the command's body. Added through RED.nodes.import, as a paste would add them,
// so they get their type's defaults, and one history entry so Undo (and the dialog's Cancel)
// removes them.
import { undoEvent } from './import-session';

export type NodeJson = Record<string, unknown> & { id: string; type: string };

/** Add `nodes`, and a wire from each added node's first output to `wireTo` (an existing node). */
export function addNodes(nodes: NodeJson[], wireTo?: RedNode): RedNode[] {
  const wasDirty = RED.nodes.dirty();
  const result = RED.nodes.import(nodes, { generateIds: false, applyNodeDefaults: true, markChanged: true });
  const links: Array<{ source: RedNode; sourcePort: number; target: RedNode }> = [];
  for (const n of result.nodes) {
    RED.editor.validateNode(n);
    if (wireTo && Number(n.outputs) > 0) {
      const link = { source: n, sourcePort: 0, target: wireTo };
      RED.nodes.addLink(link);
      links.push(link);
    }
  }
  const event = { t: 'add', nodes: result.nodes.map((n) => n.id), links: [...result.links, ...links], dirty: wasDirty };
  RED.history.push(event);
  // Cancel of the query dialog takes the nodes back out.
  undoEvent(event, () => {
    for (const link of links) RED.nodes.removeLink(link);
    for (const n of result.nodes) if (RED.nodes.node(n.id)) RED.nodes.remove(n.id);
    RED.nodes.dirty(wasDirty);
  });
  RED.nodes.dirty(true);
  RED.view.redraw(true);
  return nodes.map((n) => RED.nodes.node(n.id)).filter((n): n is RedNode => !!n);
}
