/**
 * What the provider says under the real engine's rules, through Pulumi's real provider host: `destroy` and
 * `refresh` run with the stack config stored at the last `up`, and `get()` of a missing library would otherwise
 * succeed with undefined outputs.
 */
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from "../../emulator";
import { LifecycleFixture } from "../support/lifecycle";
import { rejection } from "../support/thrown";

const ROTATED_AWAY = "an-old-secret-that-was-rotated";

describe("an authentication failure with credentials from stack config", () => {
  it("says that destroy and refresh use the config stored at the last up, and how to go on", async () => {
    const fx = await LifecycleFixture.start({ config: { "alicloud:secretKey": ROTATED_AWAY } });
    try {
      const fpDbId = fx.emulator.admin.seedLibrary({ name: "rotated" });
      const err = await rejection(fx.create("rotated", { fpDbId }));
      expect(err.message).toContain("SignatureDoesNotMatch");
      expect(err.message).toContain(
        "The credentials come from stack config alicloud:accessKey. If this is `pulumi destroy` or `pulumi refresh`",
      );
      expect(err.message).toContain("run `pulumi up` first");
      expect(err.message).toContain("--run-program");
      expect(err.message + fx.output()).not.toContain(ROTATED_AWAY);
    } finally {
      await fx.close();
    }
  });

  it("adds nothing about stored config when the credentials come from the environment", async () => {
    const fx = await LifecycleFixture.start({
      config: { "alicloud:accessKey": "", "alicloud:secretKey": "" },
      env: {
        ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: ROTATED_AWAY,
      },
    });
    try {
      const fpDbId = fx.emulator.admin.seedLibrary({ name: "env-keys" });
      const err = await rejection(fx.create("env-keys", { fpDbId }));
      expect(err.message).toContain("SignatureDoesNotMatch");
      expect(err.message).not.toContain("stored with the stack");
    } finally {
      await fx.close();
    }
  });
});

describe("FingerprintLibrary.get (a Read with no state)", () => {
  let fx: LifecycleFixture;
  beforeAll(async () => {
    fx = await LifecycleFixture.start();
  });
  afterAll(async () => {
    await fx.close();
    expect(fx.output()).not.toContain(DEFAULT_ACCESS_KEY_SECRET);
  });

  it("fails for a library the region does not have, naming the id, the region and what to check", async () => {
    const missing = "0123456789abcdef0123456789abcdef";
    const err = await rejection(
      fx.host.read(fx.urn("ghost"), missing, { resourceName: "ghost", __provider: fx.provider }, {}),
    );
    expect(err.message).toContain(`Library ${missing} (ghost) was not found in region cn-hangzhou`);
  });

  it("still lets refresh drop a managed library that is gone (an empty id, no error)", async () => {
    const lib = await fx.create("refreshed", {});
    fx.emulator.admin.setSettings({ jobSeconds: 0.01 });
    await fx.delete(lib);
    const read = await fx.read(lib);
    expect(read.id).toBe("");
  });
});

describe("what the provider host prints for a failed call", () => {
  it("shows the message once, in the error; the host's line says what happened, naming the library", async () => {
    const fx = await LifecycleFixture.start();
    try {
      const lib = await fx.create("guarded", { deletionProtection: true });
      const err = await rejection(fx.delete(lib));
      const what = `library ${lib.id} (guarded) has \`deletionProtection\` enabled, so it was not deleted`;
      const fix = "set `deletionProtection: false`, run `pulumi up`, then retry";
      expect(err.message.split(what)).toHaveLength(2);
      expect(err.message).toContain(fix);
      // The host prints this line on its own; it reaches the CLI on the stack's row, with no resource attached.
      const line = `[mps-fpdb] ${what}: no call was made to MPS; the error on the resource says how to proceed`;
      await fx.waitForOutput(line);
      const output = fx.output();
      expect(output.split(what)).toHaveLength(2);
      expect(output).not.toContain(fix);
      expect(output).not.toContain("DeletionProtectedError");
      expect(output).not.toMatch(/\n\s+at .*provider[/\\]/);
    } finally {
      await fx.close();
    }
  });
});
