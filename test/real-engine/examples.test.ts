/**
 * The examples other than the quickstart (quickstart.test.ts) through the real CLI, as their READMEs tell a user
 * to run them: adopt-existing, purge-on-release and gitops (its index.ts; automation.ts drives the same program
 * through the Automation API).
 */
import { startEmulator, type RunningEmulator } from "../../emulator";
import { createWorkspace, requireCli } from "./support/cli";
import { callsSince, writesIn } from "./support/emulator-calls";
import { opsByName } from "./support/fixture";

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
