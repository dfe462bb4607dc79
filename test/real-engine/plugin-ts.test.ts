/**
 * The provider plugin through Pulumi's real CLI with a TypeScript program on the generated Node SDK
 * (sdk/nodejs, compiled here with tsc and linked into the program's node_modules as `pulumi-mps-fpdb-sdk`), run
 * by the test CLI's Node language host; the CLI finds the plugin through Pulumi.yaml `plugins.providers` naming
 * the packaged folder. Up, a no-change preview, a purge, refresh, a delete whose `customTimeouts` run out and the
 * run that resumes its job, `pulumi import` (kept on destroy unless `deletionPolicy: "Delete"`), and destroy.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Workspace } from "./support/cli";
import { callsSince, writesIn } from "./support/emulator-calls";
import { jobEnded, opsByName, stepLines } from "./support/fixture";
import { compileNodeSdk, linesAround, PLUGIN_TYPE, PLUGIN_VERSION, pluginSuite } from "./support/plugin";

jest.setTimeout(300_000);

const PROJECT = "mps-fpdb-plugin-ts";

interface Spec {
  name: string;
  libraryName?: string;
  purgeTrigger?: string;
  fpDbId?: string;
  deletionPolicy?: "Delete" | "Purge" | "Retain";
  protect?: boolean;
  customTimeouts?: { create?: string; update?: string; delete?: string };
}

const suite = pluginSuite({ activateSeconds: 0.2, jobSeconds: 0.3 });
let sdkDir: string;
let ws: Workspace;
let specs: Spec[] = [
  { name: "alpha", libraryName: "plugin-ts-alpha" },
  // Its delete is bounded by 2 s, which a Delete job the emulator makes last 3 s runs out.
  { name: "doomed", libraryName: "plugin-ts-doomed", customTimeouts: { delete: "2s" } },
];

async function setSpecs(next: Spec[]): Promise<void> {
  specs = next;
  await ws.setConfig(`${PROJECT}:libraries`, JSON.stringify(specs));
}

function urnOf(name: string): string {
  return `urn:pulumi:${ws.stack}::${PROJECT}::${PLUGIN_TYPE}::${name}`;
}

beforeAll(async () => {
  sdkDir = fs.mkdtempSync(path.join(os.tmpdir(), "mps-fpdb-node-sdk-"));
  const sdk = compileNodeSdk(sdkDir);
  ws = await suite.workspace("plugin-ts", {
    packages: { "pulumi-mps-fpdb-sdk": sdk },
    config: { [`${PROJECT}:libraries`]: JSON.stringify(specs) },
  });
});

afterAll(() => {
  if (sdkDir) fs.rmSync(sdkDir, { recursive: true, force: true });
});

test("up creates the libraries through the generated SDK and the packaged plugin", async () => {
  const emulator = suite.emulator();
  const before = emulator.admin.counts();
  const result = await ws.up(["--skip-preview"]);
  expect(stepLines(result.steps).sort()).toEqual(["create alpha ok", "create doomed ok"]);
  expect(writesIn(callsSince(emulator, before))).toEqual({ CreateFpShotDB: 2 });
  const resources = await ws.resources(PLUGIN_TYPE);
  expect(resources.map((r) => r.outputs?.libraryName).sort()).toEqual([
    "plugin-ts-alpha",
    "plugin-ts-doomed",
  ]);
  for (const r of resources)
    expect(r.outputs).toMatchObject({ fpDbId: r.id, status: "active", adopted: false });
  // The SDK asked for the plugin at its own version, which the packaged plugin answers to.
  const providers = ((await ws.exportStack()).deployment.resources ?? []).filter(
    (r) => r.type === "pulumi:providers:mps-fpdb",
  );
  expect(providers).toEqual([
    expect.objectContaining({ inputs: expect.objectContaining({ version: PLUGIN_VERSION }) }),
  ]);
  expect((await ws.outputs()).fpDbIds).toEqual(
    ["alpha", "doomed"].map((name) => resources.find((r) => r.urn === urnOf(name))?.id),
  );
});

test("a second preview plans no change and calls no write", async () => {
  const emulator = suite.emulator();
  const before = emulator.admin.counts();
  const result = await ws.preview();
  expect(opsByName(result.steps)).toEqual({ alpha: "same", doomed: "same" });
  expect(writesIn(callsSince(emulator, before))).toEqual({});
});

test("a purgeTrigger change runs one Purge job and the program's output carries its JobId", async () => {
  const emulator = suite.emulator();
  const before = emulator.admin.counts();
  await setSpecs(specs.map((s) => (s.name === "alpha" ? { ...s, purgeTrigger: "r1" } : s)));
  const result = await ws.up(["--skip-preview"]);
  expect(opsByName(result.steps)).toEqual({ alpha: "update", doomed: "same" });
  expect(writesIn(callsSince(emulator, before))).toEqual({ SubmitFpDBDeleteJob: 1 });
  const [job] = emulator.admin.state().jobs;
  expect(job).toMatchObject({ delType: "Purge", status: "Success" });
  expect((await ws.outputs()).purgeJobIds).toEqual([job.jobId, null]);
});

test("refresh reads both libraries and changes nothing", async () => {
  const emulator = suite.emulator();
  const before = emulator.admin.counts();
  const result = await ws.refresh(["--skip-preview"]);
  expect(stepLines(result.steps).sort()).toEqual(["refresh->same alpha ok", "refresh->same doomed ok"]);
  expect(writesIn(callsSince(emulator, before))).toEqual({});
  expect((await ws.resources(PLUGIN_TYPE)).map((r) => r.outputs?.status)).toEqual(["active", "active"]);
});

test("a delete whose customTimeouts run out fails with the JobId and how to resume; the next up resumes it", async () => {
  const emulator = suite.emulator();
  const doomedId = (await ws.resources(PLUGIN_TYPE)).find((r) => r.urn === urnOf("doomed"))?.id;
  // Well beyond the program's 2 s delete timeout, so the step runs out of time whatever the machine's pace.
  emulator.admin.setSettings({ deleteSeconds: 6 });
  const before = emulator.admin.counts();
  await setSpecs(specs.filter((s) => s.name !== "doomed"));
  const failed = await ws.up(["--skip-preview"], { allowFailure: true });
  expect(failed.code).not.toBe(0);
  expect(stepLines(failed.steps)).toEqual(["same alpha ok", "delete doomed failed"]);
  const job = emulator.admin.state().jobs.find((j) => j.fpDbId === doomedId && j.delType === "Delete");
  expect(job).toBeDefined();
  const jobId = job?.jobId ?? "";
  expect(failed.output).toMatch(
    new RegExp(`Timed out after [\\d.]+ m?s waiting for job ${jobId} for .*doomed`),
  );
  expect(failed.output).toMatch(/run the operation again to resume waiting for it/);
  console.log(`the timed-out delete as the CLI shows it:\n${linesAround(failed.output, "Timed out after")}`);
  // The failed delete leaves the resource in state, so the next run deletes it again.
  expect((await ws.resources(PLUGIN_TYPE)).map((r) => r.urn)).toContain(urnOf("doomed"));

  emulator.admin.setSettings({ deleteSeconds: 0.3 });
  // The job ends in MPS meanwhile; the next up finds it ended and the library gone, with no second submit.
  await jobEnded(emulator, jobId);
  const resumed = await ws.up(["--skip-preview"]);
  expect(opsByName(resumed.steps)).toEqual({ alpha: "same", doomed: "delete" });
  // One Delete job: the one that timed out.
  expect(writesIn(callsSince(emulator, before))).toEqual({ SubmitFpDBDeleteJob: 1 });
  expect(emulator.admin.state().libraries.find((l) => l.fpDbId === doomedId)).toMatchObject({
    deleted: true,
  });
});

describe("pulumi import", () => {
  let keptId: string;
  let deletedId: string;

  beforeAll(() => {
    const emulator = suite.emulator();
    keptId = emulator.admin.seedLibrary({ name: "legacy-kept" });
    deletedId = emulator.admin.seedLibrary({ name: "legacy-deleted" });
  });

  test("imports a library from its id alone: inputs from Read, outputs adopted, protected by default", async () => {
    const emulator = suite.emulator();
    const before = emulator.admin.counts();
    // The test CLI's Node language host writes no program code (see tools/pulumi/language-host), so none is asked.
    const result = await ws.run([
      "import",
      PLUGIN_TYPE,
      "legacyDeleted",
      deletedId,
      "--yes",
      "--generate-code=false",
    ]);
    console.log(`pulumi import as the CLI shows it:\n${result.output}`);
    expect(result.output).toMatch(/=\s+1 imported/);
    expect(writesIn(callsSince(emulator, before))).toEqual({});
    const imported = (await ws.resources(PLUGIN_TYPE)).find((r) => r.urn === urnOf("legacyDeleted"));
    expect(imported).toMatchObject({
      id: deletedId,
      protect: true,
      inputs: expect.objectContaining({ fpDbId: deletedId }),
    });
    expect(imported?.outputs).toMatchObject({
      adopted: true,
      reportedName: "legacy-deleted",
      deletion: { policy: "Retain", protection: false },
    });
  });

  test("an imported library left out of the program is kept: removed from state, no Delete job", async () => {
    const emulator = suite.emulator();
    const imported = await ws.run([
      "import",
      PLUGIN_TYPE,
      "legacyKept",
      keptId,
      "--yes",
      "--generate-code=false",
      "--protect=false",
    ]);
    expect(imported.output).toMatch(/=\s+1 imported/);
    // The program now takes over the other import with deletionPolicy Delete, which lifts its protect too.
    await setSpecs([...specs, { name: "legacyDeleted", fpDbId: deletedId, deletionPolicy: "Delete" }]);
    const before = emulator.admin.counts();
    const result = await ws.up(["--skip-preview"]);
    expect(opsByName(result.steps)).toEqual({ alpha: "same", legacyDeleted: "update", legacyKept: "delete" });
    expect(writesIn(callsSince(emulator, before))).toEqual({});
    expect(emulator.admin.state().libraries.find((l) => l.fpDbId === keptId)).toMatchObject({
      deleted: false,
    });
    const taken = (await ws.resources(PLUGIN_TYPE)).find((r) => r.urn === urnOf("legacyDeleted"));
    // The checkpoint leaves `protect` out when it is false.
    expect(taken?.protect ?? false).toBe(false);
    expect(taken?.outputs?.deletion).toEqual({ policy: "Delete", protection: false });
  });

  test("destroy submits one Delete job for the created library and one for the import set to Delete", async () => {
    const emulator = suite.emulator();
    const alphaId = (await ws.resources(PLUGIN_TYPE)).find((r) => r.urn === urnOf("alpha"))?.id;
    const before = emulator.admin.counts();
    const result = await ws.destroy(["--skip-preview"]);
    expect(opsByName(result.steps)).toEqual({ alpha: "delete", legacyDeleted: "delete" });
    expect(writesIn(callsSince(emulator, before))).toEqual({ SubmitFpDBDeleteJob: 2 });
    const deleted = emulator.admin
      .state()
      .jobs.filter((j) => j.delType === "Delete" && j.status === "Success")
      .map((j) => j.fpDbId);
    expect(deleted).toEqual(expect.arrayContaining([alphaId, deletedId]));
    expect(deleted).not.toContain(keptId);
    expect(await ws.resources(PLUGIN_TYPE)).toEqual([]);
  });
});
