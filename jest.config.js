/**
 * Two projects: the existing suite, and the real-engine tier (test/real-engine), which runs Pulumi's own CLI built by
 * `npm run build:pulumi-cli`. Without that CLI the tier cannot run: the config says so and why, and leaves the tier
 * out, except under CI=true, where the tier stays in and its tests fail with the reason.
 */
const fs = require("node:fs");
const path = require("node:path");

const transform = { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: false }] };
const cli = path.join(__dirname, ".cache", "pulumi-cli", "pulumi");
const ci = process.env.CI === "true";

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

if (fs.existsSync(cli) || ci) {
  projects.push({
    displayName: "real-engine",
    testEnvironment: "node",
    roots: ["<rootDir>/test/real-engine"],
    testMatch: ["**/*.test.ts"],
    transform,
  });
} else if (!process.env.REAL_ENGINE_NOTICE_SHOWN) {
  // Jest loads this file in every worker too; say it once.
  process.env.REAL_ENGINE_NOTICE_SHOWN = "1";
  process.stderr.write(
    `real-engine tier did not run: ${path.relative(__dirname, cli)} is missing ` +
      "(npm run build:pulumi-cli builds it; it needs Go). With CI=true this is a failure.\n",
  );
}

/** @type {import('jest').Config} */
module.exports = {
  projects,
  testTimeout: 60000,
  maxWorkers: 2,
};
