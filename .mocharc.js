'use strict';
module.exports = {
  spec: ['test/**/*.test.js'],
  require: ['test/lib/leak-probe.js'],
  // lets the memory checks force a collection before they measure
  'node-option': ['expose-gc'],
  timeout: 20000,
  // The runtime keeps a few admin timers; every test closes its own servers and flows.
  exit: true,
  reporter: 'spec',
};
