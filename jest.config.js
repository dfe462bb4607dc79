/**
 * Two projects: the existing suite, and the real-engine tier (test/real-engine), which runs Pulumi's own CLI built by
 * scripts/build-pulumi-cli.sh (`npm test` builds it first when Go is there). Without that CLI the tier cannot run:
 * the config says so and why, before and after the run, and leaves the tier out, except under CI=true, where the
 * tier stays in and its tests fail with the reason.
 */
const fs = require("node:fs");
const path = require("node:path");
const { tierStatus } = require("./test/real-engine/support/tier-status");

const transform = { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: false }] };
const ci = process.env.CI === "true";
const tier = tierStatus();

const projects = [
  {
    displayName: "unit-and-harness",
    testEnvironment: "node",
    roots: ["<rootDir>/test"],
    testMatch: ["**/*.test.ts"],
    testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/real-engine/"],
    transform,
  },
];
const reporters = ["default"];

if (tier.ok || ci) {
  projects.push({
    displayName: "real-engine",
    testEnvironment: "node",
    roots: ["<rootDir>/test/real-engine"],
    testMatch: ["**/*.test.ts"],
    transform,
  });
} else {
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
  projects,
  reporters,
  testTimeout: 60000,
  maxWorkers: 2,
};
