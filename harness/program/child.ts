/**
 * The program process: runs a Pulumi program under a MockMonitor subclass and forwards every RegisterResource
 * and ReadResource to the engine over IPC, waiting for its answer so dependents get real outputs. Started by
 * run-program.ts as `node --require tsx/cjs child.ts`, so TypeScript is compiled as under `npx tsx` and module
 * values are in `require.cache` (the closure serializer depends on that).
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import type { Struct as StructType } from "google-protobuf/google/protobuf/struct_pb";
import type * as resproto from "@pulumi/pulumi/proto/resource_pb";
import type {
  AliasSpec,
  FromChild,
  ReadRegistration,
  Registration,
  RegistrationReply,
  ToChild,
} from "./protocol";
import type { Props } from "../wire";

type StartMessage = Extract<ToChild, { kind: "start" }>;
type Callback = (err: Error | null, response?: unknown) => void;
type MonitorCtor = new (mocks: object) => {
  resources: Map<string, { urn: string; id: string | null; state: unknown }>;
};

interface Sdk {
  MockMonitor: MonitorCtor;
  settings: {
    setMockOptions(monitor: object, project: string, stack: string, preview: boolean): void;
    waitForRPCs(): Promise<void>;
  };
  store: { supportsSecrets: boolean; supportsResourceReferences: boolean; supportsOutputValues: boolean };
  setAllConfig(config: Record<string, string>, secretKeys: string[]): void;
  runInPulumiStack(init: () => Promise<unknown>): Promise<unknown>;
  resourcePb: typeof resproto;
  Struct: typeof StructType;
}

const pending = new Map<number, { resolve: (r: RegistrationReply) => void; reject: (e: Error) => void }>();
const errors: string[] = [];
let seq = 0;

function send(message: FromChild): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send!(message, undefined, {}, (e) => (e ? reject(e) : resolve())),
  );
}

function ask(
  message:
    { kind: "register"; registration: Registration } | { kind: "read"; registration: ReadRegistration },
) {
  const id = ++seq;
  return new Promise<RegistrationReply>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    void send({ ...message, seq: id } as FromChild);
  });
}

function loadSdk(sdkDir: string): Sdk {
  const load = createRequire(path.join(sdkDir, "package.json"));
  const state = load("./runtime/state") as { getStore(): Sdk["store"] };
  return {
    MockMonitor: (load("./runtime/mocks") as { MockMonitor: MonitorCtor }).MockMonitor,
    settings: load("./runtime/settings") as Sdk["settings"],
    store: state.getStore(),
    setAllConfig: (load("./runtime/config") as Pick<Sdk, "setAllConfig">).setAllConfig,
    runInPulumiStack: (load("./runtime/stack") as Pick<Sdk, "runInPulumiStack">).runInPulumiStack,
    resourcePb: load("./proto/resource_pb") as typeof resproto,
    Struct: (load("google-protobuf/google/protobuf/struct_pb") as { Struct: typeof StructType }).Struct,
  };
}

function parseDurationSeconds(text: string): number | undefined {
  if (!text) return undefined;
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let matched = "";
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * units[m[2]];
    matched += m[0];
  }
  if (matched !== text)
    throw new Error(`customTimeouts value ${JSON.stringify(text)} is not a duration like "5m"`);
  return total;
}

function toRegistration(req: resproto.RegisterResourceRequest): Registration {
  const deps = new Set(req.getDependenciesList());
  req.getPropertydependenciesMap().forEach((d) => d.getUrnsList().forEach((u) => deps.add(u)));
  const timeouts = req.getCustomtimeouts();
  const reg: Registration = {
    type: req.getType(),
    name: req.getName(),
    custom: req.getCustom(),
    parent: req.getParent() || undefined,
    inputs: (req.getObject()?.toJavaScript() ?? {}) as Props,
    dependencies: [...deps],
    protect: req.getProtect(),
    retainOnDelete: req.getRetainondelete(),
    deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
    ignoreChanges: req.getIgnorechangesList(),
    replaceOnChanges: req.getReplaceonchangesList(),
    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    importId: req.getImportid() || undefined,
    provider: req.getProvider() || undefined,
    aliases: [
      ...req.getAliasesList().map((a): AliasSpec => {
        if (a.hasUrn()) return { urn: a.getUrn() };
        const spec = a.getSpec();
        return {
          name: spec?.getName() || undefined,
          type: spec?.getType() || undefined,
          stack: spec?.getStack() || undefined,
          project: spec?.getProject() || undefined,
          parentUrn: spec?.getParenturn() || undefined,
          noParent: spec?.getNoparent() || undefined,
        };
      }),
      ...req.getAliasurnsList().map((urn): AliasSpec => ({ urn })),
    ],
  };
  if (timeouts) {
    reg.customTimeouts = {
      create: parseDurationSeconds(timeouts.getCreate()),
      update: parseDurationSeconds(timeouts.getUpdate()),
      delete: parseDurationSeconds(timeouts.getDelete()),
    };
  }
  return reg;
}

function makeMonitor(sdk: Sdk, stackType: string): object {
  const { RegisterResourceResponse, ReadResourceResponse } = sdk.resourcePb;
  const toStruct = (p: Props) =>
    sdk.Struct.fromJavaScript(p as Parameters<typeof sdk.Struct.fromJavaScript>[0]);
  class HarnessMonitor extends sdk.MockMonitor {
    constructor() {
      super({
        call: ({ token }: { token: string }) => {
          throw new Error(`invoke ${token} is not supported by the engine harness`);
        },
        newResource: () => {
          throw new Error("unreachable: the harness monitor handles registrations itself");
        },
      });
    }
    async registerResource(req: resproto.RegisterResourceRequest, callback: Callback): Promise<void> {
      try {
        const reply = await ask({ kind: "register", registration: toRegistration(req) });
        this.resources.set(reply.urn, { urn: reply.urn, id: reply.id || null, state: reply.state });
        const res = new RegisterResourceResponse();
        res.setUrn(reply.urn);
        res.setId(reply.id);
        res.setObject(toStruct(reply.state));
        callback(null, res);
      } catch (err) {
        callback(err as Error);
      }
    }
    async readResource(req: resproto.ReadResourceRequest, callback: Callback): Promise<void> {
      try {
        const reply = await ask({
          kind: "read",
          registration: {
            type: req.getType(),
            name: req.getName(),
            id: req.getId(),
            parent: req.getParent() || undefined,
            inputs: (req.getProperties()?.toJavaScript() ?? {}) as Props,
            dependencies: req.getDependenciesList(),
          },
        });
        this.resources.set(reply.urn, { urn: reply.urn, id: reply.id || null, state: reply.state });
        const res = new ReadResourceResponse();
        res.setUrn(reply.urn);
        res.setProperties(toStruct(reply.state));
        callback(null, res);
      } catch (err) {
        callback(err as Error);
      }
    }
    registerResourceOutputs(req: resproto.RegisterResourceOutputsRequest, callback: Callback): void {
      if (req.getUrn().split("::")[2] === stackType) {
        void send({ kind: "stack-outputs", outputs: (req.getOutputs()?.toJavaScript() ?? {}) as Props });
      }
      callback(null, {});
    }
  }
  return new HarnessMonitor();
}

function recordError(err: unknown): void {
  const text = err instanceof Error ? err.message : String(err);
  if (!errors.includes(text)) errors.push(text);
}

async function run(start: StartMessage): Promise<void> {
  const sdk = loadSdk(start.sdkDir);
  sdk.settings.setMockOptions(
    makeMonitor(sdk, "pulumi:pulumi:Stack"),
    start.project,
    start.stack,
    start.preview,
  );
  sdk.store.supportsSecrets = true;
  sdk.store.supportsResourceReferences = false;
  sdk.store.supportsOutputValues = false;
  sdk.setAllConfig(start.config, start.secretKeys);
  const load = createRequire(start.entry);
  try {
    await sdk.runInPulumiStack(async () => {
      let exported = load(start.entry) as unknown;
      const mod = exported as Record<string, unknown>;
      if (mod && Object.getOwnPropertyDescriptor(mod, "default") !== undefined) {
        if (Object.keys(mod).filter((k) => k !== "__esModule").length !== 1) {
          throw new Error(
            "expected entrypoint module to have either a default export or named exports but not both",
          );
        }
        exported = mod.default;
      }
      return exported instanceof Function ? await (exported as () => unknown)() : exported;
    });
  } catch (err) {
    recordError(err);
  }
  try {
    await sdk.settings.waitForRPCs();
  } catch (err) {
    recordError(err);
  }
}

// Without the engine there is nobody to answer registrations: end instead of hanging as an orphan.
process.on("disconnect", () => process.exit(1));
process.on("uncaughtException", recordError);
process.on("unhandledRejection", recordError);
process.on("message", (message: ToChild) => {
  if (message.kind === "start") {
    void run(message).then(async () => {
      await send({ kind: "done", errors });
      process.exit(0);
    });
    return;
  }
  const waiter = pending.get(message.seq);
  pending.delete(message.seq);
  if (!waiter) return;
  if (message.ok) waiter.resolve(message.reply);
  else waiter.reject(new Error(message.message));
});
