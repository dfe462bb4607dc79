import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as proto from "@pulumi/pulumi/proto/provider_pb";
import { LogSeverity } from "@pulumi/pulumi/proto/engine_pb";
import { RESOURCE_TOKEN } from "../../plugin/package-schema";
import { isSecret, secret } from "../../plugin/properties";
import { outOfBandApi } from "../support/mps";
import { PluginFixture, urnOf, type Props } from "./support/plugin-fixture";

/**
 * The provider plugin's ResourceProvider service through a real gRPC client: configuration, the resource's
 * lifecycle against the emulator, secrets, previews, import, customTimeouts, Cancel and the lines it sends to the
 * engine.
 */

let fx: PluginFixture;
beforeEach(async () => {
  fx = await PluginFixture.start();
});
afterEach(async () => {
  await fx.stop();
});

async function createLibrary(name: string, inputs: Props = {}): Promise<{ id: string; outputs: Props }> {
  await fx.configure();
  const checked = await fx.checked(name, inputs);
  return fx.create(name, checked);
}

describe("plugin info and schema", () => {
  it("answers GetPluginInfo with its version and GetSchema with the package schema", async () => {
    const info = await fx.rpc<Empty, { getVersion(): string }>("getPluginInfo", new Empty());
    expect(info.getVersion()).toBe("9.8.7");
    const schema = await fx.rpc<proto.GetSchemaRequest, proto.GetSchemaResponse>(
      "getSchema",
      new proto.GetSchemaRequest(),
    );
    const parsed = JSON.parse(schema.getSchema()) as { name: string; version: string; resources: object };
    expect(parsed.name).toBe("mps-fpdb");
    expect(parsed.version).toBe("9.8.7");
    expect(Object.keys(parsed.resources)).toEqual([RESOURCE_TOKEN]);
  });

  it("answers the methods it does not implement with UNIMPLEMENTED", async () => {
    await expect(fx.rpc("invoke", new proto.InvokeRequest())).rejects.toMatchObject({
      code: grpc.status.UNIMPLEMENTED,
    });
    await expect(fx.rpc("construct", new proto.ConstructRequest())).rejects.toMatchObject({
      code: grpc.status.UNIMPLEMENTED,
    });
  });
});

describe("configuration", () => {
  it("accepts secrets and previews", async () => {
    const response = await fx.configure();
    expect(response.getAcceptsecrets()).toBe(true);
    expect(response.getSupportspreview()).toBe(true);
  });

  it("CheckConfig names a key the provider does not have, and a bad setting", async () => {
    const request = new proto.CheckRequest();
    request.setUrn("urn:pulumi:dev::p::pulumi:providers:mps-fpdb::default");
    request.setNews(
      (await import("./support/plugin-fixture")).toStruct({
        region: "cn-hangzhou",
        regoin: "cn-hangzhou",
        pollIntervalMs: "soon",
        version: "0.1.0",
      }),
    );
    const response = await fx.rpc<proto.CheckRequest, proto.CheckResponse>("checkConfig", request);
    const failures = response.getFailuresList().map((f) => f.toObject());
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ property: "regoin" });
    expect(failures[0].reason).toContain("`regoin` is not a setting of the mps-fpdb provider");
    expect(failures[1].reason).toContain("`mps-fpdb:pollIntervalMs`");
    expect(failures[1].reason).not.toContain("pulumi-mps-fpdb:");
  });

  it("DiffConfig reports the keys that changed, and none when only the version did", async () => {
    const { toStruct } = await import("./support/plugin-fixture");
    const request = new proto.DiffRequest();
    request.setOlds(toStruct({ region: "cn-hangzhou", version: "1" }));
    request.setNews(toStruct({ region: "cn-shanghai", version: "2" }));
    const changed = await fx.rpc<proto.DiffRequest, proto.DiffResponse>("diffConfig", request);
    expect(changed.getChanges()).toBe(proto.DiffResponse.DiffChanges.DIFF_SOME);
    expect(changed.getDiffsList()).toEqual(["region"]);
    request.setNews(toStruct({ region: "cn-hangzhou", version: "2" }));
    const same = await fx.rpc<proto.DiffRequest, proto.DiffResponse>("diffConfig", request);
    expect(same.getChanges()).toBe(proto.DiffResponse.DiffChanges.DIFF_NONE);
  });

  it("reads the default provider's config from the variables when no arguments come", async () => {
    const request = new proto.ConfigureRequest();
    const variables = request.getVariablesMap();
    variables.set("mps-fpdb:region", "cn-hangzhou");
    variables.set("mps-fpdb:accessKey", "LTAI-from-variables");
    variables.set("mps-fpdb:secretKey", "wrong-secret-value");
    variables.set("mps-fpdb:endpoint", fx.emulator.endpoint);
    await fx.rpc("configure", request);
    const checked = await fx.checked("lib", {});
    // The emulator does not know this key: the request reached it with the configured credentials.
    await expect(fx.create("lib", checked)).rejects.toMatchObject({
      details: expect.stringMatching(/InvalidAccessKeyId|credentials|AccessKey/i),
    });
    expect(JSON.stringify(fx.lines)).not.toContain("wrong-secret-value");
  });
});

describe("check", () => {
  it("gives resources without an endpointType the provider's endpointType", async () => {
    await fx.configure({ endpointType: "vpc" });
    expect(await fx.checked("lib", {})).toMatchObject({ endpointType: "vpc" });
    expect(await fx.checked("lib", { endpointType: "public" })).toMatchObject({ endpointType: "public" });
  });

  it("validates with the dynamic resource's messages, takes the logical name from the URN, and keeps secrets", async () => {
    await fx.configure();
    const bad = await fx.check("lib", { modelId: 99, userData: "x".repeat(200) });
    const failures = bad.getFailuresList().map((f) => f.toObject());
    expect(failures.map((f) => f.property).sort()).toEqual(["", "modelId"]);
    expect(failures.find((f) => f.property === "modelId")!.reason).toContain("`modelId`");

    const good = await fx.check("lib", { description: secret("private words"), pollIntervalSeconds: 5 });
    expect(good.getFailuresList()).toEqual([]);
    const inputs = good.getInputs()!.toJavaScript() as Props;
    expect(inputs.resourceName).toBe("lib");
    expect(inputs.libraryName).toBe("lib");
    expect(isSecret(inputs.description)).toBe(true);
    expect(inputs.pollIntervalSeconds).toBe(5);
  });
});

describe("the lifecycle", () => {
  it("creates a library, waits for it, and returns the core's outputs with jobTagKey and secret inputs secret", async () => {
    const { id, outputs } = await createLibrary("lib", { description: secret("private words") });
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(outputs).toMatchObject({ fpDbId: id, adopted: false, status: "active", libraryName: "lib" });
    expect(isSecret(outputs.jobTagKey)).toBe(true);
    expect(isSecret(outputs.description)).toBe(true);
    expect(outputs).not.toHaveProperty("__provider");
    expect(fx.emulator.admin.state().libraries.find((l) => l.fpDbId === id)?.status).toBe("active");
  });

  it("shows the wait on the resource's row and sends its lines with the URN", async () => {
    const { id } = await createLibrary("lib");
    const status = fx.linesOf("lib", { ephemeral: true });
    expect(status[0]).toBe(`Create: waiting for library ${id} (lib): waiting, 0s`);
    expect(status[status.length - 1]).toMatch(
      new RegExp(`^Create: waiting for library ${id} \\(lib\\): active, \\d+s$`),
    );
    expect(fx.linesOf("lib", { ephemeral: false })).toContain(
      `[mps-fpdb] Created library ${id} (lib): offline`,
    );
    // The process's own line has no resource.
    expect(fx.lines.find((l) => l.message.includes("Using MPS endpoint"))).toMatchObject({
      message: expect.stringContaining("with credentials from stack config mps-fpdb:accessKey"),
      urn: "",
      severity: LogSeverity.INFO,
    });
    expect(JSON.stringify(fx.lines)).not.toContain("testsecret");
  });

  it("diffs, purges on a trigger change, refreshes, and deletes", async () => {
    const { id, outputs } = await createLibrary("lib", { purgeTrigger: "v1" });
    const news = await fx.checked("lib", { purgeTrigger: "v2" });
    const diff = await fx.diff("lib", id, outputs, news);
    expect(diff.getChanges()).toBe(proto.DiffResponse.DiffChanges.DIFF_SOME);
    expect(diff.getReplacesList()).toEqual([]);
    expect(diff.getDiffsList()).toEqual(["purgeTrigger"]);
    expect(diff.getHasdetaileddiff()).toBe(true);
    expect(diff.getDetaileddiffMap().get("purgeTrigger")!.toObject()).toEqual({
      kind: proto.PropertyDiff.Kind.UPDATE,
      inputdiff: true,
    });

    const preview = await fx.update("lib", id, outputs, news, { preview: true });
    expect(fx.emulator.admin.state().jobs).toHaveLength(0);
    expect(preview.purgeTrigger).toBe("v2");
    expect(preview.purgeJobId).toBe("04da6b54-80e4-46f7-96ec-b56ff0331ba9");

    const updated = await fx.update("lib", id, outputs, news);
    const [job] = fx.emulator.admin.state().jobs;
    expect(updated).toMatchObject({ purgeJobId: job.jobId, purgeJobStatus: "Success", purgeTrigger: "v2" });
    expect(
      fx.linesOf("lib", { ephemeral: true }).some((l) => l.startsWith(`Purge job ${job.jobId} for library`)),
    ).toBe(true);

    const refreshed = await fx.read("lib", id, updated, news);
    expect(refreshed.outputs).toMatchObject({ fpDbId: id, status: "active" });
    expect(refreshed.inputs).toEqual(news);

    const replaced = await fx.diff(
      "lib",
      id,
      updated,
      await fx.checked("lib", { purgeTrigger: "v2", libraryName: "renamed" }),
    );
    expect(replaced.getReplacesList()).toEqual(["libraryName"]);
    expect(replaced.getDetaileddiffMap().get("libraryName")!.getKind()).toBe(
      proto.PropertyDiff.Kind.UPDATE_REPLACE,
    );
    expect(replaced.getDeletebeforereplace()).toBe(true);

    await fx.delete("lib", id, updated);
    expect(fx.emulator.admin.state().libraries.find((l) => l.fpDbId === id)?.status ?? "gone").toMatch(
      /deleted|gone/,
    );
    const gone = await fx.read("lib", id, updated, news);
    expect(gone.outputs).toBeUndefined();
  });

  it("previews a create without calling MPS: inputs known, the rest unknown", async () => {
    await fx.configure();
    const checked = await fx.checked("lib", { description: "d" });
    const before = fx.emulator.admin.counts().overall.total;
    const { id, outputs } = await fx.create("lib", checked, { preview: true });
    expect(fx.emulator.admin.counts().overall.total).toBe(before);
    expect(id).toBe("");
    expect(outputs).toMatchObject({ description: "d", libraryName: "lib", adopted: false });
    expect(outputs.fpDbId).toBe("04da6b54-80e4-46f7-96ec-b56ff0331ba9");
  });
});

describe("import", () => {
  it("reads a library from its id alone: its facts, and inputs that adopt it", async () => {
    const existing = await createLibrary("made-elsewhere");
    const imported = await fx.read("imported", existing.id);
    expect(imported.id).toBe(existing.id);
    expect(imported.outputs).toMatchObject({
      fpDbId: existing.id,
      adopted: true,
      status: "active",
      resourceName: "imported",
    });
    expect(imported.inputs).toEqual({ fpDbId: existing.id, resourceName: "imported" });

    // The engine checks the inputs, then an `up` of a program adopting the library changes nothing.
    const checked = await fx.checked("imported", imported.inputs!);
    const diff = await fx.diff("imported", existing.id, imported.outputs!, checked);
    expect(diff.getChanges()).toBe(proto.DiffResponse.DiffChanges.DIFF_NONE);

    // Adopted: destroy keeps the library unless deletionPolicy says Delete.
    await fx.delete("imported", existing.id, imported.outputs!);
    expect(fx.emulator.admin.state().libraries.find((l) => l.fpDbId === existing.id)?.status).toBe("active");
    expect(fx.emulator.admin.state().jobs).toHaveLength(0);
  });

  it("fails an import of an id MPS does not know, saying so in the plugin's terms", async () => {
    await fx.configure();
    const err: unknown = await fx.read("ghost", "0123456789abcdef0123456789abcdef").catch((e: unknown) => e);
    const details = String((err as { details?: unknown }).details);
    expect(details).toContain("Library 0123456789abcdef0123456789abcdef (ghost) was not found in region");
    expect(details).toContain("cannot be looked up or imported by that id");
    // The key a plugin user sets, and no API of the dynamic provider's.
    expect(details).toContain("`mps-fpdb:region`");
    expect(details).not.toMatch(/alicloud:|FingerprintLibrary\.get|new FingerprintLibrary/);
  });
});

describe("customTimeouts", () => {
  it("bound the create's wait: the library is recorded, and the error says to raise customTimeouts", async () => {
    await fx.configure();
    const checked = await fx.checked("slow", {});
    const failure = await fx.create("slow", checked, { timeout: 5 }).catch((err: grpc.ServiceError) => err);
    expect(failure).toBeInstanceOf(Error);
    const error = failure as grpc.ServiceError;
    expect(error.details).toMatch(/was created but is still offline after 5(\.\d)? s \(customTimeouts\)/);
    expect(error.details).toContain("raise the resource's customTimeouts");
    // The library's id and outputs travel in the status details, so the engine keeps it in the stack.
    const details = error.metadata.get("grpc-status-details-bin")[0] as Buffer;
    const status = (await import("@pulumi/pulumi/proto/status_pb")).Status.deserializeBinary(details);
    const init = proto.ErrorResourceInitFailed.deserializeBinary(status.getDetailsList()[0].getValue_asU8());
    const [library] = fx.emulator.admin.state().libraries;
    expect(init.getId()).toBe(library.fpDbId);
    expect(isSecret(init.getProperties()!.toJavaScript().jobTagKey)).toBe(true);
  });

  it("bound a delete's wait for its job: the error names the JobId and how to resume", async () => {
    const { id, outputs } = await createLibrary("lib");
    const failure = (await fx
      .delete("lib", id, outputs, { timeout: 30 })
      .catch((err: unknown) => err)) as grpc.ServiceError;
    const [job] = fx.emulator.admin.state().jobs;
    expect(failure.details).toContain(`waiting for job ${job.jobId} for library ${id} (lib)`);
    expect(failure.details).toContain(
      "raise the resource's customTimeouts, or run the operation again to resume",
    );
  });
});

describe("Cancel", () => {
  it("stops a wait at once, records the created library, and lets no new write start", async () => {
    await fx.configure();
    const checked = await fx.checked("lib", { jobTimeoutSeconds: 3_600 });
    // A library that takes a day to become active: the create is still waiting when Cancel arrives.
    fx.emulator.admin.setSettings({ activateSeconds: 86_400 });
    const creating = fx.create("lib", checked).catch((err: grpc.ServiceError) => err);
    let release!: () => void;
    // Holds fake time once the wait has begun, so Cancel is what ends it.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (fx.linesOf("lib", { ephemeral: true }).length > 0) {
          clearInterval(poll);
          void fx.clock.track(new Promise<void>((r) => (release = r)));
          resolve();
        }
      }, 1);
    });
    await fx.cancel();
    const error = (await creating) as grpc.ServiceError;
    expect(error.details).toMatch(/was created but did not become active: .*the operation was cancelled/);
    expect(error.metadata.get("grpc-status-details-bin")).toHaveLength(1);

    // The stopped wait leaves the schedule at its next answer: ten minutes on, one more look at most, where a
    // wait still scheduled would have been looked at every 30 s.
    const looks = (): number => fx.emulator.admin.counts().byAction.ListFpShotDB?.total ?? 0;
    const atCancel = looks();
    release();
    await fx.clock.sleep(600_000);
    expect(looks()).toBeLessThanOrEqual(atCancel + 1);

    // After Cancel, no write starts: a create fails before reaching MPS.
    const before = fx.emulator.admin.counts().byAction.CreateFpShotDB?.total ?? 0;
    const second = (await fx
      .create("other", await fx.checked("other", {}))
      .catch((err: unknown) => err)) as grpc.ServiceError;
    expect(second.details).toContain("MPS CreateFpShotDB was not sent: the operation was cancelled");
    expect(fx.emulator.admin.counts().byAction.CreateFpShotDB?.total ?? 0).toBe(before);
  });
});

describe("Cancel while a purge waits for another job", () => {
  it("stops that wait too, and submits no Purge of its own", async () => {
    const { id, outputs } = await createLibrary("lib", { purgeTrigger: "v1", jobTimeoutSeconds: 3_600 });
    // Someone else's Purge, a day long: this update's Purge must wait for it to end before submitting.
    fx.emulator.admin.setSettings({ jobSeconds: 86_400 });
    const other = await outOfBandApi(fx.emulator.endpoint, {
      clock: fx.clock,
      random: () => 0.5,
    }).submitFpDbDeleteJob({
      fpDbId: id,
      delType: "Purge",
    });
    const news = await fx.checked("lib", { purgeTrigger: "v2", jobTimeoutSeconds: 3_600 });
    const updating = fx.update("lib", id, outputs, news).catch((err: grpc.ServiceError) => err);
    let release!: () => void;
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (fx.linesOf("lib").some((l) => l.includes(`Purge job ${other.jobId} for library ${id} (lib)`))) {
          clearInterval(poll);
          void fx.clock.track(new Promise<void>((r) => (release = r)));
          resolve();
        }
      }, 1);
    });
    await fx.cancel();
    const error = (await updating) as grpc.ServiceError;
    release();
    expect(error.details).toContain(`Stopped waiting for job ${other.jobId} for library ${id} (lib)`);
    expect(error.details).toContain("the operation was cancelled");
    await fx.clock.sleep(600_000);
    expect(fx.emulator.admin.state().jobs.map((job) => job.jobId)).toEqual([other.jobId]);
  });
});

describe("resource types", () => {
  it("refuses a type it does not have", async () => {
    await fx.configure();
    const request = new proto.CheckRequest();
    request.setUrn(urnOf("x").replace(RESOURCE_TOKEN, "mps-fpdb:index:Other"));
    request.setNews(new (await import("google-protobuf/google/protobuf/struct_pb")).Struct());
    await expect(fx.rpc("check", request)).rejects.toMatchObject({
      details: expect.stringContaining("has no resource type mps-fpdb:index:Other"),
    });
  });
});
