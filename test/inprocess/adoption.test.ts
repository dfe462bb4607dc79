/**
 * Adoption (`fpDbId` given), FingerprintLibrary.get and refresh, in process against the emulator.
 */
import { LibraryGoneError } from "../../core/errors";
import { InProcessFixture, rejection } from "./support/fixture";

let fx: InProcessFixture;

beforeAll(async () => {
  fx = await InProcessFixture.start();
});
beforeEach(() => fx.reset());
afterAll(() => fx.close());

describe("adoption", () => {
  it("GIVEN a library made by hand WHEN adopted THEN nothing is created or changed, and destroy retains it", async () => {
    const fpDbId = fx.emulator.admin.seedLibrary({ name: "made-by-hand", fileCount: 7, modelId: 12 });

    const lib = await fx.create("adopted", { fpDbId });

    expect(lib.id).toBe(fpDbId);
    expect(lib.outputs).toMatchObject({
      fpDbId,
      adopted: true,
      status: "active",
      reportedName: "made-by-hand",
      reportedModelId: 12,
    });
    expect(lib.outputs).not.toHaveProperty("libraryName");
    expect(fx.calls("CreateFpShotDB")).toBe(0);
    expect(fx.output()).toContain(`Adopted library ${fpDbId} (adopted): active`);

    await fx.delete(lib);

    expect(fx.calls("SubmitFpDBDeleteJob")).toBe(0);
    expect(fx.library(fpDbId)).toMatchObject({ deleted: false, fileCount: 7 });
    expect(fx.output()).toContain(
      `Retained library ${fpDbId} (adopted): deletionPolicy is Retain (the default for adopted libraries)`,
    );
  });

  it("GIVEN an id the region does not know THEN adoption fails naming the id, region and endpoint, creating nothing", async () => {
    const ghost = "0123456789abcdef0123456789abcdef";

    const err = await rejection(fx.create("ghost", { fpDbId: ghost }));

    expect(err.message).toContain(
      `library ${ghost} not found in region cn-hangzhou (endpoint ${fx.emulator.endpoint})`,
    );
    expect(err.message).toContain("remove `fpDbId` to create a new library");
    expect(fx.calls("ListFpShotDB")).toBe(1);
    expect(fx.calls("CreateFpShotDB")).toBe(0);
  });

  it("GIVEN a library whose Delete job has run THEN it cannot be adopted", async () => {
    const fpDbId = fx.emulator.admin.seedLibrary({ name: "deleted-already" });
    await fx.outOfBand().submitFpDbDeleteJob({ fpDbId, delType: "Delete" });
    await fx.pass(10 * 60_000);

    const err = await rejection(fx.create("late", { fpDbId }));

    expect(err.message).toContain(`library ${fpDbId} not found in region cn-hangzhou`);
  });

  const TRIGGER = "`purgeTrigger` cannot empty it (a Purge job would be refused)";
  const POLICY = '`deletionPolicy` "Purge" cannot work on it';
  it.each([
    [{ deletionPolicy: "Purge" }, POLICY],
    [{ purgeTrigger: "r1" }, TRIGGER],
    [{ deletionPolicy: "Purge", purgeTrigger: "r1" }, `${TRIGGER}; ${POLICY}`],
  ])(
    "GIVEN a Delete-only library (ModelId 11) WHEN adopted with %j THEN it is refused, naming what cannot work",
    async (inputs, named) => {
      const fpDbId = fx.emulator.admin.seedLibrary({ name: "video-only", modelId: 11 });

      const err = await rejection(fx.create("delete-only", { fpDbId, ...inputs }));

      expect(err.message).toBe(
        `Library ${fpDbId} (delete-only) is adopted and MPS reports ModelId 11 for it, so it accepts only Delete ` +
          `jobs: ${named}. Remove \`purgeTrigger\` and use \`deletionPolicy\` "Retain" (the default for adopted ` +
          'libraries) or "Delete".',
      );
      expect(fx.calls("SubmitFpDBDeleteJob")).toBe(0);
    },
  );

  it("GIVEN a Delete-only library WHEN adopted with deletionPolicy Delete THEN it is adopted, and destroy deletes it", async () => {
    const fpDbId = fx.emulator.admin.seedLibrary({ name: "video-only", modelId: 13 });

    const lib = await fx.create("delete-only", { fpDbId, deletionPolicy: "Delete" });
    await fx.delete(lib);

    expect(fx.jobs(fpDbId)).toEqual([expect.objectContaining({ delType: "Delete", status: "Success" })]);
    expect(fx.library(fpDbId)?.deleted).toBe(true);
  });
});

describe("FingerprintLibrary.get and refresh", () => {
  it("reads a library by id with no state as adopted (get)", async () => {
    const fpDbId = fx.emulator.admin.seedLibrary({ name: "looked-up", modelId: 12 });

    const read = await fx.provider.read(fpDbId, { resourceName: "looked-up" });

    expect(read.id).toBe(fpDbId);
    expect(read.props).toMatchObject({
      fpDbId,
      adopted: true,
      status: "active",
      reportedName: "looked-up",
      reportedModelId: 12,
      region: "cn-hangzhou",
    });
  });

  it("fails get() of an id the region does not have, naming the id, the region and what to check", async () => {
    const ghost = "fedcba9876543210fedcba9876543210";

    const err = await rejection(fx.provider.read(ghost, { resourceName: "nowhere" }));

    expect(err).toBeInstanceOf(LibraryGoneError);
    expect(err.message).toContain(`Library ${ghost} (nowhere) was not found in region cn-hangzhou`);
  });

  it("refreshes a managed library deleted out of band to an empty id, so the engine drops it", async () => {
    const lib = await fx.create("vanishing", { waitForCompletion: false });
    await fx.outOfBand().submitFpDbDeleteJob({ fpDbId: lib.id, delType: "Delete" });
    await fx.pass(10 * 60_000);

    const read = await fx.read(lib);

    expect(read).toEqual({ id: "", props: {} });
  });

  it("refreshes a live library with the service's view (name and status)", async () => {
    const lib = await fx.create("refreshed", { waitForCompletion: false });
    expect(lib.outputs.status).toBe("offline");
    await fx.pass(5 * 60_000);

    const read = await fx.read(lib);

    expect(read.id).toBe(lib.id);
    expect(read.props).toMatchObject({ status: "active", reportedName: "refreshed", adopted: false });
  });
});
