#!/usr/bin/env node
// Pulumi's provider host loads the serialized shim with require-from-string, which resolves
// `pulumi-mps-fpdb/provider-impl` through node_modules folders above its working directory, never through the
// package's own name. Consumers get the package from npm; inside this repository the examples, the demo and the
// tests need the same specifier to resolve, so link node_modules/pulumi-mps-fpdb to the repository root (what a
// workspace install would do).
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const link = path.join(root, "node_modules", "pulumi-mps-fpdb");
try {
  const target = fs.readlinkSync(link);
  if (path.resolve(path.dirname(link), target) === root) process.exit(0);
  fs.unlinkSync(link);
} catch (err) {
  if (err.code === "EINVAL") {
    console.error(`${link} exists and is not a symlink; remove it and run the build again.`);
    process.exit(1);
  }
  if (err.code !== "ENOENT") throw err;
}
fs.mkdirSync(path.dirname(link), { recursive: true });
fs.symlinkSync(path.relative(path.dirname(link), root), link, "dir");
