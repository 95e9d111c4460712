'use strict';
// `npx mocha` runs the whole suite; `npx mocha test/x.test.js` (or --spec) runs just those files:
// mocha adds a config `spec` to the files named on the command line, so it is left out then.
const named = process.argv.slice(2).some((arg, i, all) => /\.test\.js$/.test(arg) || all[i - 1] === '--spec');
module.exports = {
  ...(named ? {} : { spec: ['test/**/*.test.js'] }),
  require: ['test/lib/leak-probe.js'],
  // lets the memory checks force a collection before they measure
  'node-option': ['expose-gc'],
  timeout: 20000,
  // The runtime keeps a few admin timers; every test closes its own servers and flows.
  exit: true,
  reporter: 'spec',
};
