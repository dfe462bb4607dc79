// One file from a CommonJS entry and every package it loads, for Node 20: what the plugin's folder and the test
// CLI's Node language host ship, so each runs with no node_modules beside it. Only Node's built-in modules stay
// outside; a package that esbuild would leave outside the bundle is an error, since it would be looked up beside
// the bundle at run time and break once the file is installed elsewhere.
"use strict";

const { isBuiltin } = require("node:module");

/**
 * Bundles `entry` into `outfile`. `extra` adds esbuild options (a banner, legal comments). Returns the list of
 * packages left outside the bundle that are not built in (empty when the bundle is self-contained).
 */
function bundleSelfContained(entry, outfile, extra = {}) {
  const esbuild = require("esbuild");
  const result = esbuild.buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    logLevel: "warning",
    ...extra,
    metafile: true,
  });
  return Object.values(result.metafile.outputs)
    .flatMap((output) => output.imports)
    .filter((imported) => imported.external && !isBuiltin(imported.path))
    .map((imported) => imported.path);
}

module.exports = { bundleSelfContained };
