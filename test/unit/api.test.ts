import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { FingerprintLibraryCore } from "../../core/api";
import { ConfigError } from "../../core/errors";
import { SCHEMA } from "../../core/schema";
import { UNKNOWN } from "../../core/values";
import type { LogLevel } from "../../core/log";
import { FakeClock } from "../support/fake-clock";

const ROOT = path.resolve(__dirname, "..", "..");

/** The core's API without MPS: the configure gate, previews, cancellation and where lines go. */

const STATIC_KEYS: Record<string, string> = {
  "alicloud:region": "cn-hangzhou",
  "alicloud:accessKey": "LTAI-api-test",
  "alicloud:secretKey": "api-test-secret-value",
  // Nothing listens on port 1: a request sent there would fail, and the tests below assert that none is sent.
  "pulumi-mps-fpdb:endpoint": "http://127.0.0.1:1",
};

function core(lines: { level: LogLevel; line: string }[] = []): FingerprintLibraryCore {
  return new FingerprintLibraryCore({
    env: { ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" },
    clock: new FakeClock(),
    random: () => 0.5,
    logSink: (level, line) => lines.push({ level, line }),
  });
}

function configured(config: Record<string, string> = STATIC_KEYS): FingerprintLibraryCore {
  const api = core();
  api.configure({ get: (key) => config[key] });
  return api;
}

describe("FingerprintLibraryCore", () => {
  it("holds every call until configure, and a bad setting fails every call with its message", async () => {
    const api = core();
    const checking = api.check({ resourceName: "lib" });
    expect(api.configured).toBe(false);
    api.configure({ get: (key) => ({ ...STATIC_KEYS, "pulumi-mps-fpdb:pollIntervalMs": "often" })[key] });
    await expect(checking).rejects.toBeInstanceOf(ConfigError);
    await expect(api.delete({})).rejects.toThrow(/pulumi-mps-fpdb:pollIntervalMs/);
  });

  it("writes check's warnings to the call's sink when it has one, else to the process's", async () => {
    const processLines: { level: LogLevel; line: string }[] = [];
    const api = core(processLines);
    api.configure({ get: (key) => STATIC_KEYS[key] });
    const callLines: string[] = [];
    const { warnings } = await api.check(
      { resourceName: "lib", region: "cn-qingdao" },
      { log: (level, line) => callLines.push(`${level} ${line}`) },
    );
    expect(warnings).toHaveLength(1);
    expect(callLines).toEqual([`warn [mps-fpdb] lib: ${warnings[0]}`]);
    expect(processLines).toEqual([]);
  });

  it("previews a create: the inputs as given, every output the service tells unknown", async () => {
    const api = configured();
    const { id, outputs } = await api.previewCreate({ resourceName: "lib", libraryName: "lib" });
    expect(id).toBe("");
    expect(outputs).toMatchObject({
      resourceName: "lib",
      libraryName: "lib",
      adopted: false,
      fpDbId: UNKNOWN,
    });
    for (const name of SCHEMA.outputOnly.filter((n) => n !== "adopted")) expect(outputs[name]).toBe(UNKNOWN);

    const adopting = await api.previewCreate({ resourceName: "lib", fpDbId: "abc", region: "cn-shanghai" });
    expect(adopting.outputs).toMatchObject({ fpDbId: "abc", adopted: true, region: "cn-shanghai" });
  });

  it("previews an update: the new inputs recorded, and the job's outputs unknown only when a Purge would run", async () => {
    const api = configured();
    const { outputs: created } = await api.previewCreate({ resourceName: "lib", libraryName: "lib" });
    const olds = {
      ...created,
      fpDbId: "abc",
      region: "cn-hangzhou",
      adopted: false,
      status: "active",
      schemaVersion: 3,
      jobHistory: [],
      purgeTrigger: "a",
      purgeJobId: "job-1",
      deletion: { policy: "Delete", protection: false },
    };
    const same = await api.previewUpdate(olds, {
      resourceName: "lib",
      libraryName: "lib",
      purgeTrigger: "a",
      userData: "u",
    });
    expect(same).toMatchObject({ purgeJobId: "job-1", userData: "u", status: "active" });
    const purging = await api.previewUpdate(olds, {
      resourceName: "lib",
      libraryName: "lib",
      purgeTrigger: "b",
    });
    expect(purging).toMatchObject({ purgeTrigger: "b", purgeJobId: UNKNOWN, jobHistory: UNKNOWN });
  });

  it("lets every wait of a bulk run listen for Cancel without a warning from Node", () => {
    // In a process of its own: jest's sandbox neither sees Node's warnings nor shares its AbortSignal class.
    // A dynamic provider's waits have no signal of their own, so all of them listen to the process's, and Node
    // warns on stderr (which the provider host forwards to the CLI) past ten listeners.
    const script = [
      `const { ProviderContext } = require(${JSON.stringify(path.join(ROOT, "core", "context.ts"))});`,
      `const { unlessAborted } = require(${JSON.stringify(path.join(ROOT, "core", "jobs", "poll.ts"))});`,
      "const ctx = new ProviderContext({ get: () => undefined }, {});",
      "const own = ctx.signalFor(new AbortController().signal);",
      "const waits = [];",
      "for (let i = 0; i < 50; i++) {",
      "  for (const signal of [ctx.waitTiming({}).signal, own])",
      "    waits.push(unlessAborted(new Promise(() => {}), signal, () => new Error('cancelled')));",
      "}",
      "ctx.cancel();",
      "Promise.allSettled(waits).then((o) => console.log(o.filter((x) => x.status === 'rejected').length));",
    ].join("\n");
    const run = spawnSync(process.execPath, ["--import", "tsx", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(run.stdout.trim()).toBe("100");
    expect(run.stderr).not.toContain("MaxListenersExceededWarning");
  });

  it("sends requests through the transport it is given", async () => {
    const built: string[] = [];
    const sent: string[] = [];
    const api = new FingerprintLibraryCore({
      env: { ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" },
      clock: new FakeClock(),
      random: () => 0.5,
      logSink: () => undefined,
      transport: (options) => {
        built.push(options.endpoint);
        return {
          endpointHost: new URL(options.endpoint).host,
          call: async (action) => {
            sent.push(action);
            return {
              RequestId: "r-1",
              FpShotDB: { FpDBId: "0123456789abcdef0123456789abcdef", Status: "active" },
            };
          },
        };
      },
    });
    api.configure({ get: (key) => STATIC_KEYS[key] });
    const { inputs } = await api.check({ resourceName: "lib" });
    const created = await api.create(inputs);
    expect(built).toEqual(["http://127.0.0.1:1"]);
    expect(sent).toEqual(["CreateFpShotDB"]);
    expect(created.id).toBe("0123456789abcdef0123456789abcdef");
  });

  it("after cancel, even one asked before configure, starts no write: a create is refused before sending", async () => {
    const api = core();
    api.cancel();
    api.configure({ get: (key) => STATIC_KEYS[key] });
    const { inputs } = await api.check({ resourceName: "lib" });
    await expect(api.create(inputs)).rejects.toThrow(
      "MPS CreateFpShotDB was not sent: the operation was cancelled. Nothing was changed by it; run the operation again.",
    );
  });
});
