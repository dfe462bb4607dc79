import { MpsApiError } from "../../provider/errors";
import { JobWatcher, LibraryWatcher } from "../../provider/jobs/watchers";
import { EmulatorFixture } from "./emulator-fixture";

/**
 * The watchers over real HTTP against the emulator, in fake time (the client and the emulator share an I/O-aware
 * fake clock).
 */

describe("lookups against the emulator: gone only when MPS says so", () => {
  let fixture: EmulatorFixture;
  beforeAll(async () => {
    fixture = await EmulatorFixture.start({ quota: 50 });
  });
  afterAll(() => fixture.close());
  beforeEach(() => fixture.emulator.admin.reset());

  it("an fpDbId with a trailing space is not 'gone': the lookup fails naming it, and the library lives", async () => {
    const id = fixture.emulator.admin.seedLibrary({ name: "kept" });
    const watcher = new LibraryWatcher(fixture.client(), { clock: fixture.clock });
    const error = await watcher.lookup([`${id} `]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MpsApiError);
    expect((error as MpsApiError).message).toContain(`"${id} "`);
    expect(fixture.emulator.admin.state().libraries.find((l) => l.fpDbId === id)?.deleted).toBe(false);
  });

  it("an id with a comma in a batch of 10 (11 ids on the wire) fails only its own lookup", async () => {
    const ids = Array.from({ length: 9 }, (_, i) => fixture.emulator.admin.seedLibrary({ name: `n${i}` }));
    const bad = "0123456789abcdef,0123456789abcdee";
    const watcher = new LibraryWatcher(fixture.client(), { clock: fixture.clock });
    const settled = await Promise.allSettled([...ids, bad].map((id) => watcher.lookup([id])));
    for (let i = 0; i < 9; i++) {
      const s = settled[i];
      expect(s.status === "fulfilled" && s.value.get(ids[i])?.status).toBe("active");
    }
    const last = settled[9];
    expect(last.status).toBe("rejected");
    expect(last.status === "rejected" && (last.reason as Error).message).toContain(`"${bad}"`);
  });

  it("a job id with a comma among nine real jobs fails only its own lookup", async () => {
    const api = fixture.client();
    const ids = Array.from({ length: 9 }, (_, i) => fixture.emulator.admin.seedLibrary({ name: `j${i}` }));
    const jobIds: string[] = [];
    for (const fpDbId of ids)
      jobIds.push((await api.submitFpDbDeleteJob({ fpDbId, delType: "Purge" })).jobId);
    const bad = "job-a,job-b";
    const watcher = new JobWatcher(api, { clock: fixture.clock });
    const settled = await Promise.allSettled([...jobIds, bad].map((id) => watcher.lookup([id])));
    for (let i = 0; i < 9; i++) {
      const s = settled[i];
      expect(s.status === "fulfilled" && s.value.get(jobIds[i])?.fpDbId).toBe(ids[i]);
    }
    const last = settled[9];
    expect(last.status === "rejected" && (last.reason as Error).message).toContain(`"${bad}"`);
  });
});
