'use strict';
/* global RED -- used inside functions that run in the browser page */
// Workspace actions of a user in the editor page, bound to one playwright page: add a node from
// the palette, type into a field as a user does, press an Inject node's button.
const assert = require('assert');
const E = require('./editor');

function workspace(page, nrUrl) {
  const nodeIds = (type) => page.evaluate((t) => RED.nodes.filterNodes({ type: t }).map((n) => n.id), type);
  const nodeSel = (id) => `#red-ui-workspace-chart g.red-ui-flow-node-group[id="${id}"]`;
  return {
    nodeIds,
    nodeSel,
    /** Type as a user does (E.typeText). */
    type: (sel, text) => E.typeText(page, sel, text),
    /**
     * Drag a node from the palette; its id. On a loaded machine the palette's drag can miss the
     * first mouse moves (nothing is dropped); then the user drags again, and so does this.
     */
    async addNode(type, x, y) {
      await page.waitForSelector('.red-ui-tray', { state: 'detached' });
      const before = await nodeIds(type);
      let added = [];
      for (let attempt = 0; attempt < 3 && added.length === 0; attempt++) {
        await E.dragFromPalette(page, type, x, y);
        added = (await nodeIds(type)).filter((id) => !before.includes(id));
      }
      assert.strictEqual(added.length, 1, `one ${type} added`);
      return added[0];
    },
    /** Show a tab of the datasource dialog (RED.tabs reads two clicks within 400 ms as a double click). */
    async showTab(name) {
      for (let i = 0; i < 3 && !(await page.isVisible(`#rds-tab-${name}`)); i++) {
        await page.waitForTimeout(450);
        await page.click(`#rds-tabs a[href="#rds-tab-${name}"]`);
      }
      assert.ok(await page.isVisible(`#rds-tab-${name}`), `tab ${name}`);
    },
    /** Press an Inject node's button (its admin route) and wait until `count()` grows. */
    async inject(injectId, count) {
      const before = count();
      // Right after a deploy the runtime may still be starting the new flows: the node's
      // button route answers 404 until the node exists.
      let res;
      for (let i = 0; i < 50; i++) {
        res = await fetch(`${nrUrl}/inject/${injectId}`, { method: 'POST' });
        if (res.status !== 404) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.strictEqual(res.status, 200);
      for (let i = 0; i < 100 && count() === before; i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(count() > before, 'the request reached the API');
    },
  };
}

module.exports = { workspace };
