#!/usr/bin/env node
// Bundles pulumi-language-nodejs.js with @grpc/grpc-js, google-protobuf and the @pulumi/pulumi/proto modules it
// loads into one file (the argument), so the test CLI's folder runs without this clone's node_modules. Only Node's
// built-in modules stay outside; the program's own @pulumi/pulumi is still resolved from the program's folder at
// run time, as Pulumi's host does.
"use strict";

const path = require("node:path");
const { bundleSelfContained } = require("../../../scripts/self-contained-bundle");

const outfile = process.argv[2];
if (!outfile) {
  process.stderr.write("usage: bundle.js <output file>\n");
  process.exit(2);
}

const external = bundleSelfContained(path.join(__dirname, "pulumi-language-nodejs.js"), outfile);
if (external.length > 0) {
  process.stderr.write(`bundle.js: left outside the bundle: ${external.join(", ")}\n`);
  process.exit(1);
}
