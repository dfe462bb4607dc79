/**
 * A stand-in engine that can be killed: run as its own process (`node --import tsx orphan-parent.ts`), it starts
 * a fake Engine service, spawns Pulumi's real dynamic-provider host as its child (stdout/stderr piped to itself,
 * as the CLI does), and drives it over gRPC: Configure, Check, then Create or Delete. A test kills this process
 * with SIGKILL mid-operation; the host is then an orphan whose engine, gRPC client and output reader are gone at
 * once, exactly as after a killed `pulumi up`.
 *
 * It does not use the harness's host launcher on purpose: whatever the harness does to take its hosts along
 * when it dies must not be what makes the host exit in a test of the provider's own engine watch.
 *
 * Input: one JSON line on stdin, {@link OrphanParentRequest}. Output: JSON lines, {@link OrphanParentEvent}.
 */
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import * as grpc from "@grpc/grpc-js";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/provider_pb";
import { startFakeEngine } from "../../harness/fake-engine";
import { resolvePulumiSdk } from "../../harness/project";
import { fromStruct, toStruct, wrapSecret, type Props } from "../../harness/wire";

/** What the parent is asked to do. */
export interface OrphanParentRequest {
  /** Folder the host runs in (resolves `pulumi-mps-fpdb/provider-impl`). */
  cwd: string;
  /** The host's environment. */
  env: NodeJS.ProcessEnv;
  project: string;
  /** Namespaced stack config; `secretKeys` travel as secrets. */
  config: Record<string, string>;
  secretKeys: string[];
  urn: string;
  /** Create: the raw inputs (with `__provider`), checked first. Delete: the state's inputs. */
  inputs: Props;
  operation: "create" | "delete";
  /**
   * Start the host through a `/bin/sh` script named `pulumi-resource-pulumi-nodejs`, as the Pulumi CLI does (its
   * plugin wrapper runs node without `exec`, so the host's parent is the shell, which outlives the engine).
   */
  wrapper?: boolean;
  /** Delete only: the resource's id and outputs. */
  id?: string;
  outputs?: Props;
}

/** One line of the parent's stdout. */
export type OrphanParentEvent =
  | { event: "host"; pid: number; port: number; wrapperPid?: number }
  | { event: "sent"; method: string }
  | { event: "line"; stream: "stdout" | "stderr"; line: string }
  | { event: "done"; method: string; id?: string; outputs?: Props }
  | { event: "failed"; method: string; message: string };

/** The stand-in for the CLI's `pulumi-resource-pulumi-nodejs` plugin wrapper. */
const WRAPPER = path.join(__dirname, "pulumi-resource-pulumi-nodejs");

/** Pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function emit(event: OrphanParentEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function unary<Req, Res>(
  fn: (
    req: Req,
    md: grpc.Metadata,
    opts: Partial<grpc.CallOptions>,
    cb: (e: grpc.ServiceError | null, r: Res) => void,
  ) => unknown,
  req: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    fn(req, new grpc.Metadata(), {}, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

function legacyConfigKey(key: string): string {
  const i = key.indexOf(":");
  return i < 0 ? key : `${key.slice(0, i)}:config:${key.slice(i + 1)}`;
}

function identify(
  req: { setUrn(u: string): unknown; setName(n: string): unknown; setType(t: string): unknown },
  urn: string,
) {
  const parts = urn.split("::");
  req.setUrn(urn);
  req.setName(parts[3]);
  req.setType(parts[2]);
}

async function main(request: OrphanParentRequest): Promise<void> {
  const engine = await startFakeEngine();
  const script = path.join(resolvePulumiSdk(request.cwd), "cmd", "dynamic-provider", "index.js");
  const env: NodeJS.ProcessEnv = {
    ...request.env,
    PULUMI_NODEJS_PROJECT: request.project,
    PULUMI_PROJECT: request.project,
    PULUMI_CONFIG: "{}",
  };
  delete env.PULUMI_NODEJS_ENGINE;
  const child = request.wrapper
    ? spawn("/bin/sh", [WRAPPER, script, engine.address], {
        cwd: request.cwd,
        env: { ...env, NODE_BINARY: process.execPath },
        stdio: ["ignore", "pipe", "pipe"],
      })
    : spawn(process.execPath, [script, engine.address], {
        cwd: request.cwd,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
  const port = await new Promise<number>((resolve, reject) => {
    let first = true;
    for (const stream of ["stdout", "stderr"] as const) {
      readline.createInterface({ input: child[stream]! }).on("line", (line) => {
        if (stream === "stdout" && first) {
          first = false;
          resolve(Number(line.trim()));
          return;
        }
        emit({ event: "line", stream, line });
      });
    }
    child.once("exit", (code) => reject(new Error(`host exited with ${code} before printing its port`)));
  });
  if (request.wrapper) {
    const host = childrenOf(child.pid!)[0];
    if (host === undefined) throw new Error("the plugin wrapper has no child process");
    emit({ event: "host", pid: host, port, wrapperPid: child.pid! });
  } else {
    emit({ event: "host", pid: child.pid!, port });
  }

  const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const configure = new proto.ConfigureRequest();
  const args: Props = {};
  for (const [key, value] of Object.entries(request.config)) {
    args[key] = request.secretKeys.includes(key) ? wrapSecret(value) : value;
    configure.getVariablesMap().set(legacyConfigKey(key), value);
  }
  configure.setArgs(toStruct(args));
  configure.setAcceptsecrets(true);
  configure.setAcceptresources(true);
  configure.setSendsOldInputs(true);
  configure.setSendsOldInputsToDelete(true);
  await unary(client.configure.bind(client), configure);

  if (request.operation === "create") {
    const check = new proto.CheckRequest();
    identify(check, request.urn);
    check.setOlds(toStruct({}));
    check.setNews(toStruct(request.inputs));
    check.setRandomseed(crypto.randomBytes(32));
    const checked = await unary(client.check.bind(client), check);
    const create = new proto.CreateRequest();
    identify(create, request.urn);
    create.setProperties(checked.getInputs()!);
    emit({ event: "sent", method: "Create" });
    try {
      const res = await unary(client.create.bind(client), create);
      emit({ event: "done", method: "Create", id: res.getId(), outputs: fromStruct(res.getProperties()) });
    } catch (err) {
      emit({ event: "failed", method: "Create", message: String((err as Error).message) });
    }
  } else {
    const del = new proto.DeleteRequest();
    identify(del, request.urn);
    del.setId(request.id ?? "");
    del.setProperties(toStruct(request.outputs ?? {}));
    del.setOldInputs(toStruct(request.inputs));
    emit({ event: "sent", method: "Delete" });
    try {
      await unary(client.delete.bind(client), del);
      emit({ event: "done", method: "Delete" });
    } catch (err) {
      emit({ event: "failed", method: "Delete", message: String((err as Error).message) });
    }
  }
}

if (require.main === module) {
  readline.createInterface({ input: process.stdin }).once("line", (line) => {
    main(JSON.parse(line) as OrphanParentRequest).catch((err: unknown) => {
      emit({ event: "failed", method: "setup", message: String((err as Error)?.stack ?? err) });
    });
  });
}
