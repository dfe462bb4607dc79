#!/usr/bin/env node
// Bundles pulumi-language-nodejs.js with @grpc/grpc-js, google-protobuf and the @pulumi/pulumi/proto modules it
// loads into one file (the argument), so the test CLI's folder runs without this clone's node_modules. Only Node's
// built-in modules stay outside; the program's own @pulumi/pulumi is still resolved from the program's folder at
// run time, as Pulumi's host does.
"use strict";

const { isBuiltin } = require("node:module");
const path = require("node:path");
const esbuild = require("esbuild");

const outfile = process.argv[2];
if (!outfile) {
  process.stderr.write("usage: bundle.js <output file>\n");
  process.exit(2);
}

const result = esbuild.buildSync({
  entryPoints: [path.join(__dirname, "pulumi-language-nodejs.js")],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  logLevel: "warning",
  metafile: true,
});

// A package left out of the bundle would be looked up beside the bundle at run time and break once moved.
const external = Object.values(result.metafile.outputs)
  .flatMap((output) => output.imports)
  .filter((imported) => imported.external && !isBuiltin(imported.path));
if (external.length > 0) {
  process.stderr.write(`bundle.js: left outside the bundle: ${external.map((i) => i.path).join(", ")}\n`);
  process.exit(1);
}
