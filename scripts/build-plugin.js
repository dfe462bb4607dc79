#!/usr/bin/env node
// `npm run build:plugin` (and the end of `npm run build`): packages the provider plugin that tsc compiled into
// dist/plugin/ so the Pulumi CLI can run it with nothing else installed:
//
//   dist/plugin-package/                       a self-contained plugin folder (the npm package ships it)
//     pulumi-resource-mps-fpdb                 the executable the CLI execs (a shell shim running the bundle on
//                                              the machine's node; the CLI runs a plugin folder's
//                                              pulumi-resource-<name> directly, with no language host)
//     pulumi-resource-mps-fpdb.js              dist/plugin/main.js bundled with every package it loads
//     package.json                             the plugin's name and version (what it answers GetPluginInfo
//                                              with, read from the first package.json above it)
//     LICENSE
//   dist/plugin-release/pulumi-resource-mps-fpdb-v<version>-<os>-<arch>.tar.gz
//                                              the same files, named as Pulumi names plugin downloads, for
//                                              `pulumi plugin install resource mps-fpdb <version> --file <it>`
//
// `--sea [--out-dir DIR]` (`npm run build:plugin:sea`) makes, from the bundle above, a Node.js single executable
// application instead (the bundle injected into a copy of the running node with postject, as Node's documentation
// does it; Linux only here), which needs no node on the machine:
//
//   DIR/plugin-sea/                            pulumi-resource-mps-fpdb (~100 MB), package.json, LICENSE
//   DIR/plugin-release-sea/pulumi-resource-mps-fpdb-v<version>-<os>-<arch>.tar.gz
//
// DIR is dist/ by default. Opt-in, because it writes a copy of node; the npm package carries the small folder.
//
// Self-contained because `pulumi plugin install` copies the folder into the plugin cache, away from any
// node_modules: the bundle leaves out only Node's built-in modules, and a copy of the folder in a temporary
// directory must start and print its port before the build counts as done. The shim is plain sh, so the
// package does not run on Windows as is (it would need a .cmd beside it).
//
// The folder and the tarball are written beside and renamed, so a test run that starts the plugin meanwhile
// never reads half a bundle.
"use strict";

const { spawn, spawnSync } = require("node:child_process");
const { clearTimeout, setTimeout } = require("node:timers");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { bundleSelfContained } = require("./self-contained-bundle");

const ROOT = path.resolve(__dirname, "..");
const NAME = "mps-fpdb";
const EXECUTABLE = `pulumi-resource-${NAME}`;
const BUNDLE = `${EXECUTABLE}.js`;
const ENTRY = path.join(ROOT, "dist", "plugin", "main.js");
const PACKAGE_DIR = path.join(ROOT, "dist", "plugin-package");
const RELEASE_DIR = path.join(ROOT, "dist", "plugin-release");
/** The marker a node binary built with single-executable support carries, which postject flips. */
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";
/** Pulumi's names for Node's platform and architecture in plugin archive names. */
const OS_NAMES = { linux: "linux", darwin: "darwin", win32: "windows" };
const ARCH_NAMES = { x64: "amd64", arm64: "arm64" };
/** How long the copied plugin may take to print its port (it loads one bundle; a second is typical). */
const START_TIMEOUT_MS = 20_000;

function fail(message) {
  process.stderr.write(`build-plugin: ${message}\n`);
  process.exit(1);
}

function version() {
  return JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version;
}

/** The tarball's file name for this machine, as `pulumi plugin install` would download it. */
function tarballName(ver) {
  const osName = OS_NAMES[process.platform];
  const arch = ARCH_NAMES[process.arch];
  if (!osName || !arch) fail(`no Pulumi plugin platform name for ${process.platform}/${process.arch}`);
  return `${EXECUTABLE}-v${ver}-${osName}-${arch}.tar.gz`;
}

function bundle(outfile) {
  // The third-party code inside the bundle keeps its license notices.
  const external = bundleSelfContained(ENTRY, outfile, { legalComments: "eof" });
  if (external.length > 0) fail(`left outside the bundle: ${external.join(", ")}`);
}

/** Fills `dir` with the plugin's files. */
function writeFolder(dir) {
  fs.mkdirSync(dir, { recursive: true });
  bundle(path.join(dir, BUNDLE));
  // Relative to the shim's own folder: the CLI runs it by its full path, wherever the folder was installed.
  fs.writeFileSync(path.join(dir, EXECUTABLE), `#!/bin/sh\nexec node "$(dirname "$0")/${BUNDLE}" "$@"\n`, {
    mode: 0o755,
  });
  fs.chmodSync(path.join(dir, EXECUTABLE), 0o755);
  writeMeta(dir);
}

/** The files beside the executable: the license, and the package.json the plugin takes its version from. */
function writeMeta(dir) {
  fs.copyFileSync(path.join(ROOT, "LICENSE"), path.join(dir, "LICENSE"));
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const plugin = {
    name: EXECUTABLE,
    version: manifest.version,
    description: `Pulumi provider plugin of the ${NAME} package (from ${manifest.name})`,
    license: manifest.license,
    private: true,
  };
  fs.writeFileSync(path.join(dir, "package.json"), `${JSON.stringify(plugin, null, 2)}\n`);
}

/** Swaps `staged` in for `target` (renames, so no reader sees a half-written folder). */
function replaceDir(staged, target) {
  const old = `${target}.old-${process.pid}`;
  if (fs.existsSync(target)) fs.renameSync(target, old);
  fs.renameSync(staged, target);
  fs.rmSync(old, { recursive: true, force: true });
}

/**
 * Proof that the folder needs nothing from this clone: a copy in a temporary directory (no node_modules above it)
 * must start and print its gRPC port, which it does only once every module it uses has loaded.
 */
function checkStandalone(dir) {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), "mps-fpdb-plugin-check-"));
  for (const file of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, file), path.join(copy, file));
  fs.chmodSync(path.join(copy, EXECUTABLE), 0o755);
  return new Promise((resolve) => {
    const child = spawn(path.join(copy, EXECUTABLE), [], {
      cwd: copy,
      env: { ...process.env, NODE_PATH: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let settled = false;
    const finish = (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      fs.rmSync(copy, { recursive: true, force: true });
      resolve(error);
    };
    const timer = setTimeout(() => finish(`printed no port within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.stdout.on("data", (chunk) => {
      stdout += chunk.toString("utf8");
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n")) finish(/^\d+$/.test(line.trim()) ? undefined : `printed "${line}"`);
    });
    child.stderr.on("data", (chunk) => (stderr += chunk.toString("utf8")));
    child.on("error", (err) => finish(err.message));
    child.on("exit", (code, signal) =>
      finish(`exited (${code ?? signal}) before printing a port:\n${stderr}`),
    );
  });
}

function writeTarball(dir, file) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  const tar = spawnSync("tar", ["-czf", partial, "-C", dir, ...fs.readdirSync(dir).sort()], {
    stdio: "inherit",
  });
  if (tar.status !== 0) fail(`tar failed (${tar.status ?? tar.signal})`);
  fs.renameSync(partial, file);
}

/**
 * Writes the single executable into `dir`: a copy of the running node with the bundle injected as its main
 * script (it loads only built-in modules, as a single executable's main script must).
 */
function writeSea(dir, bundleFile) {
  if (process.platform !== "linux") fail("--sea is made on Linux only (macOS and Windows also need signing)");
  if (!fs.readFileSync(process.execPath).includes(SEA_FUSE)) {
    fail(
      `${process.execPath} was built without single-executable support (no ${SEA_FUSE}); use Node.js's own build`,
    );
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "mps-fpdb-sea-"));
  try {
    const blob = path.join(work, "sea-prep.blob");
    const config = path.join(work, "sea-config.json");
    fs.writeFileSync(
      config,
      JSON.stringify({ main: bundleFile, output: blob, disableExperimentalSEAWarning: true }),
    );
    run(process.execPath, ["--experimental-sea-config", config]);
    fs.mkdirSync(dir, { recursive: true });
    const executable = path.join(dir, EXECUTABLE);
    fs.copyFileSync(process.execPath, executable);
    fs.chmodSync(executable, 0o755);
    const postject = require.resolve("postject/dist/cli.js", { paths: [ROOT] });
    run(process.execPath, [postject, executable, "NODE_SEA_BLOB", blob, "--sentinel-fuse", SEA_FUSE]);
    writeMeta(dir);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Runs a build step; its output is shown only when it fails (postject warns about every ELF note it skips). */
function run(command, args) {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.status !== 0) {
    fail(`${path.basename(command)} ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
  }
}

/** Builds `target` in a staged folder with `write`, proves a copy runs on its own, then swaps it in. */
async function buildChecked(target, write) {
  const staged = `${target}.partial-${process.pid}`;
  fs.rmSync(staged, { recursive: true, force: true });
  write(staged);
  const problem = await checkStandalone(staged);
  if (problem) {
    fs.rmSync(staged, { recursive: true, force: true });
    fail(`the packaged plugin in ${path.relative(ROOT, target)} does not run on its own: a copy ${problem}`);
  }
  replaceDir(staged, target);
}

function parseArgs(argv) {
  const options = { sea: false, outDir: path.join(ROOT, "dist") };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--sea") options.sea = true;
    else if (argv[i] === "--out-dir" && argv[i + 1]) options.outDir = path.resolve(argv[++i]);
    else fail(`unknown argument ${argv[i]} (usage: build-plugin.js [--sea [--out-dir DIR]])`);
  }
  return options;
}

/** The single executable and its tarball, from the bundle in dist/plugin-package. */
async function buildSea(ver, outDir) {
  const bundleFile = path.join(PACKAGE_DIR, BUNDLE);
  if (!fs.existsSync(bundleFile))
    fail(`${path.relative(ROOT, bundleFile)} is missing: run npm run build:plugin`);
  const seaDir = path.join(outDir, "plugin-sea");
  await buildChecked(seaDir, (dir) => writeSea(dir, bundleFile));
  const tarball = path.join(outDir, "plugin-release-sea", tarballName(ver));
  writeTarball(seaDir, tarball);
  process.stdout.write(`build-plugin: ${seaDir}/ (single executable) and ${tarball}\n`);
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const ver = version();
  if (options.sea) return buildSea(ver, options.outDir);
  if (!fs.existsSync(ENTRY)) fail(`${path.relative(ROOT, ENTRY)} is missing: run tsc first (npm run build)`);
  await buildChecked(PACKAGE_DIR, writeFolder);
  const tarball = path.join(RELEASE_DIR, tarballName(ver));
  writeTarball(PACKAGE_DIR, tarball);
  process.stdout.write(
    `build-plugin: ${path.relative(ROOT, PACKAGE_DIR)}/ and ${path.relative(ROOT, tarball)} (v${ver})\n`,
  );
}

main().catch((err) => fail(err.stack ?? String(err)));
