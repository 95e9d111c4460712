'use strict';
/* global RED, document -- used inside functions that run in the browser page */
// The sidebar help of both nodes, in every language, as the editor shows it at its default
// sidebar width: nothing sticks out sideways (a code span or a <dt> never wraps there, so a long
// one forces a horizontal scroll and cuts its text off), and dialog fields are not shown in
// red monospace like msg properties. test/help-layout.test.js checks the same rules in the files.
const assert = require('assert');
const E = require('./lib/editor');

describe('sidebar help in a browser', function () {
  this.timeout(60000);
  let nr;
  let browser;

  before(async function () {
    E.skipWithoutChromium(this);
    nr = await E.startNodeRed();
    browser = await E.launchBrowser();
  });

  after(async function () {
    if (browser) await browser.close();
    if (nr) await nr.stop();
  });

  for (const locale of ['en-US', 'de-DE', 'ja-JP']) {
    it(`fits the sidebar and shows only msg properties as such: ${locale}`, async function () {
      const { context, page } = await E.openEditor(browser, nr.url, { locale });
      try {
        for (const type of ['rest-datasource', 'rest-query', 'rest-shared-store']) {
          await page.evaluate((t) => {
            RED.sidebar.show('help');
            RED.sidebar.help.show(t);
          }, type);
          await page.waitForSelector(`.red-ui-help h3 >> visible=true`);
          const seen = await page.evaluate(() => {
            const box = [...document.querySelectorAll('.red-ui-help')].find(
              (el) => el.querySelector('h3') && el.offsetWidth,
            );
            const right = box.getBoundingClientRect().right;
            const sticking = [...box.querySelectorAll('*')]
              .filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > right + 1)
              .map((el) => `<${el.tagName.toLowerCase()}> ${el.textContent.trim().slice(0, 60)}`);
            const properties = [...box.querySelectorAll('dl.message-properties > dt')].map((dt) =>
              dt.firstChild.textContent.trim(),
            );
            return { width: Math.round(box.getBoundingClientRect().width), sticking, properties };
          });
          assert.ok(seen.width > 200, `the help is visible (${seen.width}px wide)`);
          assert.deepStrictEqual(seen.sticking, [], `${type}: elements wider than the ${seen.width}px help`);
          for (const name of seen.properties) assert.match(name, /^[A-Za-z]\w*$/, `${type}: <dt> ${name}`);
          if (type !== 'rest-query') assert.deepStrictEqual(seen.properties, [], 'no msg property list');
        }
      } finally {
        await context.close();
      }
    });
  }
});
