/**
 * What the provider plugin's real-engine scenarios add to support/cli.ts and support/fixture.ts: the packaged
 * plugin (`npm run build:plugin`, scripts/build-plugin.js), its release tarball, the generated Node SDK compiled
 * for a program, and one emulator per file with workspaces that use the plugin.
 *
 *   PLUGIN_TYPE                  the resource token
 *   requirePlugin()              throws, naming the fix, when the packaged plugin is missing
 *   pluginTarball()              the tarball `pulumi plugin install --file` takes, and its version
 *   compileNodeSdk(dir)          sdk/nodejs compiled with tsc into `dir`; returns the package folder
 *   pluginSuite(options)         scenarioSuite for plugin programs: emulator(), workspace(program, options?)
 *   linesAround(output, needle)  the CLI output around the first line naming `needle`, to print what users see
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../../emulator";
import {
  createWorkspace,
  PLUGIN_DIR,
  REPO_ROOT,
  requireCli,
  type Workspace,
  type WorkspaceOptions,
} from "./cli";

export const PLUGIN_TYPE = "mps-fpdb:index:FingerprintLibrary";
export const PLUGIN_EXECUTABLE = "pulumi-resource-mps-fpdb";
export const FIXTURES = path.join(__dirname, "..", "fixtures");
/** Where scripts/build-plugin.js writes the release tarball. */
const RELEASE_DIR = path.join(REPO_ROOT, "dist", "plugin-release");
/** Pulumi's names for Node's platform and architecture, as in the tarball's name. */
const OS_NAMES: Record<string, string> = { linux: "linux", darwin: "darwin", win32: "windows" };
const ARCH_NAMES: Record<string, string> = { x64: "amd64", arm64: "arm64" };

/** The package version, which the plugin, its tarball and the SDK carry. */
export const PLUGIN_VERSION = (
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }
).version;

/** Throws, naming the fix, when `npm run build:plugin` has not made the plugin folder. */
export function requirePlugin(): string {
  const executable = path.join(PLUGIN_DIR, PLUGIN_EXECUTABLE);
  if (!fs.existsSync(executable)) {
    throw new Error(
      `the packaged plugin ${executable} is missing: run npm run build (or npm run build:plugin)`,
    );
  }
  return executable;
}

/** The release tarball for this machine. */
export function pluginTarball(): string {
  const name = `${PLUGIN_EXECUTABLE}-v${PLUGIN_VERSION}-${OS_NAMES[process.platform]}-${ARCH_NAMES[process.arch]}.tar.gz`;
  const file = path.join(RELEASE_DIR, name);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run build:plugin`);
  return file;
}

/**
 * Compiles the committed generated Node SDK (sdk/nodejs) with this repository's tsc into `dir`, as its own
 * `npm run build` would, and returns the package folder a program's node_modules links to (`bin`, with the
 * package.json the SDK reads its version from).
 */
export function compileNodeSdk(dir: string): string {
  const source = path.join(dir, "sdk-nodejs");
  fs.cpSync(path.join(REPO_ROOT, "sdk", "nodejs"), source, { recursive: true });
  // The SDK's one dependency, @pulumi/pulumi, is the repository's: the program shares it through the same links.
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(source, "node_modules"), "dir");
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", source], { stdio: "pipe" });
  const bin = path.join(source, "bin");
  fs.copyFileSync(path.join(source, "package.json"), path.join(bin, "package.json"));
  return bin;
}

/**
 * One emulator for the file (the CLI and the packaged plugin required first), and plugin workspaces closed with
 * it. Call at the top level of a test file.
 */
export function pluginSuite(options: EmulatorOptions): {
  emulator(): RunningEmulator;
  workspace(program: string, extra?: Partial<WorkspaceOptions>): Promise<Workspace>;
} {
  let emulator: RunningEmulator | undefined;
  const workspaces: Workspace[] = [];
  beforeAll(async () => {
    requireCli();
    requirePlugin();
    emulator = await startEmulator(options);
  });
  afterAll(async () => {
    for (const ws of workspaces) await ws.close();
    await emulator?.close();
  });
  const running = (): RunningEmulator => {
    if (!emulator) throw new Error("pluginSuite: the emulator starts in beforeAll");
    return emulator;
  };
  return {
    emulator: running,
    workspace: async (program, extra = {}) => {
      const ws = await createWorkspace({
        program: path.isAbsolute(program) ? program : path.join(FIXTURES, program),
        emulator: running(),
        provider: "plugin",
        ...extra,
      });
      workspaces.push(ws);
      return ws;
    },
  };
}

/** The lines of `output` around the first one naming `needle`. */
export function linesAround(output: string, needle: string): string {
  const lines = output.split("\n");
  const at = lines.findIndex((line) => line.includes(needle));
  return lines.slice(Math.max(0, at - 3), at + 4).join("\n");
}
