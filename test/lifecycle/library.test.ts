/**
 * FingerprintLibrary through Pulumi's real dynamic-provider host (gRPC), with the `__provider` the SDK
 * serializes, against the emulator. Each scenario is the engine's request sequence for one resource.
 */
import { DEFAULT_ACCESS_KEY_SECRET } from "../../emulator";
import { HostCallError, ResourceInitError } from "../../harness/host-client";
import { LifecycleFixture } from "../support/lifecycle";
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

function apiCalls(): number {
  return fx.emulator.admin.counts().overall.total;
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
      schemaVersion: 2,
      jobHistory: [],
    });
    const stored = fx.emulator.admin.state().libraries.find((l) => l.fpDbId === lib.id);
    expect(stored).toMatchObject({ name: "catalogue", description: "films", deleted: false });

    const read = await fx.read(lib);
    expect(read.id).toBe(lib.id);
    expect(read.properties).toMatchObject({ fpDbId: lib.id, status: "active", libraryName: "catalogue" });
    seen.push(JSON.stringify(lib.outputs), JSON.stringify(read.properties));
  });

  it("reads a library that was deleted out of band as gone (blank id), so refresh drops it", async () => {
    const lib = await fx.create("vanishing", {});
    await fx.delete(lib);
    const read = await fx.read(lib);
    expect(read.id).toBe("");
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
  it("adopts an existing library without changing it and retains it on destroy by default", async () => {
    const fpDbId = fx.emulator.admin.seedLibrary({ name: "made-by-hand", fileCount: 7 });
    const lib = await fx.create("adopted", { fpDbId });

    expect(lib.id).toBe(fpDbId);
    expect(lib.outputs).toMatchObject({
      fpDbId,
      adopted: true,
      reportedName: "made-by-hand",
      status: "active",
    });
    expect(lib.outputs).not.toHaveProperty("libraryName");

    const before = submits();
    await fx.delete(lib);
    expect(submits()).toBe(before);
    const stored = fx.emulator.admin.state().libraries.find((l) => l.fpDbId === fpDbId);
    expect(stored).toMatchObject({ deleted: false, fileCount: 7 });
    const retained = `Retained library ${fpDbId} (adopted): deletionPolicy is Retain (the default for adopted libraries)`;
    expect(await fx.waitForOutput(retained)).toContain(retained);
  });

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

  it("fails to adopt an id the region does not know, naming the id and the region", async () => {
    const err = await expectRejection(fx.create("ghost", { fpDbId: "0123456789abcdef0123456789abcdef" }));
    expect(err.message).toContain("library 0123456789abcdef0123456789abcdef not found in region cn-hangzhou");
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

  it("compares structured triggers as canonical JSON", async () => {
    const lib = await fx.create("structured", { purgeTrigger: { release: "r1", shard: 2 } });
    const reordered = await fx.diff(lib, { purgeTrigger: { shard: 2, release: "r1" } });
    expect(reordered.diff.changes).toBe("none");
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

  it("succeeds without a job when the library is already gone", async () => {
    const lib = await fx.create("twice", {});
    await fx.delete(lib);
    const before = submits();
    await fx.delete(lib);
    expect(submits()).toBe(before);
    expect(fx.jobs(lib.id)).toHaveLength(1);
  });

  it("keeps the library with deletionPolicy Retain", async () => {
    const lib = await fx.create("kept", { deletionPolicy: "Retain" });
    await fx.delete(lib);
    expect(fx.jobs(lib.id)).toEqual([]);
    expect(fx.emulator.admin.state().libraries.find((l) => l.fpDbId === lib.id)?.deleted).toBe(false);
  });

  it("purges and keeps the library with deletionPolicy Purge", async () => {
    const lib = await fx.create("emptied", { deletionPolicy: "Purge" });
    await fx.delete(lib);
    expect(fx.jobs(lib.id)).toEqual([expect.objectContaining({ delType: "Purge", status: "Success" })]);
    expect(fx.emulator.admin.state().libraries.find((l) => l.fpDbId === lib.id)).toMatchObject({
      deleted: false,
      fileCount: 0,
    });
  });

  it("refuses destroy and replacement of a protected library before any API call", async () => {
    const lib = await fx.create("protected", { deletionProtection: true });
    const calls = apiCalls();

    const destroy = await expectRejection(fx.delete(lib));
    expect(destroy.message).toContain(`library ${lib.id} (protected) has \`deletionProtection\` enabled`);
    expect(destroy.message).toContain("set `deletionProtection: false`, run `pulumi up`, then retry");

    const replace = await expectRejection(fx.diff(lib, { deletionProtection: true, libraryName: "renamed" }));
    expect(replace).toBeInstanceOf(HostCallError);
    expect(replace.message).toContain("libraryName");
    expect(replace.message).toContain("set `deletionProtection` to false, run `pulumi up`, then retry");
    expect(apiCalls()).toBe(calls);
    expect(fx.emulator.admin.state().libraries.find((l) => l.fpDbId === lib.id)?.deleted).toBe(false);
  });

  it("fails on a Fail job with its JobId, Code and Message, and a re-run completes the delete", async () => {
    const lib = await fx.create("flaky", {});
    fx.emulator.admin.addFault({
      type: "job-fail",
      rate: 1,
      delType: "Delete",
      fpDbIds: [lib.id],
      code: "ServiceUnavailable",
      message: "The request has failed due to a temporary failure of the server.",
    });
    const err = await expectRejection(fx.delete(lib));
    const [failed] = fx.jobs(lib.id);
    expect(failed).toMatchObject({ status: "Fail", code: "ServiceUnavailable" });
    expect(err.message).toContain(failed.jobId);
    expect(err.message).toContain(lib.id);
    expect(err.message).toContain("ServiceUnavailable");
    expect(err.message).toContain("temporary failure of the server");

    await fx.delete(lib);
    expect(fx.jobs(lib.id).map((j) => j.status)).toEqual(["Fail", "Success"]);
    fx.emulator.admin.clearFaults();
  });

  it.each(["error", "drop"] as const)(
    "resumes the job of a committed submit whose answer was lost (%s) instead of submitting a second",
    async (mode) => {
      const lib = await fx.create(`lost-answer-${mode}`, {});
      fx.emulator.admin.addFault({
        type: "commit-then-fail",
        action: "SubmitFpDBDeleteJob",
        rate: 1,
        count: 1,
        mode,
      });
      await fx.delete(lib);
      expect(fx.jobs(lib.id)).toEqual([expect.objectContaining({ delType: "Delete", status: "Success" })]);
      expect(fx.emulator.admin.state().libraries.find((l) => l.fpDbId === lib.id)?.deleted).toBe(true);
      fx.emulator.admin.clearFaults();
    },
  );
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
