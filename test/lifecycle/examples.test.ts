/**
 * The examples as users run them: each Pulumi program through the engine harness (the stand-in for the Pulumi
 * CLI, driving Pulumi's real dynamic-provider host) against the emulator.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_ACCESS_KEY_SECRET, startEmulator, type RunningEmulator } from "../../emulator";
import * as engine from "../../harness/engine";
import type { RunResult, StackRunOptions } from "../../harness/engine";
import { fastConfig, hostEnv, REPO_ROOT } from "../support/lifecycle";
import { deleteOutOfBand } from "../support/mps";

let emulator: RunningEmulator;
let work: string;
const outputsSeen: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ activateSeconds: 0.05, jobSeconds: 0.15, quota: 100 });
  work = fs.mkdtempSync(path.join(os.tmpdir(), "mps-fpdb-examples-"));
});

afterAll(async () => {
  await emulator.close();
  for (const text of outputsSeen) expect(text).not.toContain(DEFAULT_ACCESS_KEY_SECRET);
  fs.rmSync(work, { recursive: true, force: true });
});

function stack(program: string, config: Record<string, string> = {}): StackRunOptions {
  const programDir = program.startsWith("examples/")
    ? path.join(REPO_ROOT, program)
    : path.join(__dirname, program);
  return {
    programDir,
    stackFile: path.join(work, `${path.basename(program)}.json`),
    config: fastConfig(emulator.endpoint, config),
    secretKeys: ["alicloud:secretKey"],
    env: hostEnv(),
  };
}

function record(result: RunResult, stackFile: string): RunResult {
  outputsSeen.push(result.diagnostics.join("\n"), result.errors.join("\n"));
  if (fs.existsSync(stackFile)) outputsSeen.push(fs.readFileSync(stackFile, "utf8"));
  return result;
}

async function run(op: "up" | "preview" | "refresh" | "destroy", o: StackRunOptions): Promise<RunResult> {
  return record(await engine[op](o), o.stackFile);
}

function ops(result: RunResult): string[] {
  return result.steps.map((s) => `${s.op} ${s.name}`);
}

function writes(): number {
  const counts = emulator.admin.counts().byAction;
  return (counts.CreateFpShotDB?.total ?? 0) + (counts.SubmitFpDBDeleteJob?.total ?? 0);
}

function jobsOf(fpDbId: string) {
  return emulator.admin.state().jobs.filter((job) => job.fpDbId === fpDbId);
}

function libraryOf(fpDbId: string) {
  return emulator.admin.state().libraries.find((lib) => lib.fpDbId === fpDbId);
}

describe("quickstart", () => {
  it("goes through up, a no-change up, a purge-trigger change and destroy", async () => {
    const o = stack("examples/quickstart");

    const preview = await run("preview", o);
    expect(ops(preview)).toEqual(["create catalogue-dna"]);
    expect(emulator.admin.state().libraries).toHaveLength(0);

    const created = await run("up", o);
    expect(created.errors).toEqual([]);
    expect(ops(created)).toEqual(["create catalogue-dna"]);
    const fpDbId = String(created.outputs.fpDbId);
    expect(created.outputs.status).toBe("active");

    const stateText = fs.readFileSync(o.stackFile, "utf8");
    const provider = String(
      created.state.resources[0].outputs.__provider ?? created.state.resources[0].inputs.__provider,
    );
    console.log(
      `quickstart __provider in harness state: ${Buffer.byteLength(provider, "utf8")} bytes per copy`,
    );
    expect(Buffer.byteLength(provider, "utf8")).toBeLessThanOrEqual(2048);
    expect(stateText).not.toContain(DEFAULT_ACCESS_KEY_SECRET);

    const before = writes();
    const same = await run("up", o);
    expect(ops(same)).toEqual(["same catalogue-dna"]);
    expect(writes()).toBe(before);

    const purged = await run("up", {
      ...o,
      config: { ...o.config, "mps-fpdb-quickstart:purgeTrigger": "r2" },
    });
    expect(ops(purged)).toEqual(["update catalogue-dna"]);
    const purges = jobsOf(fpDbId).filter((j) => j.delType === "Purge");
    expect(purges).toHaveLength(1);
    expect(purged.outputs.purgeJobId).toBe(purges[0].jobId);
    expect(purged.state.resources[0].outputs.purgeJobId).toBe(purges[0].jobId);

    const destroyed = await run("destroy", o);
    expect(destroyed.ok).toBe(true);
    expect(ops(destroyed)).toEqual(["delete catalogue-dna"]);
    expect(jobsOf(fpDbId).filter((j) => j.delType === "Delete")).toHaveLength(1);
    expect(libraryOf(fpDbId)?.deleted).toBe(true);
    expect(destroyed.state.resources).toEqual([]);
    expect(destroyed.diagnostics.join("\n")).toMatch(
      new RegExp(`Submitted Delete job [0-9a-f]{32} for library ${fpDbId} \\(catalogue-dna\\)`),
    );
  });
});

describe("purge-on-release", () => {
  it("purges every library once per release, drops a library deleted out of band on refresh, destroys the rest", async () => {
    const o = stack("examples/purge-on-release", { "mps-fpdb-purge-on-release:releaseTag": "v1" });
    const up = await run("up", o);
    expect(up.errors).toEqual([]);
    const ids = (up.outputs.fpDbIds as string[]).map(String);
    expect(ids).toHaveLength(3);
    for (const id of ids) expect(jobsOf(id)).toEqual([]);

    const release = await run("up", {
      ...o,
      config: { ...o.config, "mps-fpdb-purge-on-release:releaseTag": "v2" },
    });
    expect(release.steps.map((s) => s.op)).toEqual(["update", "update", "update"]);
    for (const id of ids) {
      expect(jobsOf(id).map((j) => `${j.delType} ${j.status}`)).toEqual(["Purge Success"]);
    }
    expect((release.outputs.purgeJobIds as string[]).sort()).toEqual(
      ids.map((id) => jobsOf(id)[0].jobId).sort(),
    );

    await deleteOutOfBand(emulator.endpoint, ids[0]);
    const refreshed = await run("refresh", o);
    const goneUrn = up.state.resources.find((r) => r.id === ids[0])?.urn;
    expect(refreshed.steps.filter((s) => s.refresh === "gone").map((s) => s.urn)).toEqual([goneUrn]);
    expect(refreshed.state.resources.map((r) => r.id).sort()).toEqual(ids.slice(1).sort());

    const destroyed = await run("destroy", o);
    expect(destroyed.ok).toBe(true);
    for (const id of ids.slice(1)) {
      expect(jobsOf(id).filter((j) => j.delType === "Delete")).toHaveLength(1);
      expect(libraryOf(id)?.deleted).toBe(true);
    }
    expect(destroyed.state.resources).toEqual([]);
  });
});

describe("adopt-existing", () => {
  it("adopts a library by id, reports its service name, and keeps it on destroy", async () => {
    const fpDbId = emulator.admin.seedLibrary({ name: "made-in-the-console", fileCount: 3 });
    const o = stack("examples/adopt-existing", { "mps-fpdb-adopt-existing:fpDbId": fpDbId });
    const up = await run("up", o);
    expect(up.errors).toEqual([]);
    expect(up.outputs).toMatchObject({ fpDbId, adopted: true, reportedName: "made-in-the-console" });
    const destroyed = await run("destroy", o);
    expect(destroyed.ok).toBe(true);
    expect(jobsOf(fpDbId)).toEqual([]);
    expect(libraryOf(fpDbId)).toMatchObject({ deleted: false, fileCount: 3 });
    expect(destroyed.diagnostics.join("\n")).toContain(`Retained library ${fpDbId} (shared-dna)`);
  });
});

describe("gitops program module", () => {
  it("refuses to destroy a protected environment with its own message until protection is switched off", async () => {
    const o = stack("examples/gitops", {
      "mps-fpdb-gitops:environment": "production",
      "mps-fpdb-gitops:protect": "true",
    });
    const up = await run("up", o);
    expect(up.errors).toEqual([]);
    const fpDbId = String(up.outputs.fpDbId);

    const blocked = await run("destroy", o);
    expect(blocked.ok).toBe(false);
    expect(blocked.errors.join("\n")).toContain(
      `library ${fpDbId} (production-dna) has \`deletionProtection\` enabled`,
    );
    expect(blocked.state.resources).toHaveLength(1);
    expect(jobsOf(fpDbId)).toEqual([]);

    const unprotected = { ...o, config: { ...o.config, "mps-fpdb-gitops:protect": "false" } };
    expect(ops(await run("up", unprotected))).toEqual(["update production-dna"]);
    const destroyed = await run("destroy", unprotected);
    expect(destroyed.ok).toBe(true);
    expect(libraryOf(fpDbId)?.deleted).toBe(true);
  });
});

describe("resource options and replacement", () => {
  it("honours protect, and replaces a library whose name changed by deleting the old one first", async () => {
    const o = stack("fixtures/options", {
      "mps-fpdb-options:libraryName": "v1",
      "mps-fpdb-options:protect": "true",
    });
    const first = await run("up", o);
    expect(first.errors).toEqual([]);
    const oldId = String(first.outputs.fpDbId);

    const protectedDestroy = await run("destroy", o);
    expect(protectedDestroy.ok).toBe(false);
    expect(protectedDestroy.errors.join("\n")).toMatch(/protect/);
    expect(jobsOf(oldId)).toEqual([]);

    // As with the Pulumi engine, protection is lifted by an `up` of its own before a replacement can happen.
    const unprotected = { ...o, config: { ...o.config, "mps-fpdb-options:protect": "false" } };
    expect(ops(await run("up", unprotected))).toEqual(["same options-lib"]);
    const renamed = await run("up", {
      ...unprotected,
      config: { ...unprotected.config, "mps-fpdb-options:libraryName": "v2" },
    });
    expect(renamed.errors).toEqual([]);
    const step = renamed.steps.find((s) => s.name === "options-lib");
    expect(step).toMatchObject({ op: "replace", deleteBeforeReplace: true, replaces: ["libraryName"] });
    const newId = String(renamed.outputs.fpDbId);
    expect(newId).not.toBe(oldId);
    const oldDelete = jobsOf(oldId).find((j) => j.delType === "Delete");
    const newLibrary = libraryOf(newId);
    expect(libraryOf(oldId)?.deleted).toBe(true);
    expect(newLibrary?.name).toBe("v2");
    expect(Date.parse(oldDelete!.finishTime!)).toBeLessThanOrEqual(Date.parse(newLibrary!.createdAt));

    await run("destroy", { ...o, config: { ...o.config, "mps-fpdb-options:protect": "false" } });
  });

  it("fails a protected replacement before any API call, with the deletionProtection message", async () => {
    const o = stack("fixtures/options", {
      "mps-fpdb-options:libraryName": "guarded",
      "mps-fpdb-options:deletionProtection": "true",
    });
    o.stackFile = path.join(work, "options-guarded.json");
    const up = await run("up", o);
    expect(up.errors).toEqual([]);
    const before = writes();
    const renamed = await run("up", {
      ...o,
      config: { ...o.config, "mps-fpdb-options:libraryName": "renamed" },
    });
    expect(renamed.ok).toBe(false);
    expect(renamed.errors.join("\n")).toContain(
      "set `deletionProtection` to false, run `pulumi up`, then retry",
    );
    expect(writes()).toBe(before);
    expect(libraryOf(String(up.outputs.fpDbId))?.deleted).toBe(false);
  });
});
