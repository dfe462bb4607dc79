/**
 * Data-safety promises through Pulumi's real dynamic-provider host, each from a failure an adversarial trial
 * found: state that cannot be read for certain is refused before any API call, a trigger change always gets a
 * Purge of its own, a purge interrupted by a killed run is neither lost nor silently repeated, a create that timed
 * out is waited for on the next run, and the messages on these paths say what to do.
 */
import { jobTag } from "../../core/jobs/job-tag";
import { DEFAULT_ACCESS_KEY_SECRET } from "../../emulator";
import { ResourceInitError } from "../../harness/host-client";
import { deleteOutOfBand, outOfBandApi } from "../support/mps";
import { LifecycleFixture, type Deployed } from "../support/lifecycle";
import { rejection as rejected } from "../support/thrown";

let fx: LifecycleFixture;
const seen: string[] = [];

beforeAll(async () => {
  fx = await LifecycleFixture.start();
});

afterEach(() => {
  fx.emulator.admin.setSettings({ jobSeconds: 0.15, activateSeconds: 0.05 });
});

afterAll(async () => {
  seen.push(fx.output(), fx.provider);
  await fx.close();
  for (const text of seen) expect(text).not.toContain(DEFAULT_ACCESS_KEY_SECRET);
});

function apiCalls(): number {
  return fx.emulator.admin.counts().overall.total;
}

function purgeJobs(fpDbId: string) {
  return fx.jobs(fpDbId).filter((job) => job.delType === "Purge");
}

/** The rejection's error, kept to check at the end that no message carried the secret. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  const err = await rejected(promise);
  seen.push(err.message);
  return err;
}

/** The job times MPS reports have whole seconds: a job meant to be newer than another must start a second later. */
function nextSecond(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1100 - (Date.now() % 1000)));
}

async function succeeded(jobId: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (fx.jobs().find((job) => job.jobId === jobId)?.status === "Success") return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`job ${jobId} did not succeed`);
}

describe("state that cannot be read for certain is refused before any API call", () => {
  it("GIVEN an adopted library whose state lost `adopted` WHEN destroyed THEN nothing is called and it lives on", async () => {
    const fpDbId = fx.emulator.admin.seedLibrary({ name: "shared-catalogue" });
    const adopted = await fx.create("shared", { fpDbId });
    expect(adopted.outputs.adopted).toBe(true);

    const { adopted: _lost, ...edited } = adopted.outputs;
    const before = apiCalls();
    const err = await rejection(fx.delete({ ...adopted, outputs: edited }));

    expect(err.message).toContain(`State of library ${fpDbId} (shared) has no adopted`);
    expect(apiCalls()).toBe(before);
    expect(fx.emulator.admin.state().libraries.find((l) => l.fpDbId === fpDbId)?.deleted).toBe(false);
  });
});

describe("a purge trigger always gets a Purge job of its own", () => {
  it("GIVEN waitForCompletion false and a Purge still running WHEN the trigger changes again THEN a new Purge follows the old one", async () => {
    const lib = await fx.create("quick-purges", {});
    // Long enough to outlast the next run's host start on a loaded machine (3 s was not, once, under CI).
    fx.emulator.admin.setSettings({ jobSeconds: 10 });
    const first = await fx.update(lib, { waitForCompletion: false, purgeTrigger: "a" });
    const firstJob = String(first.outputs.purgeJobId);
    expect(first.outputs.purgeJobStatus).toBe("Queuing");

    await fx.newRun();
    const second = await fx.update(first, { waitForCompletion: false, purgeTrigger: "b" });

    const jobs = purgeJobs(lib.id);
    expect(jobs.map((j) => j.jobId)).toEqual([firstJob, second.outputs.purgeJobId]);
    expect(second.outputs.purgeJobId).not.toBe(firstJob);
    // The new job was submitted only after the old one ended (a library takes one job at a time).
    expect(Date.parse(jobs[1].creationTime)).toBeGreaterThanOrEqual(Date.parse(jobs[0].finishTime!));
    expect(fx.output()).toMatch(
      new RegExp(
        `Purge job ${firstJob} for library ${lib.id} \\(quick-purges\\) \\((Queuing|Analysing)\\) was submitted for ` +
          "an earlier request and cannot satisfy this one",
      ),
    );
  });
});

describe("a purge interrupted by a killed run", () => {
  /** The tag a run killed right after its submit gave its job: from the state the engine still holds. */
  function tagOf(lib: Deployed, trigger: string): string {
    return jobTag(lib.outputs.jobTagKey as string, {
      fpDbId: lib.id,
      delType: "Purge",
      purpose: { trigger },
      afterJobId: lib.outputs.purgeJobId as string,
    });
  }

  async function purgedOnce(name: string): Promise<Deployed> {
    const lib = await fx.create(name, {});
    return fx.update(lib, { purgeTrigger: "release-1" });
  }

  it("GIVEN the killed run's Purge has succeeded WHEN the run is repeated THEN it is taken as the trigger's, with no second job", async () => {
    const lib = await purgedOnce("interrupted-done");
    await nextSecond();
    // What a run killed right after its submit leaves behind: a job MPS knows and the state does not.
    const { jobId } = await outOfBandApi(fx.emulator.endpoint).submitFpDbDeleteJob({
      fpDbId: lib.id,
      delType: "Purge",
      userData: tagOf(lib, "release-2"),
    });
    await succeeded(jobId);
    await fx.newRun();

    const rerun = await fx.update(lib, { purgeTrigger: "release-2" });

    expect(purgeJobs(lib.id)).toHaveLength(2);
    expect(rerun.outputs).toMatchObject({ purgeJobId: jobId, purgeJobStatus: "Success" });
    expect((rerun.outputs.jobHistory as { jobId: string }[]).map((j) => j.jobId)).toContain(jobId);
    expect(fx.output()).toContain(`Purge job ${jobId} for library ${lib.id} (interrupted-done)`);
  });

  it("GIVEN the killed run's Purge still runs WHEN the run is repeated THEN it is resumed, not submitted again", async () => {
    const lib = await purgedOnce("interrupted-running");
    await nextSecond();
    fx.emulator.admin.setSettings({ jobSeconds: 0.5 });
    const { jobId } = await outOfBandApi(fx.emulator.endpoint).submitFpDbDeleteJob({
      fpDbId: lib.id,
      delType: "Purge",
      userData: tagOf(lib, "release-2"),
    });
    await fx.newRun();

    const rerun = await fx.update(lib, { purgeTrigger: "release-2" });

    expect(purgeJobs(lib.id)).toHaveLength(2);
    expect(rerun.outputs).toMatchObject({ purgeJobId: jobId, purgeJobStatus: "Success" });
  });

  it("GIVEN the library's jobs fell out of the 20 newest WHEN a Purge is submitted THEN it is logged as a possible duplicate", async () => {
    const lib = await purgedOnce("interrupted-hidden");
    const api = outOfBandApi(fx.emulator.endpoint);
    await nextSecond();
    await api.submitFpDbDeleteJob({ fpDbId: lib.id, delType: "Purge" });
    // Twenty jobs of other libraries push both of this library's jobs out of the window the provider can see.
    const others = Array.from({ length: 20 }, (_, i) =>
      fx.emulator.admin.seedLibrary({ name: `other-${i}` }),
    );
    for (const other of others) await api.submitFpDbDeleteJob({ fpDbId: other, delType: "Purge" });
    await new Promise((resolve) => setTimeout(resolve, 400));
    await fx.newRun();

    const rerun = await fx.update(lib, { purgeTrigger: "release-2" });

    expect(purgeJobs(lib.id)).toHaveLength(3);
    expect(rerun.outputs.purgeJobStatus).toBe("Success");
    const output = await fx.waitForOutput("possible duplicate");
    expect(output).toMatch(
      new RegExp(
        `Purge job ${rerun.outputs.purgeJobId} for library ${lib.id} \\(interrupted-hidden\\).*possible duplicate`,
      ),
    );
  });
});

describe("a create that timed out waiting for `active`", () => {
  it("GIVEN the first run gave up waiting WHEN `up` runs again THEN it waits for `active` and says so", async () => {
    // Far beyond the 0.2 s bound, so the look at the deadline still finds the library offline.
    fx.emulator.admin.setSettings({ activateSeconds: 5 });
    const inputs = { jobTimeoutSeconds: 0.2 };
    const err = await rejection(fx.create("slow-start", inputs));
    expect(err).toBeInstanceOf(ResourceInitError);
    expect(err.message).not.toContain("..");
    const partial = err as ResourceInitError;
    expect(partial.properties.status).toBe("offline");
    const checked = await fx.check("slow-start", inputs);
    const lib: Deployed = {
      urn: fx.urn("slow-start"),
      id: partial.id,
      inputs: checked.inputs,
      outputs: { ...partial.properties, __provider: fx.provider },
    };

    const rerun = await fx.update(lib, { jobTimeoutSeconds: 30 });

    expect(rerun.outputs.status).toBe("active");
    expect(fx.output()).toContain(
      `library ${lib.id} (slow-start) is offline; waiting for it to become active`,
    );
  });
});

describe("messages on the paths that go wrong", () => {
  it("GIVEN a Purge runs WHEN the library is destroyed THEN the wait names that Purge job, and the Delete follows it", async () => {
    const lib = await fx.create("busy", {});
    // Still running when the Delete is submitted, however busy the machine; the Delete waits for it.
    fx.emulator.admin.setSettings({ jobSeconds: 5 });
    const purging = await fx.update(lib, { waitForCompletion: false, purgeTrigger: "a" });

    await fx.delete(purging);

    const output = fx.output();
    expect(output).toContain(
      `library ${lib.id} (busy) has an unfinished Purge job ${purging.outputs.purgeJobId}; waiting for it to end`,
    );
    expect(output).not.toMatch(
      new RegExp(`${lib.id} \\(busy\\) already has an unfinished job outside the 20`),
    );
    expect(fx.jobs(lib.id).filter((j) => j.delType === "Delete")).toHaveLength(1);
  });

  it("GIVEN a Purge runs and the destroy's wait is short THEN the error says to run it again once the job ends", async () => {
    const lib = await fx.create("busy-short", {});
    fx.emulator.admin.setSettings({ jobSeconds: 2 });
    const purging = await fx.update(lib, { waitForCompletion: false, purgeTrigger: "a" });

    const err = await rejection(
      fx.delete({ ...purging, outputs: { ...purging.outputs, jobTimeoutSeconds: 0.2 } }),
    );

    expect(err.message).not.toContain("will not help");
    expect(err.message).toContain(`Purge job ${purging.outputs.purgeJobId}`);
    expect(err.message).toMatch(/run `pulumi destroy` again once it has ended/);
  });

  it("GIVEN the library was deleted outside the stack WHEN a purge is asked THEN the error suggests `pulumi refresh`", async () => {
    const lib = await fx.create("vanished", {});
    await deleteOutOfBand(fx.emulator.endpoint, lib.id);

    const err = await rejection(fx.update(lib, { purgeTrigger: "a" }));

    expect(err.message).toContain(`library ${lib.id} (vanished)`);
    expect(err.message).toContain("pulumi refresh");
    expect(err.message).not.toContain("Fix the request or the configuration");
  });
});

describe("a misspelt region is refused before a library is created and pinned to it", () => {
  it("GIVEN alicloud:region cn-hangzou WHEN a library is created THEN nothing is called and the error suggests cn-hangzhou", async () => {
    const other = await LifecycleFixture.start({ config: { "alicloud:region": "cn-hangzou" } });
    try {
      const checked = await other.check("typo", {});
      expect(checked.failures).toEqual([]);
      const err = await rejection(other.host.create(other.urn("typo"), checked.inputs));
      expect(err.message).toContain('"cn-hangzou" is not an MPS region id: did you mean "cn-hangzhou"?');
      expect(other.emulator.admin.counts().overall.total).toBe(0);
    } finally {
      await other.close();
    }
  });

  it("GIVEN a `region` input without documented fingerprint libraries WHEN checked THEN it passes with a warning", async () => {
    const checked = await fx.check("frankfurt", { region: "eu-central-1" });
    expect(checked.failures).toEqual([]);
    expect(
      await fx.waitForOutput('frankfurt: `region` "eu-central-1": MPS documents fingerprint libraries only'),
    ).toContain("Creating a library there may fail");
  });
});
