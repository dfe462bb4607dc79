import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { EngineService } from "@pulumi/pulumi/proto/engine_grpc_pb";
import type { LogRequest } from "@pulumi/pulumi/proto/engine_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/provider_pb";
import { DEFAULT_ACCESS_KEY_SECRET, startEmulator, type RunningEmulator } from "../../emulator";
import { RESOURCE_TOKEN } from "../../plugin/package-schema";
import { firstLine } from "../support/child-output";
import { isAlive, killIfAlive } from "../support/orphan-host";
import { configureRequest, toStruct, unaryCall, urnOf } from "./support/plugin-fixture";

/**
 * The plugin as the engine runs it: a process started with the engine's address, printing its port first, sending
 * its lines to the engine's Log RPC, and ending once the process that started it is gone. Run from the compiled
 * plugin (host tier, after `npm run build`); the package's timing settings are milliseconds and the emulator's
 * durations short.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const MAIN = path.join(ROOT, "dist", "plugin", "main.js");

interface FakeEngine {
  address: string;
  logs: { message: string; urn: string; ephemeral: boolean }[];
  stop(): Promise<void>;
}

/** The engine's Log service, recording every line. */
async function fakeEngine(): Promise<FakeEngine> {
  const logs: FakeEngine["logs"] = [];
  const server = new grpc.Server();
  server.addService(EngineService, {
    log: (call: grpc.ServerUnaryCall<LogRequest, Empty>, callback: grpc.sendUnaryData<Empty>) => {
      const request = call.request;
      logs.push({ message: request.getMessage(), urn: request.getUrn(), ephemeral: request.getEphemeral() });
      callback(null, new Empty());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    logs,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

/** Resolves with the first stdout line of a child, or rejects with its stderr if it ends first. */
/** Polls until `check` holds; the test's own timeout bounds it. */
async function eventually(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** The compiled plugin as the engine starts it, with the engine's address; killed after each test. */
function startPlugin(): ChildProcess {
  const child = spawn(process.execPath, [MAIN, engine.address], {
    cwd: ROOT,
    env: { ...process.env, ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return child;
}

/** Configure as the engine does for the default provider, pointed at the emulator, polling every 10 ms. */
async function configure(client: ResourceProviderClient, extra: Record<string, unknown> = {}): Promise<void> {
  await unaryCall(client, "configure", configureRequest(emulator.endpoint, { pollIntervalMs: 10, ...extra }));
}

let emulator: RunningEmulator;
let engine: FakeEngine;
const children: ChildProcess[] = [];

beforeEach(async () => {
  emulator = await startEmulator({ activateSeconds: 0.05, jobSeconds: 0.1 });
  engine = await fakeEngine();
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  await engine.stop();
  await emulator.close();
});

it("prints its port first, serves the provider, and sends its lines to the engine with the resource's URN", async () => {
  const child = startPlugin();
  const port = await firstLine(child);
  expect(port).toMatch(/^\d+$/);
  const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    await configure(client, { progressIntervalMs: 10 });
    const check = new proto.CheckRequest();
    check.setUrn(urnOf("lib"));
    check.setType(RESOURCE_TOKEN);
    check.setNews(toStruct({}));
    const checked = await unaryCall<proto.CheckRequest, proto.CheckResponse>(client, "check", check);
    const create = new proto.CreateRequest();
    create.setUrn(urnOf("lib"));
    create.setProperties(checked.getInputs());
    const created = await unaryCall<proto.CreateRequest, proto.CreateResponse>(client, "create", create);
    const id = created.getId();
    expect(created.getProperties()!.toJavaScript()).toMatchObject({ fpDbId: id, status: "active" });
    await eventually(() => engine.logs.some((l) => l.message.includes(`Created library ${id}`)));
    expect(engine.logs.find((l) => l.message.includes(`Created library ${id}`))).toMatchObject({
      urn: urnOf("lib"),
      ephemeral: false,
    });
    expect(engine.logs.find((l) => l.message.includes("Using MPS endpoint"))).toMatchObject({ urn: "" });
    expect(JSON.stringify(engine.logs)).not.toContain(DEFAULT_ACCESS_KEY_SECRET);
  } finally {
    client.close();
  }
});

it.each(["SIGINT", "SIGTERM"] as const)(
  "on %s (how the CLI closes a plugin) lets the write on the wire finish, starts none, and exits",
  async (signal) => {
    const child = startPlugin();
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const port = await firstLine(child);
    const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      await configure(client);
      const check = new proto.CheckRequest();
      check.setUrn(urnOf("lib"));
      check.setNews(toStruct({}));
      const checked = await unaryCall<proto.CheckRequest, proto.CheckResponse>(client, "check", check);
      // The create's answer is held back: the write is on the wire when the signal comes.
      emulator.admin.addFault({ type: "latency", action: "CreateFpShotDB", latencyMs: 2_000 });
      const create = new proto.CreateRequest();
      create.setUrn(urnOf("lib"));
      create.setProperties(checked.getInputs());
      void unaryCall(client, "create", create).catch(() => undefined);
      await eventually(() => emulator.admin.state().libraries.length === 1);
      child.kill(signal);
      await eventually(() =>
        engine.logs.some((l) => l.message.includes(`${signal}: no new request to MPS starts`)),
      );
      // Handled, and still there: the create's answer has not come back yet.
      expect(child.exitCode).toBeNull();
      expect(await exited).toBe(0);
      // The write ended before the process did, and nothing else was sent: no wait, no second write.
      const [library] = emulator.admin.state().libraries;
      expect(library.name).toBe("lib");
      expect(emulator.admin.counts().byAction.CreateFpShotDB?.total).toBe(1);
    } finally {
      client.close();
    }
  },
);

it("exits once the process that started it is gone", async () => {
  // A stand-in engine: a shell that starts the plugin, says its pid, and is then killed.
  const shell = spawn(
    "/bin/sh",
    ["-c", `"${process.execPath}" "${MAIN}" "${engine.address}" & echo "pid $!"; wait`],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(shell);
  const lines = readline.createInterface({ input: shell.stdout! });
  const seen: string[] = [];
  lines.on("line", (line) => seen.push(line));
  await eventually(() => seen.length >= 2);
  const pid = Number(seen.find((l) => l.startsWith("pid "))!.slice(4));
  expect(seen.some((l) => /^\d+$/.test(l))).toBe(true);
  try {
    expect(isAlive(pid)).toBe(true);
    shell.kill("SIGKILL");
    await eventually(() => !isAlive(pid));
  } finally {
    killIfAlive(pid);
  }
}, 30_000);
