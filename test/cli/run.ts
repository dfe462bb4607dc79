/** Runs `mps-fpdb` in-process with a controlled environment and captures what it prints. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from "../../emulator";
import { run } from "../../cli/main";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A folder with a fake `pulumi` that answers `pulumi version` and `pulumi config --json` as given. */
export function fakePulumi(dir: string, version: string, config: Record<string, unknown> = {}): string {
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin, { recursive: true });
  // Shell built-ins only: PATH holds nothing but this folder. The JSON has no single quote to escape.
  fs.writeFileSync(
    path.join(bin, "pulumi"),
    `#!/bin/sh\nif [ "$1" = version ]; then echo "${version}"; exit 0; fi\n` +
      `if [ "$1" = config ]; then echo '${JSON.stringify(config)}'; exit 0; fi\nexit 3\n`,
    { mode: 0o755 },
  );
  return bin;
}

/** A fresh HOME and PATH: no credentials file, no CLI profile, no ECS metadata, only the given `pulumi`. */
export function cleanEnv(work: string, pathDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const home = path.join(work, "home");
  fs.mkdirSync(home, { recursive: true });
  return { HOME: home, PATH: pathDir, ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true", ...extra };
}

/** The environment of a stack pointed at an emulator with its built-in key. */
export function emulatorEnv(endpoint: string, region = "cn-hangzhou"): NodeJS.ProcessEnv {
  return {
    MPS_FPDB_ENDPOINT: endpoint,
    ALIBABA_CLOUD_REGION: region,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
  };
}

export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  options: { cwd?: string; terminal?: boolean } = {},
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env,
    cwd: options.cwd ?? path.join(__dirname, "..", ".."),
    stdoutIsTerminal: options.terminal ?? false,
  });
  return { code, stdout, stderr };
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
