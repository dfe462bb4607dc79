#!/usr/bin/env node
import { processIo } from "./io";
import { run } from "./main";

run(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`mps-fpdb: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
