/**
 * The examples other than the quickstart (quickstart.test.ts) through the real CLI, as their READMEs tell a user
 * to run them: adopt-existing, purge-on-release and gitops (its index.ts, and automation.ts, which drives the same
 * program through the Automation API and so through the CLI on PATH, as its CI workflow does); the program
 * the README itself shows; and the provider plugin's python and yaml examples, each by its README's commands.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  startEmulator,
  type RunningEmulator,
} from "../../emulator";
import { hostEnv } from "../support/lifecycle";
import {
  CLI_DIR,
  createWorkspace,
  EXAMPLES_DIR,
  REPO_ROOT,
  requireCli,
  type CliResult,
  type Workspace,
} from "./support/cli";
import { callsSince, writesIn } from "./support/emulator-calls";
import { opsByName } from "./support/fixture";
import { linkPythonVenv, PLUGIN_TYPE, requirePlugin } from "./support/plugin";

jest.setTimeout(300_000);

let emulator: RunningEmulator;

beforeAll(async () => {
  requireCli();
  emulator = await startEmulator({ activateSeconds: 0.2, jobSeconds: 0.3, quota: 100 });
});

afterAll(async () => {
  await emulator?.close();
});

test("adopt-existing: up adopts the library without creating one; destroy retains it", async () => {
  const fpDbId = emulator.admin.seedLibrary({ name: "shared", description: "made elsewhere" });
  const ws = await createWorkspace({
    program: "adopt-existing",
    emulator,
    config: { "mps-fpdb-adopt-existing:fpDbId": fpDbId },
  });
  try {
    const before = emulator.admin.counts();
    const up = await ws.up(["--skip-preview"]);
    expect(opsByName(up.steps)).toEqual({ "shared-dna": "create" });
    expect(writesIn(callsSince(emulator, before))).toEqual({});
    expect(await ws.outputs()).toMatchObject({
      fpDbId,
      adopted: true,
      reportedName: "shared",
      status: "active",
    });

    const beforeDestroy = emulator.admin.counts();
    const destroy = await ws.destroy(["--skip-preview"]);
    expect(opsByName(destroy.steps)).toEqual({ "shared-dna": "delete" });
    expect(writesIn(callsSince(emulator, beforeDestroy))).toEqual({});
    expect(emulator.admin.state().libraries.find((l) => l.fpDbId === fpDbId)?.deleted).toBe(false);
    expect(await ws.resources()).toEqual([]);
  } finally {
    await ws.close();
  }
});

test("purge-on-release: three libraries, one Purge job each on a new release tag, one Delete job each on destroy", async () => {
  const ws = await createWorkspace({
    program: "purge-on-release",
    emulator,
    config: { "mps-fpdb-purge-on-release:releaseTag": "v1" },
  });
  try {
    const up = await ws.up(["--skip-preview"]);
    expect(opsByName(up.steps)).toEqual({
      "trailers-dna": "create",
      "episodes-dna": "create",
      "live-clips-dna": "create",
    });
    const ids = (await ws.resources()).map((r) => String(r.id));
    expect(ids).toHaveLength(3);

    await ws.setConfig("mps-fpdb-purge-on-release:releaseTag", "v2");
    const before = emulator.admin.counts();
    const release = await ws.up(["--skip-preview"]);
    expect(Object.values(opsByName(release.steps))).toEqual(["update", "update", "update"]);
    expect(writesIn(callsSince(emulator, before))).toEqual({ SubmitFpDBDeleteJob: 3 });
    const purges = emulator.admin.state().jobs.filter((j) => ids.includes(j.fpDbId) && j.delType === "Purge");
    expect(purges.map((j) => j.status)).toEqual(["Success", "Success", "Success"]);
    const outputs = await ws.outputs();
    expect([...(outputs.purgeJobIds as string[])].sort()).toEqual(purges.map((j) => j.jobId).sort());

    await ws.destroy(["--skip-preview"]);
    const deletes = emulator.admin
      .state()
      .jobs.filter((j) => ids.includes(j.fpDbId) && j.delType === "Delete");
    expect(deletes.map((j) => j.fpDbId).sort()).toEqual([...ids].sort());
    expect(await ws.resources()).toEqual([]);
  } finally {
    await ws.close();
  }
});

test("gitops: the environment's stack creates its library on up and deletes it on destroy", async () => {
  const ws = await createWorkspace({
    program: "gitops",
    emulator,
    stack: "staging",
    config: { "mps-fpdb-gitops:environment": "staging", "mps-fpdb-gitops:protect": "false" },
  });
  try {
    const preview = await ws.preview();
    expect(opsByName(preview.steps)).toEqual({ "staging-dna": "create" });
    await ws.up(["--skip-preview"]);
    const [resource] = await ws.resources();
    expect(resource.outputs).toMatchObject({
      libraryName: "staging-dna",
      userData: "env=staging",
      status: "active",
    });
    await ws.destroy(["--skip-preview"]);
    expect(emulator.admin.state().libraries.find((l) => l.fpDbId === resource.id)?.deleted).toBe(true);
    expect(await ws.resources()).toEqual([]);
  } finally {
    await ws.close();
  }
});

test("gitops automation.ts: the Automation API's up, purge and destroy through the CLI on PATH, credentials and pipeline from the environment", async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "mps-fpdb-automation-"));
  const env = hostEnv({
    PATH: `${CLI_DIR}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_HOME: path.join(work, "home"),
    PULUMI_BACKEND_URL: `file://${work}`,
    PULUMI_CONFIG_PASSPHRASE: "real-engine-tests-only",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    ALIBABA_CLOUD_REGION: "cn-hangzhou",
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    MPS_FPDB_ENDPOINT: emulator.endpoint,
    MPS_FPDB_POLL_INTERVAL_MS: "20",
  });
  const pipelineId = "0123456789abcdef0123456789abcdef";
  const automation = (action: string, more: NodeJS.ProcessEnv = {}) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [require.resolve("tsx/cli", { paths: [EXAMPLES_DIR] }), "automation.ts", action, "review"],
        {
          cwd: path.join(EXAMPLES_DIR, "gitops"),
          env: { ...env, ...more },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
      child.on("close", (code) => resolve({ code, output }));
    });
  try {
    const up = await automation("up", { MPS_PIPELINE_ID: pipelineId });
    expect(up).toEqual({ code: 0, output: expect.stringMatching(/fpDbId: "\w+"/) });
    // Before the first purge, a placeholder: no "Undefined value (purgeJobId)" warning, and the output is listed.
    expect(up.output).toContain('purgeJobId: "none yet"');
    expect(up.output).not.toContain("Undefined value");
    const fpDbId = /fpDbId: "(\w+)"/.exec(up.output)?.[1];
    expect(emulator.admin.state().libraries.find((l) => l.fpDbId === fpDbId)).toMatchObject({
      name: "review-dna",
      status: "active",
      deleted: false,
    });
    const purges = () =>
      emulator.admin.state().jobs.filter((j) => j.fpDbId === fpDbId && j.delType === "Purge");

    const purged = await automation("up", { MPS_PIPELINE_ID: pipelineId, PURGE_TRIGGER: "r1" });
    expect(purged.code).toBe(0);
    expect(purges()).toEqual([expect.objectContaining({ status: "Success", pipelineId })]);
    expect(purged.output).toContain(`purgeJobId: "${purges()[0].jobId}"`);

    // The variable removed from CI: the pipeline leaves the stack's config, so the next job goes without it.
    const unpiped = await automation("up", { PURGE_TRIGGER: "r2" });
    expect(unpiped.code).toBe(0);
    expect(purges()).toHaveLength(2);
    expect(purges()[1]).toMatchObject({ status: "Success" });
    expect(purges()[1].pipelineId).toBeUndefined();
    const destroy = await automation("destroy");
    expect(destroy.code).toBe(0);
    expect(emulator.admin.state().libraries.find((l) => l.fpDbId === fpDbId)?.deleted).toBe(true);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test("the README's own program: up with no undefined-output warning, a purge, a destroy", async () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("\n## Use it in a Pulumi project\n"));
  const program = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(program).toContain("new FingerprintLibrary(");
  const source = fs.mkdtempSync(path.join(os.tmpdir(), "mps-fpdb-readme-program-"));
  fs.writeFileSync(path.join(source, "Pulumi.yaml"), "name: readme-program\nruntime: nodejs\n");
  fs.writeFileSync(path.join(source, "index.ts"), program ?? "");
  const ws = await createWorkspace({ program: source, emulator });
  try {
    const up = await ws.up(["--skip-preview"]);
    expect(up.output).not.toContain("Undefined value");
    const { fpDbId } = await ws.outputs();
    expect(await ws.outputs()).toEqual({ fpDbId: expect.any(String), purgeJobId: "none yet" });

    await ws.setConfig("purgeTrigger", "2025-06-01");
    await ws.up(["--skip-preview"]);
    const purges = emulator.admin.state().jobs.filter((j) => j.fpDbId === fpDbId && j.delType === "Purge");
    expect(purges).toEqual([expect.objectContaining({ status: "Success" })]);
    expect(await ws.outputs()).toEqual({ fpDbId, purgeJobId: purges[0].jobId });

    await ws.destroy(["--skip-preview"]);
    expect(emulator.admin.state().libraries.find((l) => l.fpDbId === fpDbId)?.deleted).toBe(true);
  } finally {
    await ws.close();
    fs.rmSync(source, { recursive: true, force: true });
  }
});

/**
 * A plugin example run by the commands of its README's "Run it" block, in order, against the emulator (its port
 * put in for `<port>`): the `pulumi config set` lines, `pulumi up`, the purgeTrigger change and the second up, and
 * `pulumi destroy`. The stack is the workspace's own, and the plugin comes from dist/plugin-package named in
 * Pulumi.yaml (installing the README's tarball is plugin-install.test.ts's subject).
 */
async function runPluginExample(
  name: string,
  libraryName: string,
  prepare: (ws: Workspace, tmp: string) => void = () => undefined,
): Promise<void> {
  requirePlugin();
  const readme = fs.readFileSync(path.join(EXAMPLES_DIR, name, "README.md"), "utf8");
  const block = readme.split("```").find((part) => part.includes("pulumi stack init")) ?? "";
  const commands = block
    .split("\n")
    .map((line) => line.replace(/#.*$/, "").trim())
    .filter((line) => line.startsWith("pulumi "));
  expect(commands).toEqual(
    expect.arrayContaining(["pulumi up", "pulumi config set purgeTrigger release-2", "pulumi destroy"]),
  );
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `mps-fpdb-example-${name}-`));
  const ws = await createWorkspace({ program: name, emulator, provider: "plugin" });
  try {
    prepare(ws, tmp);
    const port = new URL(emulator.endpoint).port;
    const ups: CliResult[] = [];
    let fpDbId = "";
    for (const command of commands) {
      const args = command.replace("<port>", port).split(/\s+/).slice(1);
      if (args[0] === "stack") continue;
      if (args[0] === "config") {
        await ws.run(args);
      } else if (args[0] === "up") {
        ups.push(await ws.up(["--skip-preview"]));
        if (ups.length === 1) fpDbId = String((await ws.resources(PLUGIN_TYPE))[0]?.id);
      } else if (args[0] === "destroy") {
        const before = emulator.admin.counts();
        const destroy = await ws.destroy(["--skip-preview"]);
        expect(opsByName(destroy.steps)).toEqual({ catalogue: "delete" });
        expect(writesIn(callsSince(emulator, before))).toEqual({ SubmitFpDBDeleteJob: 1 });
      } else {
        throw new Error(`${name}/README.md runs ${command}, which this test does not know`);
      }
    }
    expect(ups.map((up) => opsByName(up.steps))).toEqual([{ catalogue: "create" }, { catalogue: "update" }]);
    const purges = emulator.admin.state().jobs.filter((j) => j.fpDbId === fpDbId && j.delType === "Purge");
    expect(purges).toEqual([expect.objectContaining({ status: "Success" })]);
    expect(emulator.admin.state().libraries.find((l) => l.fpDbId === fpDbId)).toMatchObject({
      name: libraryName,
      deleted: true,
    });
    expect(await ws.resources(PLUGIN_TYPE)).toEqual([]);
  } finally {
    await ws.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

test("python: its README's config, up, purge and destroy through the plugin and the generated SDK", async () => {
  await runPluginExample("python", "python-catalogue", (ws, tmp) => linkPythonVenv(ws.programDir, tmp));
});

test("yaml: its README's config, up, purge and destroy through the plugin, no SDK", async () => {
  await runPluginExample("yaml", "yaml-catalogue");
});
