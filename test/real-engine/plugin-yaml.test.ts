/**
 * The provider plugin through Pulumi's real CLI with a YAML program: Pulumi's own YAML language host (built by
 * scripts/build-pulumi-yaml.sh) needs no SDK, it reads the resource's schema from the plugin, which the CLI
 * finds through Pulumi.yaml `plugins.providers` naming the packaged folder as the npm package carries it. One
 * library through its life: up, a no-change preview, a purge, refresh, a `customTimeouts` that runs out and the
 * next up that resumes the job, `pulumi import` of a library made outside Pulumi, and destroy.
 */
import { DEFAULT_ACCESS_KEY_SECRET } from "../../emulator";
import type { Workspace } from "./support/cli";
import { callsSince, writesIn } from "./support/emulator-calls";
import { opsByName, stepLines } from "./support/fixture";
import { linesAround, PLUGIN_TYPE, pluginSuite } from "./support/plugin";

jest.setTimeout(300_000);

const PROJECT = "mps-fpdb-plugin-yaml";
const suite = pluginSuite({ activateSeconds: 0.2, jobSeconds: 0.3 });
let ws: Workspace;

beforeAll(async () => {
  // Named as a user of the npm package names it: relative to the project, inside the installed package (the
  // program's node_modules holds this repository's link to itself, so it is dist/plugin-package of this clone).
  ws = await suite.workspace("plugin-yaml", {
    pluginDir: "node_modules/pulumi-mps-fpdb/dist/plugin-package",
  });
});

test("up creates the library through the packaged plugin; the provider's secret stays encrypted in state", async () => {
  const emulator = suite.emulator();
  const before = emulator.admin.counts();
  const result = await ws.up(["--skip-preview"]);
  expect(stepLines(result.steps)).toEqual(["create catalogue ok"]);
  expect(writesIn(callsSince(emulator, before))).toEqual({ CreateFpShotDB: 1 });

  const [library] = await ws.resources(PLUGIN_TYPE);
  expect(library.outputs).toMatchObject({
    fpDbId: library.id,
    libraryName: "plugin-yaml-catalogue",
    status: "active",
    adopted: false,
  });
  // A plugin's resources carry no serialized provider, unlike a dynamic resource's `__provider`.
  expect(JSON.stringify(library)).not.toContain("__provider");
  expect(await ws.outputs()).toMatchObject({ fpDbId: library.id, status: "active" });
  expect(emulator.admin.state().libraries).toEqual([
    expect.objectContaining({ fpDbId: library.id, name: "plugin-yaml-catalogue", status: "active" }),
  ]);

  const exported = (await ws.run(["stack", "export"])).stdout;
  expect(exported).toContain('"type": "pulumi:providers:mps-fpdb"');
  expect(exported).not.toContain(DEFAULT_ACCESS_KEY_SECRET);
});

test("a second preview plans no change and calls no write", async () => {
  const emulator = suite.emulator();
  const before = emulator.admin.counts();
  const result = await ws.preview();
  expect(opsByName(result.steps)).toEqual({ catalogue: "same" });
  expect(writesIn(callsSince(emulator, before))).toEqual({});
});

test("a purgeTrigger change empties the library with one Purge job, whose JobId the outputs hold", async () => {
  const emulator = suite.emulator();
  const before = emulator.admin.counts();
  await ws.setConfig(`${PROJECT}:trigger`, "r1");
  const result = await ws.up(["--skip-preview"]);
  expect(opsByName(result.steps)).toEqual({ catalogue: "update" });
  expect(writesIn(callsSince(emulator, before))).toEqual({ SubmitFpDBDeleteJob: 1 });
  const jobs = emulator.admin.state().jobs;
  expect(jobs).toEqual([expect.objectContaining({ delType: "Purge", status: "Success" })]);
  expect(await ws.outputs()).toMatchObject({ purgeJobId: jobs[0].jobId, purgeJobStatus: "Success" });
});

test("refresh reads the library and changes nothing", async () => {
  const emulator = suite.emulator();
  const [before] = await ws.resources(PLUGIN_TYPE);
  const counts = emulator.admin.counts();
  const result = await ws.refresh(["--skip-preview"]);
  expect(stepLines(result.steps)).toEqual(["refresh->same catalogue ok"]);
  const calls = callsSince(emulator, counts);
  expect(writesIn(calls)).toEqual({});
  expect(Object.keys(calls).length).toBeGreaterThan(0);
  const [after] = await ws.resources(PLUGIN_TYPE);
  expect(after.id).toBe(before.id);
  expect(after.outputs).toMatchObject({ status: "active", purgeJobId: before.outputs?.purgeJobId });
});

test("customTimeouts that run out fail the update with the JobId and how to resume; the next up resumes the job", async () => {
  const emulator = suite.emulator();
  // Longer than the program's 3 s update timeout, shorter than two of them: the next up's wait covers the rest.
  emulator.admin.setSettings({ purgeSeconds: 5 });
  const before = emulator.admin.counts();
  await ws.setConfig(`${PROJECT}:trigger`, "r2");
  const failed = await ws.up(["--skip-preview"], { allowFailure: true });
  expect(failed.code).not.toBe(0);
  expect(stepLines(failed.steps)).toEqual(["update catalogue failed"]);
  const job = emulator.admin.state().jobs.at(-1);
  expect(job).toMatchObject({ delType: "Purge" });
  const jobId = job?.jobId ?? "";
  // What the user sees on the failed step: the job, its last status, and that running again resumes it.
  expect(failed.output).toMatch(
    new RegExp(
      `Timed out after [\\d.]+ m?s waiting for job ${jobId} for .*; last status: (Queuing|Analysing)`,
    ),
  );
  expect(failed.output).toMatch(/run the operation again to resume waiting for it/);
  console.log(`the timed-out update as the CLI shows it:\n${linesAround(failed.output, "Timed out after")}`);

  emulator.admin.setSettings({ purgeSeconds: 0.3 });
  const resumed = await ws.up(["--skip-preview"]);
  expect(opsByName(resumed.steps)).toEqual({ catalogue: "update" });
  // One Purge job for the trigger change, the one that timed out: the second up resumed it.
  expect(writesIn(callsSince(emulator, before))).toEqual({ SubmitFpDBDeleteJob: 1 });
  expect(await ws.outputs()).toMatchObject({ purgeJobId: jobId, purgeJobStatus: "Success" });
});

test("pulumi import adopts a library made outside Pulumi from its id: inputs from Read, protected, YAML code printed", async () => {
  const emulator = suite.emulator();
  const fpDbId = emulator.admin.seedLibrary({ name: "legacy-yaml", description: "made in the console" });
  const before = emulator.admin.counts();
  const result = await ws.run(["import", PLUGIN_TYPE, "legacy", fpDbId, "--yes"]);
  console.log(`pulumi import as the CLI shows it:\n${result.output}`);
  expect(result.output).toMatch(/=\s+1 imported/);
  // The YAML host wrote the program code for the imported resource, from the plugin's schema, and the engine
  // says that imports are protected.
  expect(result.output).toContain(
    ["  legacy:", "    type: mps-fpdb:FingerprintLibrary", "    properties:", `      fpDbId: ${fpDbId}`].join(
      "\n",
    ),
  );
  expect(result.output).toMatch(/imported resources are marked as protected/);
  expect(writesIn(callsSince(emulator, before))).toEqual({});

  const legacy = (await ws.resources(PLUGIN_TYPE)).find((r) => r.urn.endsWith("::legacy"));
  expect(legacy).toMatchObject({ id: fpDbId, protect: true });
  expect(legacy?.inputs).toMatchObject({ fpDbId });
  expect(legacy?.outputs).toMatchObject({
    fpDbId,
    adopted: true,
    reportedName: "legacy-yaml",
    status: "active",
  });
});

test("destroy deletes the created library with one Delete job and keeps the imported one", async () => {
  const emulator = suite.emulator();
  const [catalogue, legacy] = ["catalogue", "legacy"].map(
    (name) => `urn:pulumi:${ws.stack}::${PROJECT}::${PLUGIN_TYPE}::${name}`,
  );
  // Imports are protected by default (the engine's rule): the user lifts it to let destroy through.
  await ws.run(["state", "unprotect", legacy, "--yes"]);
  const ids = Object.fromEntries((await ws.resources(PLUGIN_TYPE)).map((r) => [r.urn, r.id]));
  const before = emulator.admin.counts();
  const result = await ws.destroy(["--skip-preview"]);
  expect(opsByName(result.steps)).toEqual({ catalogue: "delete", legacy: "delete" });
  expect(writesIn(callsSince(emulator, before))).toEqual({ SubmitFpDBDeleteJob: 1 });
  const state = emulator.admin.state();
  expect(state.jobs.filter((j) => j.delType === "Delete")).toEqual([
    expect.objectContaining({ fpDbId: ids[catalogue], status: "Success" }),
  ]);
  expect(state.libraries.find((l) => l.fpDbId === ids[legacy])).toMatchObject({ deleted: false });
  expect(await ws.resources(PLUGIN_TYPE)).toEqual([]);
});
