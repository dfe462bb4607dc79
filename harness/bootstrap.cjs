// Entry of the harness's child processes (the program process and the provider serializer):
//   HARNESS_CHILD_SCRIPT=<absolute .ts path> HARNESS_PULUMI_SDK_DIR=<sdk dir> node bootstrap.cjs [args...]
// Loads the program's own @pulumi/pulumi with Node's plain loader first, then registers tsx for the TypeScript
// that follows (the child script and the program). Loading the SDK through tsx's hook takes about twice as long
// and changes nothing: tsx leaves the SDK's JavaScript as it is, so serialized provider text is the same.
const path = require("node:path");
const { createRequire } = require("node:module");

const sdkDir = process.env.HARNESS_PULUMI_SDK_DIR;
if (sdkDir) {
  const load = createRequire(path.join(sdkDir, "package.json"));
  for (const m of [".", "./runtime/mocks", "./runtime/stack", "./runtime/closure/serializeClosure"]) load(m);
}
require("tsx/cjs/api").register();
require(process.env.HARNESS_CHILD_SCRIPT);
