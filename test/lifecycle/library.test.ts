/**
 * FingerprintLibrary through Pulumi's real dynamic-provider host (gRPC), with the `__provider` the SDK
 * serializes, against the emulator: a thin contract check of each host method (Check, Create, Read, Diff, Update,
 * Delete, a Read with no state, an init failure's id and properties). The lifecycle's rules and failure paths
 * are tested in process, in milliseconds, in test/inprocess/.
 */
import { DEFAULT_ACCESS_KEY_SECRET } from "../../emulator";
import { ResourceInitError } from "../../harness/host-client";
import { LifecycleFixture } from "../support/lifecycle";
import { SCHEMA_VERSION } from "../../core/types";
import { rejection } from "../support/thrown";

let fx: LifecycleFixture;
const seen: string[] = [];

beforeAll(async () => {
  fx = await LifecycleFixture.start();
});

afterAll(async () => {
  seen.push(fx.output(), fx.provider);
  await fx.close();
  for (const text of seen) expect(text).not.toContain(DEFAULT_ACCESS_KEY_SECRET);
});

function submits(): number {
  return fx.emulator.admin.counts().byAction.SubmitFpDBDeleteJob?.total ?? 0;
}

async function expectRejection(promise: Promise<unknown>): Promise<Error> {
  const err = await rejection(promise);
  seen.push(err.message);
  return err;
}

describe("create and read", () => {
  it("creates a library named after the resource, waits until it is active, and reads it back", async () => {
    const lib = await fx.create("catalogue", { description: "films" });

    expect(lib.id).toMatch(/^[0-9a-f]{32}$/);
    expect(lib.outputs).toMatchObject({
      fpDbId: lib.id,
      adopted: false,
      status: "active",
      reportedName: "catalogue",
      libraryName: "catalogue",
      description: "films",
      region: "cn-hangzhou",
      schemaVersion: SCHEMA_VERSION,
      jobHistory: [],
    });
    const stored = fx.emulator.admin.state().libraries.find((l) => l.fpDbId === lib.id);
    expect(stored).toMatchObject({ name: "catalogue", description: "films", deleted: false });

    const read = await fx.read(lib);
    expect(read.id).toBe(lib.id);
    expect(read.properties).toMatchObject({ fpDbId: lib.id, status: "active", libraryName: "catalogue" });
    seen.push(JSON.stringify(lib.outputs), JSON.stringify(read.properties));
  });

  it("serves two concurrent first calls after Configure with the configuration", async () => {
    const fresh = await LifecycleFixture.start();
    try {
      const [a, b] = await Promise.all([fresh.create("first", {}), fresh.create("second", {})]);
      expect(a.outputs.region).toBe("cn-hangzhou");
      expect(b.outputs.region).toBe("cn-hangzhou");
      seen.push(fresh.output());
    } finally {
      await fresh.close();
    }
  });
});

describe("adoption", () => {
  it("looks a library up by id for FingerprintLibrary.get (a Read with no state) as adopted", async () => {
    const fpDbId = fx.emulator.admin.seedLibrary({ name: "looked-up", modelId: 12 });
    const read = await fx.host.read(
      fx.urn("looked-up"),
      fpDbId,
      { resourceName: "looked-up", __provider: fx.provider },
      {},
    );
    expect(read.id).toBe(fpDbId);
    expect(read.properties).toMatchObject({
      fpDbId,
      adopted: true,
      status: "active",
      reportedName: "looked-up",
      reportedModelId: 12,
      region: "cn-hangzhou",
    });
  });
});

describe("purge trigger", () => {
  it("purges when the trigger changes, records the job, and submits nothing when it is unchanged", async () => {
    let lib = await fx.create("purged", { purgeTrigger: "release-1" });
    expect(fx.jobs(lib.id)).toEqual([]);
    expect(lib.outputs).not.toHaveProperty("purgeJobId");

    lib = await fx.update(lib, { purgeTrigger: "release-2" });
    const jobs = fx.jobs(lib.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ delType: "Purge", status: "Success" });
    expect(lib.outputs).toMatchObject({
      purgeJobId: jobs[0].jobId,
      purgeJobStatus: "Success",
      purgeRequestId: jobs[0].requestId,
      purgedAt: jobs[0].finishTime,
      purgeTrigger: "release-2",
    });
    expect(lib.outputs.jobHistory).toEqual([
      expect.objectContaining({ jobId: jobs[0].jobId, delType: "Purge", status: "Success" }),
    ]);

    const before = submits();
    const same = await fx.diff(lib, { purgeTrigger: "release-2" });
    expect(same.diff.changes).toBe("none");

    const removed = await fx.update(lib, {});
    expect(removed.outputs).not.toHaveProperty("purgeTrigger");
    expect(removed.outputs.purgeJobId).toBe(jobs[0].jobId);
    expect(submits()).toBe(before);
  });
});

describe("destroy", () => {
  it("submits exactly one Delete job with DelType=Delete, waits, and leaves the library gone", async () => {
    const lib = await fx.create("doomed", { userData: "a b&c=d/é*()!'~" });
    await fx.delete(lib);

    const jobs = fx.jobs(lib.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ delType: "Delete", status: "Success", userData: "a b&c=d/é*()!'~" });
    expect(fx.emulator.admin.state().libraries.find((l) => l.fpDbId === lib.id)?.deleted).toBe(true);
    const submitted = `Submitted Delete job ${jobs[0].jobId} for library ${lib.id} (doomed)`;
    expect(await fx.waitForOutput(submitted)).toContain(submitted);
  });
});

describe("create that does not finish", () => {
  it("records a library whose activation wait timed out, and a later destroy removes it", async () => {
    const slow = await LifecycleFixture.start({ emulator: { activateSeconds: 30 } });
    try {
      const err = await expectRejection(slow.create("slow", { jobTimeoutSeconds: 0.3 }));
      expect(err).toBeInstanceOf(ResourceInitError);
      const init = err as ResourceInitError;
      expect(init.id).toMatch(/^[0-9a-f]{32}$/);
      expect(init.message).toContain(`library ${init.id} (slow) was created but is still offline after`);
      expect(init.properties).toMatchObject({ fpDbId: init.id, status: "offline", libraryName: "slow" });
      expect(typeof init.properties.__provider).toBe("string");

      await slow.host.delete(slow.urn("slow"), init.id, init.properties, {});
      expect(slow.jobs(init.id)).toEqual([expect.objectContaining({ delType: "Delete", status: "Success" })]);
      seen.push(slow.output());
    } finally {
      await slow.close();
    }
  });
});
