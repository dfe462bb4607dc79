import * as fs from "node:fs";
import * as path from "node:path";
import {
  HostCallError,
  ResourceInitError,
  startProviderHost,
  type ProviderHost,
} from "../../harness/host-client";
import { serializeProvider } from "../../harness/serialize-provider";
import { SIG_KEY, SECRET_SIG, UNKNOWN, wrapSecret } from "../../harness/wire";
import { makeToyWorkspace, type ToyWorkspace } from "./support/toy-workspace";

const URN = "urn:pulumi:dev::toy::pulumi-nodejs:dynamic/toy:Toy::a";
const TOKEN = "s3cr3t-token";

let ws: ToyWorkspace;
let providerText: string;
let host: ProviderHost;

beforeAll(async () => {
  ws = makeToyWorkspace();
  const starting = startProviderHost({ cwd: ws.programDir }).then((h) => (host = h));
  providerText = (await serializeProvider(path.join(ws.programDir, "shim.ts"), "toyShim", ws.programDir))
    .text;
  await starting;
  await host.configure({ "toy:dir": ws.dataDir, "toy:token": TOKEN, "other:key": "x" }, ["toy:token"]);
});

afterAll(async () => {
  await host?.close();
  ws?.remove();
});

/** Output lines travel on a different pipe than gRPC answers, so wait for them instead of racing. */
function waitForLine(h: ProviderHost, match: (line: string) => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (h.lines.some((l) => match(l.line))) resolve();
      else if (Date.now() > deadline) reject(new Error(`no matching host line within ${timeoutMs} ms`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

function news(fileName: string, extra: Record<string, unknown> = {}) {
  return { fileName, content: "hello", __provider: providerText, ...extra };
}

describe("provider host client", () => {
  it("reports the SDK version the host was started from", async () => {
    const sdk = JSON.parse(fs.readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8")) as {
      version: string;
    };
    await expect(host.getPluginInfo()).resolves.toBe(sdk.version);
  });

  it("runs check, create, read, diff, update and delete against the real host", async () => {
    const checked = await host.check(URN, {}, news("crud.txt"));
    expect(checked).toEqual({ inputs: news("crud.txt"), failures: [] });

    const created = await host.create(URN, checked.inputs, { timeoutSeconds: 60 });
    const file = path.join(ws.dataDir, "crud.txt");
    expect(created.id).toBe(file);
    expect(created.properties).toEqual({ ...news("crud.txt"), path: file, size: 5, createdBy: "v1" });
    expect(fs.readFileSync(file, "utf8")).toBe("hello");

    const read = await host.read(URN, created.id, created.properties, checked.inputs);
    expect(read.id).toBe(file);
    expect(read.properties.content).toBe("hello");
    expect(read.inputs).toBeUndefined();

    const changed = news("crud.txt", { content: "world" });
    await expect(host.diff(URN, file, created.properties, changed, checked.inputs)).resolves.toEqual({
      changes: "unknown",
      replaces: [],
      deleteBeforeReplace: false,
    });
    await expect(
      host.diff(
        URN,
        file,
        created.properties,
        news("renamed.txt", { deleteBeforeReplace: true }),
        checked.inputs,
      ),
    ).resolves.toEqual({ changes: "some", replaces: ["fileName"], deleteBeforeReplace: true });

    const updated = await host.update(URN, file, created.properties, changed, checked.inputs);
    expect(updated.properties).toMatchObject({ content: "world", size: 5, __provider: providerText });
    expect(fs.readFileSync(file, "utf8")).toBe("world");

    await host.delete(URN, file, updated.properties, changed);
    expect(fs.existsSync(file)).toBe(false);
    await waitForLine(host, (l) => l === "toy delete crud.txt v1 inflight=1");
    expect(host.lines.map((l) => l.line)).toEqual(
      expect.arrayContaining([
        "toy create crud.txt v1 inflight=1",
        "toy update crud.txt v1 inflight=1",
        "toy delete crud.txt v1 inflight=1",
      ]),
    );
  });

  it("returns check failures as data, with the checked inputs", async () => {
    const result = await host.check(URN, {}, news("bad.txt", { content: "invalid" }));
    expect(result.failures).toEqual([{ property: "content", reason: "content must not be `invalid`" }]);
  });

  it("decodes an init failure into a ResourceInitError with the id, properties and reasons", async () => {
    const err = await host.create(URN, news("half.txt", { failInit: true })).catch((e: unknown) => e);
    const file = path.join(ws.dataDir, "half.txt");
    expect(err).toBeInstanceOf(ResourceInitError);
    const init = err as ResourceInitError;
    expect(init.message).toBe("toy half.txt was created but did not initialize");
    expect(init.id).toBe(file);
    expect(init.reasons).toEqual(["initialization check failed"]);
    expect(init.properties).toMatchObject({ path: file, createdBy: "v1", __provider: providerText });
  });

  it("turns a provider exception into a HostCallError carrying the message", async () => {
    const err = await host.create(URN, news("fail.txt", { failCreate: true })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostCallError);
    expect(err).toMatchObject({
      method: "Create",
      code: 2,
      details: "toy create of fail.txt failed on purpose",
    });
  });

  it("passes the unknown sentinel to the provider verbatim", async () => {
    const result = await host.check(URN, {}, news("later.txt", { content: UNKNOWN }));
    expect(result.inputs.content).toBe("04da6b54-80e4-46f7-96ec-b56ff0331ba9");
  });

  it("wraps secret config on the wire and the host hands the provider the plain value", async () => {
    await waitForLine(host, (l) => l === `toy configure v1 dir-set=true token-length=${TOKEN.length}`);
  });

  it("delivers a secret envelope in a payload to the provider unchanged, which is why the engine strips them", async () => {
    expect(wrapSecret("pw")).toEqual({ [SIG_KEY]: SECRET_SIG, value: "pw" });
    const err = await host
      .create(URN, news("secret.txt", { password: wrapSecret("pw") }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ details: "toy received a secret envelope instead of a plain value" });
  });

  it("records Engine.Log calls that provider code sends to the engine address it was given", async () => {
    await host.create(URN, news("logged.txt", { engineLogUrn: URN }));
    expect(host.engineLogs).toEqual([
      { severity: "info", message: "creating logged.txt", urn: URN, ephemeral: true, streamId: 0 },
    ]);
  });

  it("refuses to send undefined and names the property", async () => {
    await expect(host.check(URN, {}, news("u.txt", { nested: { gone: undefined } }))).rejects.toThrow(
      "property `nested.gone` is undefined, which cannot be sent over gRPC; use null or omit the property instead",
    );
  });
});

describe("provider host death", () => {
  it("rejects a pending call as soon as the host process dies, and later calls at once", async () => {
    const dying = await startProviderHost({ cwd: ws.programDir });
    try {
      await dying.configure({ "toy:dir": ws.dataDir });
      const started = waitForLine(dying, (l) => l.startsWith("toy create slow.txt"));
      const pending = dying.create(URN, news("slow.txt", { slowMs: 60_000 })).catch((e: unknown) => e);
      await started;
      const killedAt = Date.now();
      dying.kill();
      const err = await pending;
      expect(Date.now() - killedAt).toBeLessThan(2000);
      expect(err).toBeInstanceOf(HostCallError);
      expect(err).toMatchObject({
        method: "Create",
        code: 14,
        details: `provider host (pid ${dying.pid}) exited with signal SIGKILL while Create was pending`,
      });
      await expect(dying.check(URN, {}, news("x.txt"))).rejects.toMatchObject({
        details: `provider host (pid ${dying.pid}) is not running`,
      });
    } finally {
      await dying.close();
    }
  });
});
