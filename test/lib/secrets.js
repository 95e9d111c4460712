'use strict';
// Test secrets carry a marker that the leak probe (test/lib/leak-probe.js) looks for in every
// status, log line, error and emitted msg of the whole suite.
const crypto = require('crypto');

const MARK = 's3cr3t';

/** A unique secret value for `label`, recognisable by the leak probe. */
function secret(label) {
  return `${label}-${MARK}-${crypto.randomBytes(6).toString('hex')}`;
}

module.exports = { secret, MARK };
