/**
 * A typed client for one process of Pulumi's real dynamic-provider host, spoken to over real gRPC with the
 * requests the Pulumi engine sends.
 */
import * as crypto from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { Any } from "google-protobuf/google/protobuf/any_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provider from "@pulumi/pulumi/proto/provider_pb";
import { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import { Status } from "@pulumi/pulumi/proto/status_pb";
import { HostCallError, ResourceInitError } from "./errors";
import { startFakeEngine, type EngineLogRecord, type FakeEngine } from "./fake-engine";
import { spawnHost, type HostExit, type HostLine, type HostProcess, type HostStream } from "./host-process";
import { readProjectName } from "./project";
import { parseUrn } from "./urn";
import { fromStruct, toStruct, wrapSecret, type Props } from "./wire";

export { HostCallError, ResourceInitError } from "./errors";
export type { Props } from "./wire";

/** Deadline for the calls that should answer quickly (GetPluginInfo, Configure, Check, Diff, Read). */
export const DEFAULT_CALL_DEADLINE_MS = 60_000;

/**
 * How long the host may take to print its port. It loads the whole SDK first (about 1 s on an idle machine), but
 * on a 2-CPU runner busy with several test files it has taken over 30 s; this only guards against a hung host.
 */
export const DEFAULT_START_TIMEOUT_MS = 120_000;

/** How to launch a provider host. */
export interface HostOptions {
  /** The Pulumi program folder: the host resolves the serialized providers' `require()`s from here. */
  cwd: string;
  /** Extra environment for the host process. */
  env?: NodeJS.ProcessEnv;
  /** Sees every host output line after the port line. */
  onLine?: (stream: HostStream, line: string) => void;
  /** Sees every `Engine.Log` call the provider code makes against the fake engine. */
  onEngineLog?: (record: EngineLogRecord) => void;
  /** Project name for PULUMI_NODEJS_PROJECT (default: `name` in cwd/Pulumi.yaml, else the folder name). */
  project?: string;
  /** Stack name used in the default provider's URN (default `dev`). */
  stack?: string;
  /** Deadline of the quick calls, in ms (default {@link DEFAULT_CALL_DEADLINE_MS}). */
  callDeadlineMs?: number;
  /** How long to wait for the port, in ms (default {@link DEFAULT_START_TIMEOUT_MS}). */
  startTimeoutMs?: number;
}

/** A Diff answer. `unknown` means the provider has no `diff()` (or did not decide): the engine compares inputs. */
export interface DiffResult {
  changes: "none" | "some" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/** A Check answer: the checked inputs (with `__provider`) and validation failures. */
export interface CheckResult {
  inputs: Props;
  failures: { property: string; reason: string }[];
}

/** Options of the calls that may legitimately run for as long as a cloud job takes. */
export interface LongCallOptions {
  /** Sent as the request's `timeout` (the engine sends customTimeouts here; dynamic providers never see it). */
  timeoutSeconds?: number;
  /** Sent as the request's `preview` flag (Create/Update only). */
  preview?: boolean;
  /** A client-side deadline in ms. Default none: the call ends when the provider answers or the host dies. */
  deadlineMs?: number;
}

/** A running provider host and a gRPC channel to it. */
export interface ProviderHost {
  readonly pid: number;
  /** Every captured host output line (stdout and stderr, after the port line). */
  readonly lines: HostLine[];
  /** Every `Engine.Log` call the provider code made against the fake engine. */
  readonly engineLogs: EngineLogRecord[];
  /** The fake engine's address, as passed to the host. */
  readonly engineAddress: string;
  /** Set once the host process has exited. */
  readonly exit: HostExit | undefined;
  getPluginInfo(): Promise<string>;
  /** Sends the full namespaced stack config; values of `secretKeys` travel wrapped as secrets. */
  configure(config: Record<string, string>, secretKeys?: string[]): Promise<void>;
  check(urn: string, olds: Props, news: Props): Promise<CheckResult>;
  diff(
    urn: string,
    id: string,
    olds: Props,
    news: Props,
    oldInputs: Props,
    ignoreChanges?: string[],
  ): Promise<DiffResult>;
  create(urn: string, props: Props, opts?: LongCallOptions): Promise<{ id: string; properties: Props }>;
  read(
    urn: string,
    id: string,
    props: Props,
    inputs: Props,
  ): Promise<{ id: string; properties: Props; inputs?: Props }>;
  update(
    urn: string,
    id: string,
    olds: Props,
    news: Props,
    oldInputs: Props,
    opts?: LongCallOptions,
  ): Promise<{ properties: Props }>;
  delete(urn: string, id: string, props: Props, oldInputs: Props, opts?: LongCallOptions): Promise<void>;
  /** Sends a signal to the host process (default SIGKILL), e.g. to simulate an interrupted run. */
  kill(signal?: NodeJS.Signals): void;
  /** Closes the channel, stops the host and the fake engine. Pending calls are rejected. Idempotent. */
  close(): Promise<void>;
}

/** Starts a host (about 1 s) and connects to it. Close it with {@link ProviderHost.close}. */
export async function startProviderHost(o: HostOptions): Promise<ProviderHost> {
  const engine = await startFakeEngine(o.onEngineLog);
  let proc: HostProcess;
  try {
    proc = await spawnHost({
      cwd: o.cwd,
      env: o.env,
      engineAddress: engine.address,
      project: o.project,
      startTimeoutMs: o.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      onLine: o.onLine,
    });
  } catch (err) {
    await engine.close();
    throw err;
  }
  return new HostClient(proc, engine, o);
}

type Callback<Res> = (err: grpc.ServiceError | null, res: Res) => void;
type Unary<Req, Res> = (
  req: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: Callback<Res>,
) => grpc.ClientUnaryCall;

interface Pending {
  method: string;
  call?: grpc.ClientUnaryCall;
  reject: (err: Error) => void;
}

/** How long a call that lost its connection waits for the host's exit event before failing on its own. */
const EXIT_GRACE_MS = 500;
const INIT_FAILED_TYPE = "pulumirpc.ErrorResourceInitFailed";
const DIFF_CHANGES: Record<number, DiffResult["changes"]> = {
  [provider.DiffResponse.DiffChanges.DIFF_NONE]: "none",
  [provider.DiffResponse.DiffChanges.DIFF_SOME]: "some",
};

class HostClient implements ProviderHost {
  private readonly client: ResourceProviderClient;
  private readonly pending = new Set<Pending>();
  private readonly deadlineMs: number;
  private readonly project: string;
  private readonly stack: string;
  private closed: Promise<void> | undefined;

  constructor(
    private readonly proc: HostProcess,
    private readonly engine: FakeEngine,
    o: HostOptions,
  ) {
    this.deadlineMs = o.callDeadlineMs ?? DEFAULT_CALL_DEADLINE_MS;
    this.project = o.project ?? readProjectName(o.cwd);
    this.stack = o.stack ?? "dev";
    this.client = new ResourceProviderClient(`127.0.0.1:${proc.port}`, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": 1 << 30,
      "grpc.max_send_message_length": 1 << 30,
    });
    // The engine notices a dead plugin through its broken connection; waiting for a gRPC timeout would stall a
    // Create for its whole deadline, so every pending call fails as soon as the process is gone.
    void proc.exited.then((exit) => {
      const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
      for (const p of [...this.pending]) {
        p.call?.cancel();
        p.reject(
          new HostCallError(
            p.method,
            grpc.status.UNAVAILABLE,
            `provider host (pid ${this.pid}) exited with ${how} while ${p.method} was pending`,
          ),
        );
      }
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.proc.child.pid ?? -1;
  }
  get lines(): HostLine[] {
    return this.proc.lines;
  }
  get engineLogs(): EngineLogRecord[] {
    return this.engine.logs;
  }
  get engineAddress(): string {
    return this.engine.address;
  }
  get exit(): HostExit | undefined {
    return this.proc.exit;
  }

  async getPluginInfo(): Promise<string> {
    const res = await this.call<Empty, PluginInfo>(
      "GetPluginInfo",
      this.client.getPluginInfo.bind(this.client),
      new Empty(),
      this.deadlineMs,
    );
    return res.getVersion();
  }

  async configure(config: Record<string, string>, secretKeys: string[] = []): Promise<void> {
    const secret = new Set(secretKeys);
    const args: Props = {};
    const req = new provider.ConfigureRequest();
    for (const [key, value] of Object.entries(config)) {
      args[key] = secret.has(key) ? wrapSecret(value) : value;
      req.getVariablesMap().set(legacyConfigKey(key), value);
    }
    req.setArgs(toStruct(args));
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    req.setSendsOldInputs(true);
    req.setSendsOldInputsToDelete(true);
    req.setUrn(`urn:pulumi:${this.stack}::${this.project}::pulumi:providers:pulumi-nodejs::default`);
    req.setName("default");
    req.setType("pulumi:providers:pulumi-nodejs");
    await this.call("Configure", this.client.configure.bind(this.client), req, this.deadlineMs);
  }

  async check(urn: string, olds: Props, news: Props): Promise<CheckResult> {
    const req = new provider.CheckRequest();
    setIdentity(req, urn);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    req.setRandomseed(crypto.randomBytes(32));
    const res = await this.call("Check", this.client.check.bind(this.client), req, this.deadlineMs);
    return {
      inputs: fromStruct(res.getInputs()),
      failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(
    urn: string,
    id: string,
    olds: Props,
    news: Props,
    oldInputs: Props,
    ignoreChanges: string[] = [],
  ): Promise<DiffResult> {
    const req = new provider.DiffRequest();
    setIdentity(req, urn);
    req.setId(id);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    req.setOldInputs(toStruct(oldInputs));
    req.setIgnorechangesList(ignoreChanges);
    const res = await this.call("Diff", this.client.diff.bind(this.client), req, this.deadlineMs);
    return {
      changes: DIFF_CHANGES[res.getChanges()] ?? "unknown",
      replaces: res.getReplacesList(),
      deleteBeforeReplace: res.getDeletebeforereplace(),
    };
  }

  async create(
    urn: string,
    props: Props,
    opts: LongCallOptions = {},
  ): Promise<{ id: string; properties: Props }> {
    const req = new provider.CreateRequest();
    setIdentity(req, urn);
    req.setProperties(toStruct(props));
    req.setTimeout(opts.timeoutSeconds ?? 0);
    req.setPreview(opts.preview ?? false);
    const res = await this.call("Create", this.client.create.bind(this.client), req, opts.deadlineMs);
    return { id: res.getId(), properties: fromStruct(res.getProperties()) };
  }

  async read(
    urn: string,
    id: string,
    props: Props,
    inputs: Props,
  ): Promise<{ id: string; properties: Props; inputs?: Props }> {
    const req = new provider.ReadRequest();
    setIdentity(req, urn);
    req.setId(id);
    req.setProperties(toStruct(props));
    req.setInputs(toStruct(inputs));
    const res = await this.call("Read", this.client.read.bind(this.client), req, this.deadlineMs);
    const out: { id: string; properties: Props; inputs?: Props } = {
      id: res.getId(),
      properties: fromStruct(res.getProperties()),
    };
    if (res.hasInputs()) out.inputs = fromStruct(res.getInputs());
    return out;
  }

  async update(
    urn: string,
    id: string,
    olds: Props,
    news: Props,
    oldInputs: Props,
    opts: LongCallOptions = {},
  ): Promise<{ properties: Props }> {
    const req = new provider.UpdateRequest();
    setIdentity(req, urn);
    req.setId(id);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    req.setOldInputs(toStruct(oldInputs));
    req.setTimeout(opts.timeoutSeconds ?? 0);
    req.setPreview(opts.preview ?? false);
    const res = await this.call("Update", this.client.update.bind(this.client), req, opts.deadlineMs);
    return { properties: fromStruct(res.getProperties()) };
  }

  async delete(
    urn: string,
    id: string,
    props: Props,
    oldInputs: Props,
    opts: LongCallOptions = {},
  ): Promise<void> {
    const req = new provider.DeleteRequest();
    setIdentity(req, urn);
    req.setId(id);
    req.setProperties(toStruct(props));
    req.setOldInputs(toStruct(oldInputs));
    req.setTimeout(opts.timeoutSeconds ?? 0);
    await this.call("Delete", this.client.delete.bind(this.client), req, opts.deadlineMs);
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    this.proc.child.kill(signal);
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      this.client.close();
      if (!this.proc.exit) {
        this.proc.child.kill("SIGTERM");
        const timer = setTimeout(() => this.proc.child.kill("SIGKILL"), 2000);
        await this.proc.exited;
        clearTimeout(timer);
      }
      await this.engine.close();
    })();
    return this.closed;
  }

  private call<Req, Res>(method: string, fn: Unary<Req, Res>, req: Req, deadlineMs?: number): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      if (this.proc.exit) {
        reject(
          new HostCallError(
            method,
            grpc.status.UNAVAILABLE,
            `provider host (pid ${this.pid}) is not running`,
          ),
        );
        return;
      }
      const pending: Pending = { method, reject };
      this.pending.add(pending);
      const options: Partial<grpc.CallOptions> = deadlineMs ? { deadline: Date.now() + deadlineMs } : {};
      pending.call = fn(req, new grpc.Metadata(), options, (err, res) => {
        if (!err) {
          if (this.pending.delete(pending)) resolve(res);
          return;
        }
        if (err.code !== grpc.status.UNAVAILABLE) {
          if (this.pending.delete(pending)) reject(decodeError(method, err));
          return;
        }
        // A dropped connection usually means the process died; give the exit event a moment to arrive so the
        // error says so (the exit handler then rejects this call) instead of gRPC's bare "Connection dropped".
        const timer = setTimeout(() => {
          if (this.pending.delete(pending)) reject(decodeError(method, err));
        }, EXIT_GRACE_MS);
        void this.proc.exited.then(() => clearTimeout(timer));
      });
    });
  }
}

interface HasIdentity {
  setUrn(v: string): unknown;
  setName(v: string): unknown;
  setType(v: string): unknown;
}

function setIdentity(req: HasIdentity, urn: string): void {
  const parsed = parseUrn(urn);
  req.setUrn(urn);
  req.setName(parsed.name);
  req.setType(parsed.type);
}

/** `alicloud:region` becomes `alicloud:config:region`, the legacy `variables` form the engine also sends. */
function legacyConfigKey(key: string): string {
  const i = key.indexOf(":");
  return i < 0 ? key : `${key.slice(0, i)}:config:${key.slice(i + 1)}`;
}

/** Turns a gRPC error into a ResourceInitError (when it carries ErrorResourceInitFailed) or a HostCallError. */
function decodeError(method: string, err: grpc.ServiceError): Error {
  const details = err.details ?? err.message;
  const bin = err.metadata?.get("grpc-status-details-bin")[0];
  if (bin) {
    const status = Status.deserializeBinary(typeof bin === "string" ? Buffer.from(bin, "base64") : bin);
    for (const any of status.getDetailsList() as Any[]) {
      if (any.getTypeName() !== INIT_FAILED_TYPE) continue;
      const failed = provider.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
      return new ResourceInitError(
        method,
        details,
        failed.getId(),
        fromStruct(failed.getProperties()),
        failed.getReasonsList(),
      );
    }
  }
  return new HostCallError(method, err.code, details);
}
