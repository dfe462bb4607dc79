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
 *   pythonVenv(requirements)     a cached virtual environment with `pulumi` from PyPI and `requirements`
 *   installPythonSdk(python, tmp) sdk/python installed into that environment (a copy of it, built in `tmp`)
 *   linkPythonVenv(dir, tmp)     `venv` in a program's folder: that environment, with sdk/python installed
 *   singleLibrarySteps(o)        the steps of the life every language's one-library program goes through
 *   singleLibraryScenario(o)     those steps as tests titled by the language
 *   requireGoHost()              throws, naming the fix, when the test CLI's pulumi-language-go is missing
 *   useRepositoryGoSdk(dir)      points a copied Go program's replace directive at this clone's sdk/go
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  DEFAULT_ACCESS_KEY_SECRET,
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from "../../../emulator";
import {
  CLI_DIR,
  CLI_VERSION,
  createWorkspace,
  PLUGIN_DIR,
  REPO_ROOT,
  requireCli,
  type Workspace,
  type WorkspaceOptions,
} from "./cli";
import { SECRET_SIG, SIG_KEY } from "../../../harness/wire";
import { GO_MODULE_PATH } from "../../../plugin/package-schema";
import { callsSince, writesIn } from "./emulator-calls";
import { jobEnded, opsByName, stepLines } from "./fixture";

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

/** The Pulumi version of every Python environment here: the CLI's, and the SDK's on PyPI. */
export const PULUMI_PYTHON_VERSION = "3.248.0";

function runIn(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: "utf8",
    stdio: "pipe",
  });
}

/**
 * A virtual environment with `pulumi` from PyPI at the pinned version and `requirements`, made once per list under
 * .cache and reused: made in a temporary folder and renamed into place, so an interrupted setup never leaves a
 * half-made one to reuse. Its interpreter finds the environment from its own path, so it works after the rename;
 * the scripts in its bin/ do not (they name the temporary folder), so only `python -m ...` is run in it. Returns
 * the environment's folder.
 */
export function pythonVenv(requirements: string[] = []): string {
  const all = [`pulumi==${PULUMI_PYTHON_VERSION}`, ...requirements];
  const recipe = createHash("sha256").update(all.join("\n")).digest("hex").slice(0, 8);
  const venv = path.join(REPO_ROOT, ".cache", "python-sdk-venv", `pulumi-${PULUMI_PYTHON_VERSION}-${recipe}`);
  if (fs.existsSync(path.join(venv, "bin", "python"))) return venv;
  fs.mkdirSync(path.dirname(venv), { recursive: true });
  const making = fs.mkdtempSync(`${venv}.making-`);
  try {
    runIn("python3", ["-m", "venv", making], REPO_ROOT);
    runIn(path.join(making, "bin", "python"), ["-m", "pip", "install", "--quiet", ...all], REPO_ROOT);
    fs.renameSync(making, venv);
  } catch (err) {
    fs.rmSync(making, { recursive: true, force: true });
    throw err;
  }
  return venv;
}

/**
 * The requirements with which the committed Python SDK installs without PyPI: setuptools and wheel to build it
 * without build isolation, and its own dependencies besides `pulumi`.
 */
export const PYTHON_SDK_REQUIREMENTS = ["setuptools>=61", "wheel", "parver>=0.2.1", "semver>=2.8.1"];

/**
 * Installs the committed sdk/python into the environment of `python` (from a copy in `tmp`: pip writes build
 * folders beside the sources), replacing whatever version of it was there.
 */
export function installPythonSdk(python: string, tmp: string): void {
  const copy = path.join(tmp, "sdk-python");
  fs.cpSync(path.join(REPO_ROOT, "sdk", "python"), copy, { recursive: true });
  runIn(
    python,
    ["-m", "pip", "install", "--quiet", "--no-build-isolation", "--force-reinstall", "--no-deps", copy],
    tmp,
  );
}

/**
 * Links `venv` in a Python program's folder (Pulumi.yaml `virtualenv: venv`) to the cached environment with
 * `pulumi` and the committed sdk/python installed, what a user's `python3 -m venv venv` and pip installs make.
 */
export function linkPythonVenv(programDir: string, tmp: string): void {
  const venv = pythonVenv(PYTHON_SDK_REQUIREMENTS);
  installPythonSdk(path.join(venv, "bin", "python"), tmp);
  fs.symlinkSync(venv, path.join(programDir, "venv"), "dir");
}

/** What differs between the languages' one-library programs (fixtures/plugin-yaml, fixtures/plugin-python). */
export interface SingleLibraryProgram {
  /** The program's project name, the namespace of its `trigger` config. */
  project: string;
  /** The `libraryName` the program gives its one library, `catalogue`. */
  libraryName: string;
  suite: ReturnType<typeof pluginSuite>;
  /** The workspace, made by the test file's beforeAll. */
  workspace(): Workspace;
  /** The language's name, in what the steps print. */
  language: string;
  /** More `pulumi import` flags (`--generate-code=false` where the language host generates no code). */
  importFlags?: string[];
  /**
   * What `pulumi import` printed beyond the import itself: the program code a language host wrote, and with it
   * the engine's word that imports are protected (printed only beside generated code).
   */
  checkImportOutput?(output: string, fpDbId: string): void;
}

/**
 * One library through its life, as test bodies the test file runs in this order under titles of its own (the
 * index, docs/tests.md, cites each language's tests): up, a no-change preview, a purge, refresh, a
 * `customTimeouts` of 3 s on update that runs out and the next up that resumes the job, `pulumi import` of a
 * library made outside Pulumi (protected, kept on destroy) and destroy. The program declares `catalogue` with
 * `purgeTrigger` from the `trigger` config and exports fpDbId, status, purgeJobId and purgeJobStatus.
 */
export function singleLibrarySteps(o: SingleLibraryProgram): {
  up(): Promise<void>;
  preview(): Promise<void>;
  purge(): Promise<void>;
  refresh(): Promise<void>;
  timeout(): Promise<void>;
  importLibrary(): Promise<void>;
  destroy(): Promise<void>;
} {
  const emulator = () => o.suite.emulator();
  return {
    up: async () => {
      const ws = o.workspace();
      const before = emulator().admin.counts();
      const result = await ws.up(["--skip-preview"]);
      expect(stepLines(result.steps)).toEqual(["create catalogue ok"]);
      expect(writesIn(callsSince(emulator(), before))).toEqual({ CreateFpShotDB: 1 });

      const [library] = await ws.resources(PLUGIN_TYPE);
      expect(library.outputs).toMatchObject({
        fpDbId: library.id,
        libraryName: o.libraryName,
        status: "active",
        adopted: false,
      });
      // A plugin's resources carry no serialized provider, unlike a dynamic resource's `__provider`.
      expect(JSON.stringify(library)).not.toContain("__provider");
      // The key the library's job tags are made with is stored encrypted, as the plugin marked it secret.
      expect(library.outputs?.jobTagKey).toMatchObject({ [SIG_KEY]: SECRET_SIG });
      expect(await ws.outputs()).toMatchObject({ fpDbId: library.id, status: "active" });
      expect(emulator().admin.state().libraries).toEqual([
        expect.objectContaining({ fpDbId: library.id, name: o.libraryName, status: "active" }),
      ]);

      const exported = (await ws.run(["stack", "export"])).stdout;
      expect(exported).toContain('"type": "pulumi:providers:mps-fpdb"');
      expect(exported).not.toContain(DEFAULT_ACCESS_KEY_SECRET);
    },
    preview: async () => {
      const before = emulator().admin.counts();
      const result = await o.workspace().preview();
      expect(opsByName(result.steps)).toEqual({ catalogue: "same" });
      expect(writesIn(callsSince(emulator(), before))).toEqual({});
    },
    purge: async () => {
      const ws = o.workspace();
      const before = emulator().admin.counts();
      await ws.setConfig(`${o.project}:trigger`, "r1");
      const result = await ws.up(["--skip-preview"]);
      expect(opsByName(result.steps)).toEqual({ catalogue: "update" });
      expect(writesIn(callsSince(emulator(), before))).toEqual({ SubmitFpDBDeleteJob: 1 });
      const jobs = emulator().admin.state().jobs;
      expect(jobs).toEqual([expect.objectContaining({ delType: "Purge", status: "Success" })]);
      expect(await ws.outputs()).toMatchObject({ purgeJobId: jobs[0].jobId, purgeJobStatus: "Success" });
    },
    refresh: async () => {
      const ws = o.workspace();
      const [before] = await ws.resources(PLUGIN_TYPE);
      const counts = emulator().admin.counts();
      const result = await ws.refresh(["--skip-preview"]);
      expect(stepLines(result.steps)).toEqual(["refresh->same catalogue ok"]);
      const calls = callsSince(emulator(), counts);
      expect(writesIn(calls)).toEqual({});
      expect(Object.keys(calls).length).toBeGreaterThan(0);
      const [after] = await ws.resources(PLUGIN_TYPE);
      expect(after.id).toBe(before.id);
      expect(after.outputs).toMatchObject({ status: "active", purgeJobId: before.outputs?.purgeJobId });
    },
    timeout: async () => {
      const ws = o.workspace();
      // Well beyond the program's 3 s update timeout, so the step runs out of time whatever the machine's pace.
      emulator().admin.setSettings({ purgeSeconds: 8 });
      const before = emulator().admin.counts();
      await ws.setConfig(`${o.project}:trigger`, "r2");
      const failed = await ws.up(["--skip-preview"], { allowFailure: true });
      expect(failed.code).not.toBe(0);
      expect(stepLines(failed.steps)).toEqual(["update catalogue failed"]);
      const job = emulator().admin.state().jobs.at(-1);
      expect(job).toMatchObject({ delType: "Purge" });
      const jobId = job?.jobId ?? "";
      // What the user sees on the failed step: the job, its last status, and that running again resumes it.
      expect(failed.output).toMatch(
        new RegExp(
          `Timed out after [\\d.]+ m?s waiting for job ${jobId} for .*; last status: (Queuing|Analysing)`,
        ),
      );
      expect(failed.output).toMatch(/run the operation again to resume waiting for it/);
      console.log(
        `the timed-out update as the CLI shows it:\n${linesAround(failed.output, "Timed out after")}`,
      );

      emulator().admin.setSettings({ purgeSeconds: 0.3 });
      // The job ends in MPS meanwhile; the next up takes it by its tag rather than waiting on a clock.
      await jobEnded(emulator(), jobId);
      const resumed = await ws.up(["--skip-preview"]);
      expect(opsByName(resumed.steps)).toEqual({ catalogue: "update" });
      // One Purge job for the trigger change, the one that timed out: the second up took it.
      expect(writesIn(callsSince(emulator(), before))).toEqual({ SubmitFpDBDeleteJob: 1 });
      expect(await ws.outputs()).toMatchObject({ purgeJobId: jobId, purgeJobStatus: "Success" });
    },
    importLibrary: async () => {
      const ws = o.workspace();
      const fpDbId = emulator().admin.seedLibrary({
        name: "legacy-library",
        description: "made in the console",
      });
      const before = emulator().admin.counts();
      const result = await ws.run([
        "import",
        PLUGIN_TYPE,
        "legacy",
        fpDbId,
        "--yes",
        ...(o.importFlags ?? []),
      ]);
      console.log(`pulumi import as the CLI shows it (${o.language}):\n${result.output}`);
      expect(result.output).toMatch(/=\s+1 imported/);
      o.checkImportOutput?.(result.output, fpDbId);
      expect(writesIn(callsSince(emulator(), before))).toEqual({});

      const legacy = (await ws.resources(PLUGIN_TYPE)).find((r) => r.urn.endsWith("::legacy"));
      expect(legacy).toMatchObject({ id: fpDbId, protect: true });
      expect(legacy?.inputs).toMatchObject({ fpDbId });
      expect(legacy?.outputs).toMatchObject({
        fpDbId,
        adopted: true,
        reportedName: "legacy-library",
        status: "active",
      });
    },
    destroy: async () => {
      const ws = o.workspace();
      const [catalogue, legacy] = ["catalogue", "legacy"].map(
        (name) => `urn:pulumi:${ws.stack}::${o.project}::${PLUGIN_TYPE}::${name}`,
      );
      // Imports are protected by default (the engine's rule): the user lifts it to let destroy through.
      await ws.run(["state", "unprotect", legacy, "--yes"]);
      const ids = Object.fromEntries((await ws.resources(PLUGIN_TYPE)).map((r) => [r.urn, r.id]));
      const before = emulator().admin.counts();
      const result = await ws.destroy(["--skip-preview"]);
      expect(opsByName(result.steps)).toEqual({ catalogue: "delete", legacy: "delete" });
      expect(writesIn(callsSince(emulator(), before))).toEqual({ SubmitFpDBDeleteJob: 1 });
      const state = emulator().admin.state();
      expect(state.jobs.filter((j) => j.delType === "Delete")).toEqual([
        expect.objectContaining({ fpDbId: ids[catalogue], status: "Success" }),
      ]);
      expect(state.libraries.find((l) => l.fpDbId === ids[legacy])).toMatchObject({ deleted: false });
      expect(await ws.resources(PLUGIN_TYPE)).toEqual([]);
    },
  };
}

/**
 * The steps of `singleLibrarySteps` registered as tests titled by the language, for a test file that needs no
 * title of its own in the index (docs/tests.md cites titles spelled in the test file itself). Call at the top
 * level of a test file or in a describe.
 */
export function singleLibraryScenario(o: SingleLibraryProgram): void {
  const steps = singleLibrarySteps(o);
  const label = `${o.language} program:`;
  test(`${label} up creates the library through the packaged plugin`, steps.up);
  test(`${label} a second preview plans no change and calls no write`, steps.preview);
  test(`${label} a purgeTrigger change runs one Purge job, whose JobId the outputs hold`, steps.purge);
  test(`${label} refresh reads the library and changes nothing`, steps.refresh);
  test(
    `${label} customTimeouts that run out fail with the JobId; the next up resumes the job`,
    steps.timeout,
  );
  test(
    `${label} pulumi import adopts a library from its id: inputs from Read, protected`,
    steps.importLibrary,
  );
  test(`${label} destroy deletes the created library and keeps the imported one`, steps.destroy);
}

/** The Go language host beside the test CLI (tools/pulumi/language-host-go, built by build-pulumi-cli.sh). */
export function requireGoHost(): string {
  const host = path.join(CLI_DIR, "pulumi-language-go");
  const answer = fs.existsSync(host)
    ? execFileSync(host, ["-version"], { encoding: "utf8" }).trim()
    : "missing";
  if (answer !== CLI_VERSION) {
    throw new Error(`${host} answered "${answer}", not ${CLI_VERSION}: run npm run build:pulumi-cli`);
  }
  return host;
}

/**
 * A Go program copied out of the repository names the SDK by a relative replace directive that no longer
 * reaches it: point it at this clone's sdk/go, as a user of an unpublished SDK does (docs/sdks.md).
 */
export function useRepositoryGoSdk(programDir: string): void {
  execFileSync("go", ["mod", "edit", `-replace=${GO_MODULE_PATH}=${path.join(REPO_ROOT, "sdk", "go")}`], {
    cwd: programDir,
    stdio: "pipe",
  });
}
