'use strict';
module.exports = {
  spec: ['test/**/*.test.js'],
  require: ['test/lib/leak-probe.js'],
  timeout: 20000,
  // The runtime keeps a few admin timers; every test closes its own servers and flows.
  exit: true,
  reporter: 'spec',
};
