/**
 * Runs Pulumi's real engine in tests: the `pulumi` CLI that `npm run build:pulumi-cli` builds from Pulumi's own Go
 * modules (v3.248.0) into `.cache/pulumi-cli/`, against the MPS emulator, with a local file backend.
 *
 * API (everything a test needs; keep it this small):
 *
 *   cliStatus(): { ok: true, path, version } | { ok: false, reason }   is the built CLI there, and if not, why
 *   requireCli(): the CLI path, or throws with the reason               for beforeAll
 *   createWorkspace({ program, emulator, config?, secrets?, env?, stack?, timing?, cliDir? }): Promise<Workspace>
 *     program   an example's name ("quickstart") or a folder holding Pulumi.yaml and index.ts; it is copied into
 *               a temporary folder (the repository's node_modules linked in), so stack files never land in the
 *               repository
 *     emulator  the running emulator (its endpoint); the stack config points the provider at it
 *     timing    "fast" (default): millisecond poll and retry settings, for tests; "defaults": none of them, so
 *               the provider runs on its defaults, as users get it (the benchmark)
 *     config    more plain stack config (`key: value`, keys as `pulumi config set` takes them)
 *     secrets   secret stack config (`--secret`)
 *     cliDir    another folder holding the CLI and its plugins (a copy of .cache/pulumi-cli)
 *     provider  "dynamic" (default): the package's dynamic provider, configured by `alicloud:*` and
 *               `pulumi-mps-fpdb:*` keys; "plugin": the provider plugin `mps-fpdb`, configured by the same
 *               settings under `mps-fpdb:*` (other namespaces never reach a plugin)
 *     pluginDir with provider "plugin", the folder Pulumi.yaml's `plugins.providers` names (default: the packaged
 *               plugin, dist/plugin-package); null names none, so the CLI looks on $PATH and in the plugin cache
 *     packages  more packages for the program's node_modules, name -> folder (the repository's packages are
 *               linked in one by one beside them)
 *   Workspace
 *     run(args, opts?)          `pulumi <args> --non-interactive` in the program folder; resolves a CliResult,
 *                               rejects on a non-zero exit unless `opts.allowFailure`
 *     up/preview/refresh/destroy(flags?, opts?)   the same with `--yes` (not for preview) and an event log
 *     start(args)               a CLI run left running: `waitForOutput(regex)`, `signal(sig)`, `done`
 *     setConfig(key, value, secret?) / removeConfig(key)
 *     exportStack()             `pulumi stack export --show-secrets`, parsed
 *     resources(type?)          the checkpoint's resources (default: FingerprintLibrary ones)
 *     outputs()                 `pulumi stack output --json --show-secrets`, parsed
 *     close()                   kills whatever this workspace started that still runs, removes the folder
 *   CliResult: { code, signal, output (stdout and stderr interleaved), steps (from the event log) }
 *   Step: { op, urn, name, type, result: "ok" | "failed" | "pending", endOp? }, in the order the engine reported
 *   them (a refresh that found the resource gone is { op: "refresh", endOp: "delete" })
 *
 * Processes: each CLI run is its own process group. Pulumi starts its plugins (language host, provider host) in
 * groups of their own, so `close()` also kills every descendant it saw while the run was alive.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RunningEmulator } from "../../../emulator";
import { fastConfig, hostEnv } from "../../support/lifecycle";
import { cliDir, tierStatus } from "./tier-status";

export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
/** .cache/pulumi-cli, or the folder REAL_ENGINE_CLI_DIR names. */
export const CLI_DIR = cliDir();
export const CLI_PATH = path.join(CLI_DIR, "pulumi");
export const EXAMPLES_DIR = path.join(REPO_ROOT, "examples");
export const LIBRARY_TYPE = "pulumi-nodejs:dynamic/mps:FingerprintLibrary";
/** The version the CLI is built at (tools/pulumi/go.mod, the pinned @pulumi/pulumi). */
export const CLI_VERSION = "v3.248.0";
const PASSPHRASE = "real-engine-tests-only";
/** The provider settings `fastConfig` shortens: poll, retry, timeout and progress timing. */
const TIMING_KEY = /^pulumi-mps-fpdb:(poll|maxPoll|retry|readTimeout|progress)/;
/** The plugin's package name, the namespace of its stack config. */
export const PLUGIN_PACKAGE = "mps-fpdb";
/** The folder `npm run build:plugin` makes (scripts/build-plugin.js): the executable and its bundle. */
export const PLUGIN_DIR = path.join(REPO_ROOT, "dist", "plugin-package");

export type CliStatus = { ok: true; path: string; version: string } | { ok: false; reason: string };

let status: CliStatus | undefined;

/**
 * Whether the built CLI is there and answers `pulumi version`, and its language host (the plugin every `pulumi up`
 * starts) loads and answers too; if not, why (and how to fix it).
 */
export function cliStatus(): CliStatus {
  if (status) return status;
  const tier = tierStatus();
  if (!tier.ok) {
    status = { ok: false, reason: tier.reason };
    return status;
  }
  const env = baseEnv(os.tmpdir());
  const answers = [
    [CLI_PATH, "version"],
    [path.join(CLI_DIR, "pulumi-language-nodejs"), "-version"],
  ].map(([command, arg]) => {
    const answer = spawnSync(command, [arg], { encoding: "utf8", env });
    return { command, arg, code: answer.status, text: `${answer.stdout ?? ""}${answer.stderr ?? ""}`.trim() };
  });
  const wrong = answers.find((a) => a.code !== 0 || a.text !== CLI_VERSION);
  status = wrong
    ? {
        ok: false,
        reason:
          `${wrong.command} ${wrong.arg} answered "${wrong.text}" (exit ${wrong.code}), not ${CLI_VERSION}: ` +
          "run npm run build:pulumi-cli",
      }
    : { ok: true, path: CLI_PATH, version: CLI_VERSION };
  return status;
}

/** The CLI's path; throws with the reason when it cannot run. */
export function requireCli(): string {
  const s = cliStatus();
  if (!s.ok) throw new Error(`real-engine tier cannot run: ${s.reason}`);
  return s.path;
}

/** One resource step as the engine reported it in its event log. */
export interface Step {
  op: string;
  urn: string;
  name: string;
  type: string;
  result: "ok" | "failed" | "pending";
  /** The op of the step's last event when it differs from `op` (a refresh that found nothing ends as "delete"). */
  endOp?: string;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr, interleaved as they arrived. */
  output: string;
  /** stdout alone (what `--json` commands print). */
  stdout: string;
  /** Resource steps from `--event-log` (empty for commands without one). */
  steps: Step[];
  /** Every event of the event log, as JSON. */
  events: Record<string, unknown>[];
}

export interface RunOptions {
  allowFailure?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** A CLI run that a test drives while it runs (interrupts, kills). */
export interface RunningCli {
  child: ChildProcess;
  /** Resolves once the output so far matches `pattern` (rejects if the run ends first). */
  waitForOutput(pattern: RegExp): Promise<string>;
  /** Sends a signal to the CLI process alone, as a terminal's Ctrl-C reaches it (plugins are in their own groups). */
  signal(sig: NodeJS.Signals): void;
  /** The process ids of the CLI and everything it has started so far. */
  descendants(): number[];
  done: Promise<CliResult>;
  output(): string;
}

export interface StackResource {
  urn: string;
  type: string;
  id?: string;
  custom?: boolean;
  protect?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface StackExport {
  version: number;
  deployment: {
    resources?: StackResource[];
    pending_operations?: { resource: StackResource; type: string }[];
    [key: string]: unknown;
  };
}

export interface Workspace {
  /** The temporary folder (program/, home/, state/). */
  dir: string;
  programDir: string;
  stack: string;
  env: NodeJS.ProcessEnv;
  run(args: string[], options?: RunOptions): Promise<CliResult>;
  start(args: string[], options?: RunOptions): RunningCli;
  up(flags?: string[], options?: RunOptions): Promise<CliResult>;
  preview(flags?: string[], options?: RunOptions): Promise<CliResult>;
  refresh(flags?: string[], options?: RunOptions): Promise<CliResult>;
  destroy(flags?: string[], options?: RunOptions): Promise<CliResult>;
  setConfig(key: string, value: string, secret?: boolean): Promise<void>;
  removeConfig(key: string): Promise<void>;
  exportStack(): Promise<StackExport>;
  resources(type?: string): Promise<StackResource[]>;
  outputs(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface WorkspaceOptions {
  /** An example's name under examples/, or a folder with Pulumi.yaml and the program. */
  program: string;
  emulator: Pick<RunningEmulator, "endpoint">;
  /** "fast" (default): millisecond timing settings; "defaults": the provider's own defaults. */
  timing?: "fast" | "defaults";
  /** More plain stack config, `key: value`. */
  config?: Record<string, string>;
  /** Secret stack config. */
  secrets?: Record<string, string>;
  /** More environment for every CLI run. */
  env?: NodeJS.ProcessEnv;
  stack?: string;
  /** Another folder holding the CLI and its plugins (a copy of CLI_DIR), instead of CLI_DIR. */
  cliDir?: string;
  /** "dynamic" (default) or "plugin": which front end the program's libraries use, and so the config keys. */
  provider?: "dynamic" | "plugin";
  /** The plugin folder Pulumi.yaml names (provider "plugin"); null: none (the plugin cache or $PATH). */
  pluginDir?: string | null;
  /** More packages in the program's node_modules, name -> folder. */
  packages?: Record<string, string>;
}

function baseEnv(dir: string, cliFolder = CLI_DIR): NodeJS.ProcessEnv {
  return hostEnv({
    PATH: `${cliFolder}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_HOME: path.join(dir, "home"),
    PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    // `--event-log` (the steps a run reports) is behind this flag, which the Automation API sets too.
    PULUMI_DEBUG_COMMANDS: "true",
    NO_COLOR: "1",
    CI: "",
  });
}

/** Child pids of every process, read from /proc. */
function processTree(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // The command name may hold spaces and parentheses; the fields after its closing parenthesis do not.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  return children;
}

function descendantsOf(pid: number): number[] {
  const tree = processTree();
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    for (const child of tree.get(next) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function parseEvents(file: string): Record<string, unknown>[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

interface StepMetadata {
  op: string;
  urn: string;
  type: string;
}

/**
 * Folds the event log into one entry per step: the op the engine announced, the op it reported at the end (a
 * refresh of a vanished resource ends as a "delete") and whether it finished, failed or never finished.
 */
function stepsOf(events: Record<string, unknown>[]): Step[] {
  const steps: Step[] = [];
  const open = new Map<string, Step>();
  for (const event of events) {
    const pre = event.resourcePreEvent as { metadata: StepMetadata } | undefined;
    const outs = event.resOutputsEvent as { metadata: StepMetadata } | undefined;
    const failed = event.resOpFailedEvent as { metadata: StepMetadata } | undefined;
    if (pre) {
      const m = pre.metadata;
      const name = m.urn.split("::").pop() ?? "";
      const step: Step = { op: m.op, urn: m.urn, name, type: m.type, result: "pending" };
      steps.push(step);
      open.set(m.urn, step);
    }
    const end = outs ?? failed;
    const step = end && open.get(end.metadata.urn);
    if (end && step) {
      step.result = outs ? "ok" : "failed";
      if (end.metadata.op !== step.op) step.endOp = end.metadata.op;
      open.delete(end.metadata.urn);
    }
  }
  return steps;
}

function copyProgram(source: string, target: string, packages: Record<string, string> = {}): void {
  fs.mkdirSync(target, { recursive: true });
  for (const entry of fs.readdirSync(source, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    if (/^Pulumi\..+\.yaml$/.test(entry.name)) continue;
    fs.copyFileSync(path.join(source, entry.name), path.join(target, entry.name));
  }
  // What a user's project has beside its program: its node_modules (this repository's, with
  // node_modules/pulumi-mps-fpdb linked to the package), a package.json and a tsconfig for ts-node.
  const repoModules = path.join(REPO_ROOT, "node_modules");
  if (Object.keys(packages).length === 0) {
    fs.symlinkSync(repoModules, path.join(target, "node_modules"), "dir");
  } else {
    // A folder of links, one per package, so more packages fit beside the repository's without touching it;
    // Node resolves the links to their real paths, so the program and its packages share one @pulumi/pulumi.
    const modules = path.join(target, "node_modules");
    fs.mkdirSync(modules);
    for (const name of fs.readdirSync(repoModules)) {
      if (!(name in packages)) fs.symlinkSync(path.join(repoModules, name), path.join(modules, name));
    }
    for (const [name, folder] of Object.entries(packages)) {
      fs.mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
      fs.symlinkSync(folder, path.join(modules, name), "dir");
    }
  }
  if (!fs.existsSync(path.join(target, "package.json"))) {
    fs.writeFileSync(
      path.join(target, "package.json"),
      `${JSON.stringify({ name: path.basename(source), private: true, main: "index.ts" }, null, 2)}\n`,
    );
  }
  if (!fs.existsSync(path.join(target, "tsconfig.json"))) {
    const compilerOptions = {
      strict: true,
      target: "ES2022",
      module: "commonjs",
      moduleResolution: "node10",
      esModuleInterop: true,
      skipLibCheck: true,
      types: ["node"],
    };
    fs.writeFileSync(path.join(target, "tsconfig.json"), `${JSON.stringify({ compilerOptions }, null, 2)}\n`);
  }
}

/**
 * `config` with the dynamic provider's keys moved to the plugin's namespace: `alicloud:region`, `accessKey` and
 * `secretKey` and every `pulumi-mps-fpdb:` setting become `mps-fpdb:<key>`, the names of the plugin's config.
 */
export function pluginConfig(config: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key.replace(/^(alicloud|pulumi-mps-fpdb):/, `${PLUGIN_PACKAGE}:`),
      value,
    ]),
  );
}

/** Adds `plugins.providers` naming `dir` as the plugin's folder to the project file. */
function namePlugin(programDir: string, dir: string): void {
  const file = path.join(programDir, "Pulumi.yaml");
  const project = fs.readFileSync(file, "utf8");
  if (/^plugins:/m.test(project)) throw new Error(`${file} already has a plugins section`);
  const entry = `plugins:\n  providers:\n    - name: ${PLUGIN_PACKAGE}\n      path: ${JSON.stringify(dir)}\n`;
  fs.writeFileSync(file, `${project.replace(/\n*$/, "\n")}${entry}`);
}

/** Makes a stack for `options.program` in a temporary folder, configured for the emulator. */
export async function createWorkspace(options: WorkspaceOptions): Promise<Workspace> {
  const cli = options.cliDir ? path.join(options.cliDir, "pulumi") : requireCli();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mps-fpdb-real-"));
  const programDir = path.join(dir, "program");
  const source = path.isAbsolute(options.program)
    ? options.program
    : path.join(EXAMPLES_DIR, options.program);
  copyProgram(source, programDir, options.packages);
  const plugin = options.provider === "plugin";
  const pluginDir = options.pluginDir === undefined ? PLUGIN_DIR : options.pluginDir;
  if (plugin && pluginDir !== null) namePlugin(programDir, pluginDir);
  fs.mkdirSync(path.join(dir, "state"));
  const env: NodeJS.ProcessEnv = { ...baseEnv(dir, options.cliDir), ...options.env };
  const stack = options.stack ?? "test";
  const started = new Set<number>();
  const running = new Set<RunningCli>();
  let eventLogs = 0;

  const start = (args: string[], runOptions: RunOptions = {}): RunningCli => {
    const child = spawn(cli, [...args, "--non-interactive"], {
      cwd: programDir,
      env: { ...env, ...runOptions.env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (child.pid) started.add(child.pid);
    let output = "";
    let stdout = "";
    const waiters: { pattern: RegExp; resolve: (s: string) => void; reject: (e: Error) => void }[] = [];
    const check = () => {
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(output)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(output);
        }
      }
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (child.pid) for (const pid of descendantsOf(child.pid)) started.add(pid);
      check();
    };
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      onData(chunk);
    });
    child.stderr?.on("data", onData);
    const eventLog = args.find((_arg, i) => args[i - 1] === "--event-log");
    const done = new Promise<CliResult>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code, signal) => {
        for (const waiter of waiters.splice(0)) {
          waiter.reject(
            new Error(
              `pulumi ${args.join(" ")} ended (${code ?? signal}) before ${waiter.pattern}:\n${output}`,
            ),
          );
        }
        const events = eventLog ? parseEvents(eventLog) : [];
        const result = { code, signal, output, stdout, events, steps: stepsOf(events) };
        running.delete(handle);
        if (code !== 0 && !runOptions.allowFailure) {
          reject(new Error(`pulumi ${args.join(" ")} exited with ${code ?? signal}:\n${output}`));
        } else {
          resolve(result);
        }
      });
    });
    const handle: RunningCli = {
      child,
      done,
      output: () => output,
      waitForOutput: (pattern) =>
        new Promise((resolve, reject) => {
          waiters.push({ pattern, resolve, reject });
          check();
        }),
      signal: (sig) => {
        if (child.pid) for (const pid of descendantsOf(child.pid)) started.add(pid);
        child.kill(sig);
      },
      descendants: () => (child.pid ? descendantsOf(child.pid) : []),
    };
    running.add(handle);
    return handle;
  };

  const run = (args: string[], runOptions?: RunOptions) => start(args, runOptions).done;
  const withLog = (args: string[]) => [...args, "--event-log", path.join(dir, `events-${++eventLogs}.jsonl`)];
  const quiet = async (args: string[]) => {
    await run(args);
  };

  await quiet(["stack", "init", stack]);
  const fast = fastConfig(options.emulator.endpoint);
  const base =
    options.timing === "defaults"
      ? Object.fromEntries(Object.entries(fast).filter(([key]) => !TIMING_KEY.test(key)))
      : fast;
  const config = { ...(plugin ? pluginConfig(base) : base), ...options.config };
  const secrets = { ...options.secrets };
  const secretKey = plugin ? `${PLUGIN_PACKAGE}:secretKey` : "alicloud:secretKey";
  if (secrets[secretKey] !== undefined || config[secretKey] !== undefined) {
    secrets[secretKey] ??= config[secretKey];
    delete config[secretKey];
  }
  await quiet([
    "config",
    "set-all",
    ...Object.entries(config).flatMap(([k, v]) => ["--plaintext", `${k}=${v}`]),
    ...Object.entries(secrets).flatMap(([k, v]) => ["--secret", `${k}=${v}`]),
  ]);

  const workspace: Workspace = {
    dir,
    programDir,
    stack,
    env,
    run,
    start,
    up: (flags = [], o) => run(withLog(["up", "--yes", ...flags]), o),
    preview: (flags = [], o) => run(withLog(["preview", ...flags]), o),
    refresh: (flags = [], o) => run(withLog(["refresh", "--yes", ...flags]), o),
    destroy: (flags = [], o) => run(withLog(["destroy", "--yes", ...flags]), o),
    setConfig: (key, value, secret = false) =>
      quiet(["config", "set", key, value, secret ? "--secret" : "--plaintext"]),
    removeConfig: (key) => quiet(["config", "rm", key]),
    exportStack: async () =>
      JSON.parse((await run(["stack", "export", "--show-secrets"])).stdout) as StackExport,
    resources: async (type = LIBRARY_TYPE) =>
      ((await workspace.exportStack()).deployment.resources ?? []).filter((r) => r.type === type),
    outputs: async () =>
      JSON.parse((await run(["stack", "output", "--json", "--show-secrets"])).stdout) as Record<
        string,
        unknown
      >,
    close: async () => {
      for (const handle of running) handle.signal("SIGKILL");
      for (const pid of started) {
        if (alive(pid)) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // already gone
          }
        }
      }
      await Promise.allSettled([...running].map((h) => h.done));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return workspace;
}
