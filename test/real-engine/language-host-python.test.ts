/**
 * The test CLI's Python language host (tools/pulumi/language-host-python, built into .cache/pulumi-cli by
 * scripts/build-pulumi-cli.sh) against what Pulumi 3.248's own host does, as its source
 * (sdk/python/cmd/pulumi-language-python/main.go, `Run` and `constructArguments`, and sdk/v3's python/toolchain)
 * shows it: started with an engine address, it prints its port; Run runs the exec script with the interpreter of
 * Pulumi.yaml's `virtualenv` (activated) and upstream's command line, config and secret keys; exit code 32 is a
 * bail; Cancel interrupts the program. The exec script is a recorder (fixtures/language-host-python/fake-exec.py,
 * passed with upstream's `-use-executor`), so every check is on the host alone; plugin-python.test.ts runs real
 * programs through the real exec script.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { LanguageRuntimeClient } from "@pulumi/pulumi/proto/language_grpc_pb";
import {
  GetRequiredPluginsRequest,
  ProgramInfo,
  RunRequest,
  type RunResponse,
} from "@pulumi/pulumi/proto/language_pb";
import { CLI_DIR, CLI_VERSION, requireCli } from "./support/cli";

jest.setTimeout(60_000);

const HOST = path.join(CLI_DIR, "pulumi-language-python");
const FAKE_EXEC = path.join(__dirname, "fixtures", "language-host-python", "fake-exec.py");
// Never dialled: the host checks the engine's health every 5 minutes, long after these tests end.
const ENGINE = "127.0.0.1:1";

let tmp: string;
let project: string;
let record: string;
let host: ChildProcess;
let client: LanguageRuntimeClient;
const hostLines: string[] = [];

interface Record {
  argv: string[];
  cwd: string;
  env: { [name: string]: string | null };
  signal?: number;
}

function readRecord(): Record {
  return JSON.parse(fs.readFileSync(record, "utf8")) as Record;
}

function nextHostLine(pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const line = hostLines.find((l) => pattern.test(l));
      if (line !== undefined) {
        resolve(line);
        return true;
      }
      return false;
    };
    if (check()) return;
    const onLine = () => {
      if (check()) host.stdout!.off("data", onLine);
    };
    host.stdout!.on("data", onLine);
    host.once("exit", (code) => reject(new Error(`the host exited (${code}) before printing ${pattern}`)));
  });
}

function call<Req, Res>(method: string, request: Req): Promise<Res> {
  type Unary = (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => void;
  const fn = (client as unknown as { [name: string]: Unary })[method].bind(client);
  return new Promise<Res>((resolve, reject) => fn(request, (err, res) => (err ? reject(err) : resolve(res))));
}

/** A RunRequest as the engine sends one for `project`, with `options` as Pulumi.yaml's runtime options. */
function runRequest(
  args: string[],
  options: { [key: string]: unknown } = { virtualenv: "venv" },
): RunRequest {
  const info = new ProgramInfo();
  info.setRootDirectory(project);
  info.setProgramDirectory(project);
  info.setEntryPoint(".");
  info.setOptions(Struct.fromJavaScript(options as never));
  const request = new RunRequest();
  request.setInfo(info);
  request.setProject("proj");
  request.setStack("dev");
  request.setPwd(project);
  request.setMonitorAddress("127.0.0.1:9");
  request.setOrganization("org");
  request.setArgsList(args);
  return request;
}

beforeAll(async () => {
  requireCli();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "language-host-python-"));
  project = path.join(tmp, "project");
  record = path.join(tmp, "record.json");
  // A virtual environment as the host sees one: a python under bin/ (upstream's toolchain.IsVirtualEnv).
  fs.mkdirSync(path.join(project, "venv", "bin"), { recursive: true });
  const python3 = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" });
  fs.symlinkSync(python3.stdout.trim(), path.join(project, "venv", "bin", "python"));
  const env: NodeJS.ProcessEnv = { ...process.env, RECORD_TO: record };
  delete env.VIRTUAL_ENV;
  host = spawn(HOST, ["-use-executor", FAKE_EXEC, ENGINE], {
    cwd: project,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  readline.createInterface({ input: host.stdout! }).on("line", (line) => hostLines.push(line));
  const port = await nextHostLine(/^\d+$/);
  client = new LanguageRuntimeClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
});

afterAll(() => {
  client?.close();
  host?.kill("SIGKILL");
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test("Run passes upstream's command line, the config as the engine sent it and the secret keys, in the venv", async () => {
  const request = runRequest(["extra", "exit=0"]);
  request.setDryrun(true);
  request.setParallel(4);
  request.getConfigMap().set("proj:greeting", "hello").set("proj:token", "s3cr3t");
  request.setConfigsecretkeysList(["proj:token"]);
  const response = await call<RunRequest, RunResponse>("run", request);
  expect(response.getError()).toBe("");
  expect(response.getBail()).toBe(false);

  const seen = readRecord();
  expect(seen.argv).toEqual([
    ...["--monitor", "127.0.0.1:9", "--engine", ENGINE, "--project", "proj", "--root_directory", project],
    ...["--stack", "dev", "--pwd", project, "--dry_run", "true", "--parallel", "4", "--organization", "org"],
    ...[".", "extra", "exit=0"],
  ]);
  // Keys exactly as the engine sends them: the Python SDK reads `<namespace>:<name>` (unlike Node's rewrite).
  expect(JSON.parse(seen.env.PULUMI_CONFIG ?? "null")).toEqual({
    "proj:greeting": "hello",
    "proj:token": "s3cr3t",
  });
  expect(JSON.parse(seen.env.PULUMI_CONFIG_SECRET_KEYS ?? "null")).toEqual(["proj:token"]);
  // The virtual environment is activated: VIRTUAL_ENV, and its bin first on PATH.
  expect(seen.env.VIRTUAL_ENV).toBe(path.join(project, "venv"));
  expect(seen.env.PATH?.split(path.delimiter)[0]).toBe(path.join(project, "venv", "bin"));
});

test("without virtualenv the program runs on PATH's python; a preview of parallel 0 still passes both flags", async () => {
  const response = await call<RunRequest, RunResponse>("run", runRequest(["exit=0"], {}));
  expect(response.getError()).toBe("");
  const seen = readRecord();
  expect(seen.argv).toEqual(expect.arrayContaining(["--dry_run", "false"]));
  expect(seen.argv.slice(seen.argv.indexOf("--parallel"), seen.argv.indexOf("--parallel") + 2)).toEqual([
    "--parallel",
    "0",
  ]);
  expect(seen.env.VIRTUAL_ENV).toBeNull();
  // No config: no PULUMI_CONFIG at all, and secret keys as an empty list.
  expect(seen.env.PULUMI_CONFIG).toBeNull();
  expect(seen.env.PULUMI_CONFIG_SECRET_KEYS).toBe("[]");
});

test("exit code 32 is a bail (the user has been told); any other is an error naming the code", async () => {
  const bail = await call<RunRequest, RunResponse>("run", runRequest(["exit=32"]));
  expect(bail.getBail()).toBe(true);
  expect(bail.getError()).toBe("");
  const failed = await call<RunRequest, RunResponse>("run", runRequest(["exit=3"]));
  expect(failed.getBail()).toBe(false);
  expect(failed.getError()).toBe("program exited with non-zero exit code: 3");
});

test("a virtualenv that does not exist fails Run with upstream's instructions to make it", async () => {
  await expect(call("run", runRequest(["exit=0"], { virtualenv: "missing" }))).rejects.toThrow(
    `The 'virtualenv' option in Pulumi.yaml is set to "missing", but "${path.join(project, "missing")}" doesn't exist`,
  );
});

test("options the stand-in does not run are refused, not ignored", async () => {
  await expect(
    call("run", runRequest(["exit=0"], { virtualenv: "venv", typechecker: "mypy" })),
  ).rejects.toThrow(/typechecker option is not supported/);
  await expect(call("getRequiredPlugins", new GetRequiredPluginsRequest())).rejects.toMatchObject({
    code: grpc.status.UNIMPLEMENTED,
  });
});

// Last of the Run tests: as upstream, a Cancel stops every later Run of this host too.
test("Cancel interrupts the running program with SIGINT, and Run reports how it ended", async () => {
  const running = call<RunRequest, RunResponse>("run", runRequest(["wait"]));
  await nextHostLine(/^started$/);
  await call("cancel", new Empty());
  const response = await running;
  expect(readRecord().signal).toBe(2);
  expect(response.getError()).toBe("program exited with non-zero exit code: 7");
});

test("-version answers the CLI's version; a copy without the exec script beside it refuses to start", () => {
  expect(spawnSync(HOST, ["-version"], { encoding: "utf8" }).stdout.trim()).toBe(CLI_VERSION);
  const alone = path.join(tmp, "alone");
  fs.mkdirSync(alone);
  fs.copyFileSync(HOST, path.join(alone, "pulumi-language-python"));
  fs.chmodSync(path.join(alone, "pulumi-language-python"), 0o755);
  const started = spawnSync(path.join(alone, "pulumi-language-python"), [ENGINE], { encoding: "utf8" });
  expect(started.status).not.toBe(0);
  expect(started.stderr).toContain(`missing executor ${path.join(alone, "pulumi-language-python-exec")}`);
});
