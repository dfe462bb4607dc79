import * as path from "node:path";
import type { ToySpec } from "./toy-run";
import type { ToyWorkspace } from "./toy-workspace";

/** Node's arguments that run the harness CLI from its TypeScript source, as a user's `npx tsx harness/cli.ts`. */
export const HARNESS_CLI_NODE_ARGS = [
  "--require",
  require.resolve("tsx/cjs"),
  path.join(__dirname, "..", "..", "..", "harness", "cli.ts"),
];

/** The harness CLI's flags that point it at a toy workspace's program, state file and data folder. */
export function toyStackFlags(ws: ToyWorkspace, resources: ToySpec[]): string[] {
  return [
    "--program",
    ws.programDir,
    "--stack-file",
    ws.stackFile,
    "--config",
    `toy:dir=${ws.dataDir}`,
    "--config",
    `toy:resources=${JSON.stringify(resources)}`,
  ];
}
