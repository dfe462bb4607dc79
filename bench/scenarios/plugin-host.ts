/**
 * `plugin-host`: how long each front end's provider process takes to start, and what memory it holds once
 * configured, the way the CLI launches each one: `dist/plugin-package/pulumi-resource-mps-fpdb` (a shell script
 * that execs Node.js on the plugin's bundle) against `pulumi-resource-pulumi-nodejs`, the CLI's launcher of
 * Pulumi's dynamic provider host (`@pulumi/pulumi/cmd/dynamic-provider`, found by a `node -e require.resolve(...)`
 * first, as the CLI's script does). Each is started with the address of a stand-in engine (harness/fake-engine.ts),
 * in its own process group, alternately, {@link SAMPLES} times:
 *
 * - `startMs`: from spawn to the port line on stdout (what the CLI waits for before its first call);
 * - `configureMs`: the Configure call the engine makes first (the default provider's settings for the plugin;
 *   none for the dynamic host, whose settings ride in each resource's serialized provider);
 * - `rssMb`: resident memory of the process and its children (VmRSS from /proc) after Configure, at idle.
 *
 * The dynamic host loads the provider's code only at its first resource call, when it deserializes the provider
 * from the resource's state; this scenario's figures are before any such call. The peak memory during a bulk
 * operation is in the `plugin` scenario's lines (`providerPeakRssMb`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/provider_pb";
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from "../../emulator";
import { startFakeEngine } from "../../harness/fake-engine";
import { secret } from "../../plugin/properties";
import type { BenchContext } from "../context";
import { emit, progress, round } from "../report";
import { cleanEnv } from "../stacks";
import { CLI_DIR, cliStatus, PLUGIN_DIR } from "../../test/real-engine/support/cli";
import { median } from "./plugin-figures";
import { pluginCopy, type FrontEnd } from "./plugin";

/** Starts per front end; the medians are over these. */
export const SAMPLES = 7;
/** Time to settle after Configure before memory is read, so the figure is the idle process's. */
const SETTLE_MS = 300;
const START_TIMEOUT_MS = 60_000;
/** A folder from which `require.resolve('@pulumi/pulumi/...')` finds the repository's SDK, as a program's does. */
const PROGRAM_DIR = path.join(__dirname, "..", "programs", "libraries");

interface Sample {
  startMs: number;
  configureMs: number;
  rssMb: number;
}

export async function runPluginHostScenario(ctx: BenchContext): Promise<void> {
  const dynamicLauncher = path.join(CLI_DIR, "pulumi-resource-pulumi-nodejs");
  const status = cliStatus();
  const reason = !status.ok
    ? status.reason
    : !fs.existsSync(path.join(PLUGIN_DIR, "pulumi-resource-mps-fpdb"))
      ? "the packaged plugin is missing: run npm run build"
      : undefined;
  if (reason) {
    progress(`plugin-host: skipped: ${reason}`);
    emit({ scenario: "plugin-host", skipped: reason });
    return;
  }
  const launchers: Record<FrontEnd, string> = {
    dynamic: dynamicLauncher,
    plugin: path.join(pluginCopy(ctx.work), "pulumi-resource-mps-fpdb"),
  };
  const engine = await startFakeEngine();
  const samples: Record<FrontEnd, Sample[]> = { dynamic: [], plugin: [] };
  try {
    progress(`plugin-host: ${SAMPLES} starts of each provider process, alternately`);
    for (let i = 0; i < SAMPLES; i++) {
      for (const frontEnd of ["plugin", "dynamic"] as const) {
        samples[frontEnd].push(await sample(frontEnd, launchers[frontEnd], engine.address, ctx));
      }
    }
  } finally {
    await engine.close();
  }
  for (const frontEnd of ["dynamic", "plugin"] as const) {
    const list = samples[frontEnd];
    emit({
      scenario: "plugin-host",
      frontEnd,
      launcher: path.basename(launchers[frontEnd]),
      samples: list.length,
      startMsMedian: round(median(list.map((s) => s.startMs)), 0),
      startMsRange: [
        round(Math.min(...list.map((s) => s.startMs)), 0),
        round(Math.max(...list.map((s) => s.startMs)), 0),
      ],
      configureMsMedian: round(median(list.map((s) => s.configureMs)), 1),
      rssMbMedian: round(median(list.map((s) => s.rssMb)), 1),
      rssMbRange: [
        round(Math.min(...list.map((s) => s.rssMb)), 1),
        round(Math.max(...list.map((s) => s.rssMb)), 1),
      ],
    });
  }
}

async function sample(
  frontEnd: FrontEnd,
  launcher: string,
  engineAddress: string,
  ctx: BenchContext,
): Promise<Sample> {
  const started = performance.now();
  const child = spawn(launcher, [engineAddress], {
    cwd: PROGRAM_DIR,
    env: cleanEnv(),
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  try {
    const port = await portLine(child);
    const startMs = performance.now() - started;
    const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      const configureStarted = performance.now();
      await configure(client, configureRequest(frontEnd, ctx));
      const configureMs = performance.now() - configureStarted;
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      return { startMs, configureMs, rssMb: treeRssKb(child.pid ?? 0) / 1024 };
    } finally {
      client.close();
    }
  } finally {
    // The process group: the CLI's dynamic launcher is a shell whose Node.js child would outlive it.
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise((resolve) => child.once("close", resolve));
    }
  }
}

/** Configure as the engine sends it: the plugin gets the default provider's settings, the dynamic host none. */
function configureRequest(frontEnd: FrontEnd, ctx: BenchContext): proto.ConfigureRequest {
  const request = new proto.ConfigureRequest();
  request.setAcceptsecrets(true);
  request.setAcceptresources(true);
  // The engine always sends args (empty for the dynamic host, which throws without them and never answers).
  const args: Record<string, unknown> =
    frontEnd === "plugin"
      ? {
          region: ctx.emulator.region,
          accessKey: DEFAULT_ACCESS_KEY_ID,
          secretKey: secret(DEFAULT_ACCESS_KEY_SECRET),
          endpoint: ctx.emulator.endpoint,
        }
      : {};
  request.setArgs(Struct.fromJavaScript(args as Record<string, JavaScriptValue>));
  return request;
}

function configure(client: ResourceProviderClient, request: proto.ConfigureRequest): Promise<void> {
  return new Promise((resolve, reject) =>
    client.configure(request, new grpc.Metadata(), { deadline: Date.now() + START_TIMEOUT_MS }, (err) =>
      err ? reject(err) : resolve(),
    ),
  );
}

/** Resolves with the port the process prints first on stdout. */
function portLine(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(
      () => reject(new Error(`no port line within ${START_TIMEOUT_MS} ms: ${err}`)),
      START_TIMEOUT_MS,
    );
    child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      const port = Number(out.slice(0, nl).trim());
      if (Number.isInteger(port) && port > 0) resolve(port);
      else reject(new Error(`printed ${JSON.stringify(out.slice(0, nl))} instead of a port`));
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before its port line: ${err}`));
    });
  });
}

/** VmRSS of `pid` and every descendant, in kB (a shell launcher's child holds the memory). */
function treeRssKb(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    try {
      const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${next}/status`, "utf8"));
      if (rss) total += Number(rss[1]);
    } catch {
      // gone meanwhile
    }
    queue.push(...(children.get(next) ?? []));
  }
  return total;
}
