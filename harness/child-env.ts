/**
 * Starting the harness's TypeScript child processes through bootstrap.cjs: tsx compiles the child script and the
 * program the way `npx tsx` does, so code compiled for a program (and the provider text serialized from it) is
 * the same whether the harness is driven from jest or from the command line.
 */
import * as path from "node:path";

/** Absolute path of the bootstrap every child process starts with. */
export const BOOTSTRAP = path.join(__dirname, "bootstrap.cjs");

/** Environment that makes bootstrap.cjs preload `sdkDir` and run the harness script `script` (e.g. `program/child.ts`). */
export function childEnv(script: string, sdkDir: string): NodeJS.ProcessEnv {
  return { HARNESS_CHILD_SCRIPT: path.join(__dirname, script), HARNESS_PULUMI_SDK_DIR: sdkDir };
}
