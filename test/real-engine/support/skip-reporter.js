/**
 * A jest reporter that jest.config.js adds when the real-engine tier is left out: it repeats, after jest's own
 * summary (where a reader looks), which tests did not run and why, so a green run never hides a skipped tier.
 */
"use strict";

class SkippedTierReporter {
  constructor(_globalConfig, options) {
    this.message = options.message;
  }

  onRunComplete() {
    process.stderr.write(`\n${this.message}\n`);
  }
}

module.exports = SkippedTierReporter;
