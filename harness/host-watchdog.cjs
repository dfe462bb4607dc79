// Preloaded into the provider host (`node --require host-watchdog.cjs .../dynamic-provider/index.js`): the host's
// stdin is a pipe from the harness, so when the harness dies in any way (even SIGKILL) the pipe closes and the host
// exits with it, instead of living on as an orphan that spins on EPIPE when it next writes to its dead stdout.
"use strict";
const die = () => process.exit(1);
process.stdin.on("end", die);
process.stdin.on("close", die);
process.stdin.on("error", die);
process.stdin.resume();
// Writing to a dead harness's pipes must end the host too, not raise an error per write.
process.stdout.on("error", die);
process.stderr.on("error", die);
