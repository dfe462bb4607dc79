/**
 * Whether the real-engine tier can run on this machine, and if not, why and what to do. Plain CommonJS because
 * jest.config.js and run-tier.js load it before any TypeScript is compiled; support/cli.ts adds the checks that
 * start a process (the versions the CLI and its language host answer).
 *
 * The CLI folder is .cache/pulumi-cli in this clone, or the folder named by REAL_ENGINE_CLI_DIR (a CLI folder
 * kept elsewhere: it is self-contained, see scripts/build-pulumi-cli.sh).
 */
"use strict";

const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..", "..");
/**
 * What the folder must hold: the CLI, and the plugins it looks for beside itself (YAML and Python run the plugin's
 * programs; the Python host runs the exec script beside it).
 */
const FILES = [
  "pulumi",
  "pulumi-language-nodejs",
  "pulumi-language-nodejs.js",
  "pulumi-resource-pulumi-nodejs",
  "pulumi-language-yaml",
  "pulumi-language-python",
  "pulumi-language-python-exec",
];

function cliDir() {
  const override = process.env.REAL_ENGINE_CLI_DIR;
  return override ? path.resolve(override) : path.join(ROOT, ".cache", "pulumi-cli");
}

function hasGo() {
  if (process.env.GO) return fs.existsSync(process.env.GO);
  const found = spawnSync("sh", ["-c", "command -v go || test -x /usr/local/go/bin/go"], { stdio: "ignore" });
  return found.status === 0;
}

/**
 * { ok: true, dir, cli } when every file is there; otherwise { ok: false, dir, reason }, the reason naming the fix.
 * @returns {{ ok: true, dir: string, cli: string } | { ok: false, dir: string, reason: string }}
 */
function tierStatus() {
  const dir = cliDir();
  const shown = path.relative(ROOT, dir).startsWith("..") ? dir : path.relative(ROOT, dir);
  const missing = FILES.filter((name) => !fs.existsSync(path.join(dir, name)));
  if (missing.length === 0) return { ok: true, dir, cli: path.join(dir, "pulumi") };
  if (process.env.REAL_ENGINE_CLI_DIR) {
    return { ok: false, dir, reason: `REAL_ENGINE_CLI_DIR=${dir} has no ${missing.join(", ")}` };
  }
  if (!missing.includes("pulumi")) {
    return {
      ok: false,
      dir,
      reason: `${shown} is incomplete (no ${missing.join(", ")}): run npm run build:pulumi-cli to rebuild it`,
    };
  }
  return {
    ok: false,
    dir,
    reason: hasGo()
      ? `Pulumi's CLI is not built (${shown}/pulumi is missing, or its build failed): run npm run build:pulumi-cli`
      : `no Go toolchain on this machine (go on PATH or /usr/local/go/bin/go) to build Pulumi's CLI into ${shown}: ` +
        "install Go 1.25+ and run npm test again (it builds the CLI when Go is there)",
  };
}

module.exports = { cliDir, tierStatus, ROOT };
