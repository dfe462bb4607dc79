#!/usr/bin/env node
// `npm run test:real-engine`: the real-engine jest project alone, closing with a plain "N passed, N failed" line.
// Extra arguments go to jest first (a test file pattern, -t "name").
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const { ROOT: root, tierStatus } = require("./support/tier-status");

// Asked for by name, the tier fails when it cannot run (npm test skips it instead, and says so).
const tier = tierStatus();
if (!tier.ok) {
  console.error(`real-engine tier did not run: ${tier.reason}`);
  process.exit(1);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "real-engine-results-"));
const results = path.join(dir, "results.json");
const jest = spawnSync(
  process.execPath,
  [
    require.resolve("jest/bin/jest", { paths: [root] }),
    ...process.argv.slice(2),
    "--json",
    `--outputFile=${results}`,
    // Last: it takes every value after it.
    "--selectProjects",
    "real-engine",
  ],
  { cwd: root, stdio: "inherit" },
);
let status = jest.status ?? 1;
if (fs.existsSync(results) && fs.statSync(results).size > 0) {
  const r = JSON.parse(fs.readFileSync(results, "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`);
} else {
  console.log("0 passed, 1 failed");
  if (status === 0) status = 1;
}
fs.rmSync(dir, { recursive: true, force: true });
process.exit(status);
