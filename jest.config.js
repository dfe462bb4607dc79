/**
 * Three projects, one per tier, so a change can be checked in seconds and the slow tiers run where they matter:
 *
 * - fast: everything that starts neither Pulumi's provider host nor a Pulumi CLI: pure rules, the client and the
 *   in-process provider against an in-process emulator, the emulator, the mps-fpdb CLI (its emulator command as
 *   a process, a second each), the harness's pure modules. It needs no build: `npm run test:fast`.
 * - host: the suites that start Pulumi's dynamic-provider host (through the engine harness or directly), or pack
 *   and install the package; the host loads the compiled provider, so they need `npm run build` first:
 *   `npm run test:host`.
 * - real-engine: test/real-engine, through Pulumi's own CLI built by scripts/build-pulumi-cli.sh
 *   (`npm run test:real-engine`). Without that CLI the tier cannot run: the config says so and why, before and
 *   after the run, and leaves the tier out, except under CI=true, where the tier stays in and its tests fail with
 *   the reason.
 *
 * `npm test` runs all three. A suite is fast unless HOST_TIER names it, so a new folder is never left out of every
 * tier; put it in HOST_TIER when it starts a provider host.
 */
const fs = require("node:fs");
const path = require("node:path");
const { tierStatus } = require("./test/real-engine/support/tier-status");

const transform = { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: false }] };
const ci = process.env.CI === "true";
const tier = tierStatus();

const root = __dirname.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** Path patterns of the host tier's suites. */
const HOST_TIER = [
  // Lifecycle and fault scenarios through the harness and Pulumi's real provider host.
  `^${root}/test/(lifecycle|faults)/.*\\.test\\.ts$`,
  // The provider plugin as a process, from the compiled plugin (a start through tsx takes seconds on a busy
  // machine, which its signal and engine-gone timings cannot afford).
  `^${root}/test/plugin/process\\.test\\.ts$`,
  // `npm pack`, then the tarball installed and run as a consumer would.
  `^${root}/test/package/.*\\.test\\.ts$`,
  // The harness driving toy programs through the provider host, and its CLI as a process: every file in
  // test/engine but those named here, which test the harness's pure modules (plans, wire encoding, secrets,
  // semaphores) in-process. A new file there is in this tier until it is named.
  `^${root}/test/engine/(?!(check-failures|cli-flags|plan-rules|secrets|semaphore|turnstile|wire)\\.test\\.ts$)[^/]*\\.test\\.ts$`,
];

const projects = [
  {
    displayName: "fast",
    testEnvironment: "node",
    roots: ["<rootDir>/test"],
    testMatch: ["**/*.test.ts"],
    testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/real-engine/", ...HOST_TIER],
    transform,
  },
  {
    displayName: "host",
    testEnvironment: "node",
    roots: ["<rootDir>/test"],
    testRegex: HOST_TIER,
    transform,
  },
];
const reporters = ["default"];

/**
 * TEST_TIER=fast (or host, real-engine, or a comma-separated list) keeps only those tiers; the npm scripts set it.
 * An environment variable rather than jest's --selectProjects, which takes every argument after it as a project
 * name, so `npm run test:fast -- <file>` would lose the file.
 */
const TIERS = ["fast", "host", "real-engine"];
const only = process.env.TEST_TIER ? process.env.TEST_TIER.split(",").map((t) => t.trim()) : TIERS;
const unknown = only.filter((t) => !TIERS.includes(t));
if (unknown.length > 0)
  throw new Error(`TEST_TIER names ${unknown.join(", ")}; the tiers are ${TIERS.join(", ")}`);

if (tier.ok || ci) {
  projects.push({
    displayName: "real-engine",
    testEnvironment: "node",
    roots: ["<rootDir>/test/real-engine"],
    testMatch: ["**/*.test.ts"],
    transform,
  });
} else if (only.includes("real-engine")) {
  const files = fs
    .readdirSync(path.join(__dirname, "test", "real-engine"))
    .filter((f) => f.endsWith(".test.ts"));
  const message =
    `SKIPPED: the real-engine tier (${files.length} test files in test/real-engine, the examples and the demo ` +
    `through Pulumi's own CLI) did not run, because ${tier.reason}. With CI=true this is a failure.`;
  reporters.push(["<rootDir>/test/real-engine/support/skip-reporter.js", { message }]);
  // Jest loads this file in every worker too; say it once.
  if (!process.env.REAL_ENGINE_NOTICE_SHOWN) {
    process.env.REAL_ENGINE_NOTICE_SHOWN = "1";
    process.stderr.write(`${message}\n`);
  }
}

/** @type {import('jest').Config} */
module.exports = {
  projects: projects.filter((p) => only.includes(p.displayName)),
  reporters,
  testTimeout: 60000,
  maxWorkers: 2,
};
