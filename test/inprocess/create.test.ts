/**
 * Create (and the update that re-runs an unfinished create) in process: the provider waits for `active` on the
 * shared fake clock, so a library that takes minutes to activate is waited for in milliseconds.
 */
import { DEFAULT_ACCESS_KEY_SECRET } from "../../emulator";
import { MpsApiError } from "../../core/errors";
import { ResourceInitFailure } from "../../core/lifecycle/init-failure";
import { InProcessFixture, PROVIDER_TEXT, rejection, type Deployed } from "./support/fixture";

let fx: InProcessFixture;

beforeAll(async () => {
  fx = await InProcessFixture.start();
});
beforeEach(() => fx.reset());
afterAll(() => fx.close());

describe("create waits for `active`", () => {
  it("returns only once ListFpShotDB reports the library active, a minute after it was created", async () => {
    const startedAt = fx.clock.now();

    const lib = await fx.create("catalogue", { description: "films" });

    const stored = fx.library(lib.id)!;
    expect(stored).toMatchObject({ name: "catalogue", description: "films", status: "active" });
    expect(lib.outputs).toMatchObject({
      fpDbId: lib.id,
      adopted: false,
      status: "active",
      reportedName: "catalogue",
      region: "cn-hangzhou",
      jobHistory: [],
    });
    expect(fx.clock.now()).toBeGreaterThanOrEqual(Date.parse(stored.activatedAt!));
    expect(Date.parse(stored.activatedAt!) - startedAt).toBe(60_000);
    expect(fx.calls("CreateFpShotDB")).toBe(1);
    expect(fx.calls("ListFpShotDB")).toBeGreaterThan(1);
    expect(fx.output()).toContain(`Created library ${lib.id} (catalogue): offline`);
  });

  it("with waitForCompletion false returns the offline library without looking at it", async () => {
    const lib = await fx.create("eager", { waitForCompletion: false });

    expect(lib.outputs.status).toBe("offline");
    expect(fx.calls("ListFpShotDB")).toBe(0);
  });

  it("GIVEN throttled CreateFpShotDB answers THEN the create is retried (it was certainly refused) and makes one library", async () => {
    fx.emulator.admin.addFault({
      type: "error",
      action: "CreateFpShotDB",
      code: "Throttling.User",
      httpStatus: 400,
      count: 2,
    });

    const lib = await fx.create("throttled", { waitForCompletion: false });

    expect(fx.emulator.admin.counts().byAction.CreateFpShotDB).toMatchObject({
      total: 3,
      ok: 1,
      errors: { "Throttling.User": 2 },
    });
    expect(fx.emulator.admin.state().libraries.map((l) => l.fpDbId)).toEqual([lib.id]);
  });
});

describe("a create whose wait runs out, and the run after it", () => {
  it("GIVEN activation takes 10 minutes and jobTimeoutSeconds is 120 THEN the library is recorded offline, and the next update waits again", async () => {
    fx.emulator.admin.setSettings({ activateSeconds: 600 });
    const checked = await fx.check("slow-start", { jobTimeoutSeconds: 120 });
    const startedAt = fx.clock.now();

    const err = await rejection(fx.provider.create(checked.inputs!));

    expect(err).toBeInstanceOf(ResourceInitFailure);
    const failure = err as ResourceInitFailure;
    const [library] = fx.emulator.admin.state().libraries;
    expect(failure.id).toBe(library.fpDbId);
    expect(failure.message).toBe(
      `library ${library.fpDbId} (slow-start) was created but is still offline after 120 s (jobTimeoutSeconds). ` +
        "It is recorded in the stack: run `pulumi up` again to keep waiting (raise jobTimeoutSeconds for a longer " +
        "wait), or `pulumi destroy` to remove it.",
    );
    expect(failure.message).not.toContain("..");
    expect(failure.properties).toMatchObject({
      fpDbId: library.fpDbId,
      status: "offline",
      __provider: PROVIDER_TEXT,
    });
    expect(fx.clock.now() - startedAt).toBeGreaterThanOrEqual(120_000);
    expect(fx.clock.now() - startedAt).toBeLessThan(600_000);
    expect(library.status).toBe("offline");

    // The engine records the library with init errors and updates it on the next `up`, even with no change.
    const recorded: Deployed = { id: failure.id, inputs: checked.inputs!, outputs: failure.properties };
    const rerun = await fx.update(recorded, { jobTimeoutSeconds: 1800 });

    expect(rerun.outputs.status).toBe("active");
    expect(fx.clock.now()).toBeGreaterThanOrEqual(startedAt + 600_000);
    expect(fx.output()).toContain(
      `library ${failure.id} (slow-start) is offline; waiting for it to become active (it was not active at the end of the last run)`,
    );
    expect(fx.calls("CreateFpShotDB")).toBe(1);
  });
});

describe("a create recorded offline, then destroyed", () => {
  it("GIVEN the activation wait timed out THEN a destroy of the recorded library deletes it with one job", async () => {
    // The state keeps jobTimeoutSeconds 60 for the destroy too: the Delete job is made to fit in it.
    fx.emulator.admin.setSettings({ activateSeconds: 3600, deleteSeconds: 30 });
    const checked = await fx.check("never-active", { jobTimeoutSeconds: 60 });
    const failure = (await rejection(fx.provider.create(checked.inputs!))) as ResourceInitFailure;
    expect(failure).toBeInstanceOf(ResourceInitFailure);
    fx.newRun();

    await fx.delete({ id: failure.id, inputs: checked.inputs!, outputs: failure.properties });

    expect(fx.jobs(failure.id)).toEqual([expect.objectContaining({ delType: "Delete", status: "Success" })]);
    expect(fx.library(failure.id)?.deleted).toBe(true);
  });
});

describe("create failures", () => {
  it("GIVEN the CreateFpShotDB answer is lost after the library was made THEN the error says it may exist and how to adopt it", async () => {
    fx.emulator.admin.addFault({
      type: "commit-then-fail",
      action: "CreateFpShotDB",
      mode: "drop",
      count: 1,
    });

    const err = await rejection(fx.create("lost", {}));

    expect(fx.calls("CreateFpShotDB")).toBe(1);
    expect(fx.emulator.admin.state().libraries).toHaveLength(1);
    expect(err.message).toContain("CreateFpShotDB for `lost` had an unknown outcome");
    expect(err.message).toContain('a library named "lost" may have been created in region cn-hangzhou');
    expect(err.message).toContain("adopt it by setting `fpDbId`");
  });

  it("GIVEN the account's quota is used up THEN the error names the quota and the create is not retried", async () => {
    fx.emulator.admin.setSettings({ quota: 1 });
    fx.emulator.admin.seedLibrary({ name: "existing" });

    const err = await rejection(fx.create("one-too-many", {}));

    expect(err).toBeInstanceOf(MpsApiError);
    expect((err as MpsApiError).code).toBe("QuotaExceeded.FpShotDB");
    expect(err.message).toContain("reached the quota of this account (1)");
    expect(err.message).toContain("retrying the same request will not help");
    expect(fx.calls("CreateFpShotDB")).toBe(1);
  });

  it("GIVEN a wrong AccessKey secret THEN the create fails with the service's code and the secret is not shown", async () => {
    fx.provider = fx.newProvider({ "alicloud:secretKey": "not-the-secret-of-this-key" });

    const err = await rejection(fx.create("denied", {}));

    expect(err).toBeInstanceOf(MpsApiError);
    expect((err as MpsApiError).code).toBe("SignatureDoesNotMatch");
    expect(err.message).toContain("Check the AccessKey pair");
    expect(err.message).toContain("The credentials come from stack config alicloud:accessKey");
    expect(fx.calls("CreateFpShotDB")).toBe(1);
    expect(err.message).not.toContain("not-the-secret-of-this-key");
    expect(err.message).not.toContain(DEFAULT_ACCESS_KEY_SECRET);
    expect(fx.emulator.admin.state().libraries).toHaveLength(0);
  });
});

describe("configuration problems, before any API call", () => {
  it("GIVEN a bad setting THEN every call fails with the message naming it, and nothing is sent", async () => {
    fx.provider = fx.newProvider({ "pulumi-mps-fpdb:maxPollIntervalMs": "soon" });

    const check = await rejection(fx.check("any", {}));
    const create = await rejection(fx.provider.create({ resourceName: "any" }));

    for (const err of [check, create]) {
      expect(err.message).toContain(
        'Setting `pulumi-mps-fpdb:maxPollIntervalMs` is "soon" (from stack config `pulumi-mps-fpdb:maxPollIntervalMs`)',
      );
    }
    expect(fx.allCalls()).toBe(0);
  });

  it("GIVEN alicloud:region cn-hangzou THEN the create is refused suggesting cn-hangzhou, and nothing is sent", async () => {
    fx.provider = fx.newProvider({ "alicloud:region": "cn-hangzou" });

    const err = await rejection(fx.create("typo", {}));

    expect(err.message).toContain('"cn-hangzou" is not an MPS region id: did you mean "cn-hangzhou"?');
    expect(err.message).toContain("Nothing was created for `typo`");
    expect(fx.allCalls()).toBe(0);
  });

  it("GIVEN a `region` input without documented fingerprint libraries THEN check passes and warns", async () => {
    const checked = await fx.check("frankfurt", { region: "eu-central-1" });

    expect(checked.failures).toEqual([]);
    expect(fx.output()).toContain(
      'frankfurt: `region` "eu-central-1": MPS documents fingerprint libraries only',
    );
    expect(fx.allCalls()).toBe(0);
  });
});
