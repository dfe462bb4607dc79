/**
 * The `ResourceProvider` gRPC service of `pulumi-resource-mps-fpdb`: the provider plugin's adapter over the core's
 * API (core/api.ts). It translates messages (Structs, secrets, unknowns, the URN, the engine's timeout and
 * preview flags) and errors; what a resource does is decided by the core, as for the dynamic provider.
 */
import * as grpc from "@grpc/grpc-js";
import { Any } from "google-protobuf/google/protobuf/any_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import { ResourceProviderService } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/provider_pb";
import { Status } from "@pulumi/pulumi/proto/status_pb";
import { LogSeverity } from "@pulumi/pulumi/proto/engine_pb";
import { FingerprintLibraryCore, ResourceInitFailure, type CallOptions, type Props } from "../core/api";
import type { Clock, Random } from "../core/clock";
import type { TransportFactory } from "../core/client/transport";
import { resolveSettings } from "../core/config/settings";
import { SCHEMA } from "../core/schema";
import {
  configFromRequest,
  configSource,
  inPluginTerms,
  unknownConfigKeys,
  type ProviderConfig,
} from "./config";
import { processSink, resourceSinks, type EngineLog } from "./log";
import { packageSchema, RESOURCE_TOKEN } from "./package-schema";
import { fromStruct, markSecret, reveal, toStruct, unwrap } from "./properties";

/** What the service is built from; tests pass a fake clock and their own environment. */
export interface ServerOptions {
  /** The plugin's version (GetPluginInfo, GetSchema). */
  version: string;
  /** Lines to the engine (plugin/log.ts). */
  log: EngineLog;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  random?: Random;
  /** How requests reach MPS (default: the openapi-client transport); benchmarks pass their own. */
  transport?: TransportFactory;
}

/** The logical name in a URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export function nameOfUrn(urn: string): string {
  const at = urn.lastIndexOf("::");
  return at < 0 ? urn : urn.slice(at + 2);
}

type Handler<Req, Res> = grpc.handleUnaryCall<Req, Res>;

/** The service's handlers, around one core. */
export class ProviderService {
  readonly core: FingerprintLibraryCore;
  private config: ProviderConfig = { values: {}, secretKeys: new Set() };
  private readonly env: NodeJS.ProcessEnv;
  /** Lines to the engine, in the plugin's terms. */
  private readonly send: EngineLog;

  constructor(private readonly options: ServerOptions) {
    this.env = options.env ?? process.env;
    this.send = (line) => options.log({ ...line, message: inPluginTerms(line.message) });
    this.core = new FingerprintLibraryCore({
      env: this.env,
      clock: options.clock,
      random: options.random,
      logSink: processSink(this.send),
      transport: options.transport,
    });
  }

  /** The process was asked to end: as Cancel, said once on the stack's row. */
  interrupted(signal: string): void {
    this.core.cancel();
    this.send({
      severity: LogSeverity.INFO,
      message: `[mps-fpdb] ${signal}: no new request to MPS starts; the plugin ends once none is on the wire`,
      urn: "",
      ephemeral: false,
    });
  }

  /** The handlers by method name, for `grpc.Server.addService`; methods left out answer UNIMPLEMENTED. */
  implementation(): grpc.UntypedServiceImplementation {
    return {
      getPluginInfo: unary(async () => new PluginInfo().setVersion(this.options.version)),
      getSchema: unary(async () =>
        new proto.GetSchemaResponse().setSchema(JSON.stringify(packageSchema(this.options.version))),
      ),
      checkConfig: unary((req: proto.CheckRequest) => this.checkConfig(req)),
      diffConfig: unary((req: proto.DiffRequest) => this.diffConfig(req)),
      configure: unary((req: proto.ConfigureRequest) => this.configure(req)),
      check: unary((req: proto.CheckRequest) => this.check(req)),
      diff: unary((req: proto.DiffRequest) => this.diff(req)),
      create: unary((req: proto.CreateRequest, call) => this.create(req, call)),
      read: unary((req: proto.ReadRequest, call) => this.read(req, call)),
      update: unary((req: proto.UpdateRequest, call) => this.update(req, call)),
      delete: unary((req: proto.DeleteRequest, call) => this.delete(req, call)),
      cancel: unary(async () => {
        this.core.cancel();
        return new Empty();
      }),
    };
  }

  private async checkConfig(req: proto.CheckRequest): Promise<proto.CheckResponse> {
    const news = fromStruct(req.getNews()) ?? {};
    const failures = unknownConfigKeys(Object.keys(news));
    const config = configFromRequest(news, [], {});
    try {
      resolveSettings(configSource(config), this.env);
    } catch (err) {
      failures.push({ property: "", reason: (err as Error).message });
    }
    const response = new proto.CheckResponse().setInputs(toStruct(news));
    response.setFailuresList(failures.map(checkFailure));
    return response;
  }

  private async diffConfig(req: proto.DiffRequest): Promise<proto.DiffResponse> {
    const olds = reveal(fromStruct(req.getOldInputs()) ?? fromStruct(req.getOlds()) ?? {}) as Props;
    const news = reveal(fromStruct(req.getNews()) ?? {}) as Props;
    const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
    keys.delete("version");
    const changed = [...keys].filter((key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key]));
    const response = new proto.DiffResponse();
    response.setChanges(
      changed.length > 0
        ? proto.DiffResponse.DiffChanges.DIFF_SOME
        : proto.DiffResponse.DiffChanges.DIFF_NONE,
    );
    response.setDiffsList(changed);
    return response;
  }

  private async configure(req: proto.ConfigureRequest): Promise<proto.ConfigureResponse> {
    const args = req.hasArgs() ? fromStruct(req.getArgs()) : undefined;
    this.config = configFromRequest(
      args,
      req.getVariablesMap().entries() as Iterable<[string, string]>,
      this.env,
    );
    this.core.configure(configSource(this.config));
    return new proto.ConfigureResponse()
      .setAcceptsecrets(true)
      .setSupportspreview(true)
      .setAcceptresources(false)
      .setAcceptoutputs(false);
  }

  private async check(req: proto.CheckRequest): Promise<proto.CheckResponse> {
    const urn = req.getUrn();
    checkType(urn, req.getType());
    const { plain, secretKeys } = unwrap(fromStruct(req.getNews()) ?? {});
    // The logical name the dynamic resource class passes as an input comes from the URN here.
    plain.resourceName = req.getName() || nameOfUrn(urn);
    const endpointType = this.config.values.endpointType;
    if (plain.endpointType === undefined && endpointType !== undefined) plain.endpointType = endpointType;
    const { inputs, failures } = await this.core.check(plain, { log: this.sinks(urn).log });
    const response = new proto.CheckResponse().setInputs(toStruct(markSecret(inputs, secretKeys)));
    response.setFailuresList(failures.map(checkFailure));
    return response;
  }

  private async diff(req: proto.DiffRequest): Promise<proto.DiffResponse> {
    checkType(req.getUrn(), req.getType());
    const olds = unwrap(fromStruct(req.getOlds()) ?? {}).plain;
    const news = unwrap(fromStruct(req.getNews()) ?? {}).plain;
    const decision = await this.core.diff(olds, news);
    const response = new proto.DiffResponse();
    response.setChanges(
      decision.changes ? proto.DiffResponse.DiffChanges.DIFF_SOME : proto.DiffResponse.DiffChanges.DIFF_NONE,
    );
    response.setReplacesList(decision.replaces);
    response.setDeletebeforereplace(decision.deleteBeforeReplace);
    const changed = [...new Set([...decision.changed, ...decision.replaces])];
    response.setDiffsList(changed);
    // Per property, so the CLI shows which inputs change and which of them force the replacement.
    const detailed = response.getDetaileddiffMap();
    for (const key of changed)
      detailed.set(key, propertyDiff(olds[key], news[key], decision.replaces.includes(key)));
    response.setHasdetaileddiff(true);
    return response;
  }

  private async create(req: proto.CreateRequest, call: Call): Promise<proto.CreateResponse> {
    checkType(req.getUrn(), req.getType());
    const { plain, secretKeys } = unwrap(fromStruct(req.getProperties()) ?? {});
    const { id, outputs } = req.getPreview()
      ? await this.core.previewCreate(plain)
      : await this.core
          .create(plain, this.callOptions(req.getUrn(), req.getTimeout(), call))
          .catch((err: unknown) => {
            throw initFailureWithSecrets(err, secretKeys);
          });
    return new proto.CreateResponse().setId(id).setProperties(toStruct(withSecrets(outputs, secretKeys)));
  }

  private async read(req: proto.ReadRequest, call: Call): Promise<proto.ReadResponse> {
    const urn = req.getUrn();
    checkType(urn, req.getType());
    // No properties at all: an import (`pulumi import`, the `import` option), which knows only the id.
    const stored = fromStruct(req.getProperties());
    const { plain, secretKeys } = unwrap(stored ?? {});
    if (stored === undefined || stored.schemaVersion === undefined)
      plain.resourceName = req.getName() || nameOfUrn(urn);
    const found = await this.core.read(req.getId(), plain, this.callOptions(urn, req.getTimeout(), call));
    const response = new proto.ReadResponse();
    // No properties in the answer: the library is gone, and the engine drops the resource.
    if (!found) return response;
    const recorded = fromStruct(req.getInputs());
    const inputs = recorded !== undefined && stored?.schemaVersion !== undefined ? recorded : found.inputs;
    return response
      .setId(found.id)
      .setProperties(toStruct(withSecrets(found.outputs, secretKeys)))
      .setInputs(toStruct(inputs));
  }

  private async update(req: proto.UpdateRequest, call: Call): Promise<proto.UpdateResponse> {
    checkType(req.getUrn(), req.getType());
    const olds = unwrap(fromStruct(req.getOlds()) ?? {});
    const news = unwrap(fromStruct(req.getNews()) ?? {});
    const secretKeys = new Set([...olds.secretKeys, ...news.secretKeys]);
    const outputs = req.getPreview()
      ? await this.core.previewUpdate(olds.plain, news.plain)
      : await this.core.update(
          olds.plain,
          news.plain,
          this.callOptions(req.getUrn(), req.getTimeout(), call),
        );
    return new proto.UpdateResponse().setProperties(toStruct(withSecrets(outputs, secretKeys)));
  }

  private async delete(req: proto.DeleteRequest, call: Call): Promise<Empty> {
    checkType(req.getUrn(), req.getType());
    const { plain } = unwrap(fromStruct(req.getProperties()) ?? {});
    await this.core.delete(plain, this.callOptions(req.getUrn(), req.getTimeout(), call));
    return new Empty();
  }

  private sinks(urn: string): ReturnType<typeof resourceSinks> {
    return resourceSinks(this.send, urn);
  }

  /** One operation's options: its deadline, its lines on the resource, and a stop when the engine hangs up. */
  private callOptions(urn: string, timeoutSeconds: number, call: Call): CallOptions {
    const stop = new AbortController();
    call.on("cancelled", () => stop.abort());
    const options: CallOptions = { ...this.sinks(urn), signal: stop.signal };
    if (timeoutSeconds > 0) options.timeoutSeconds = timeoutSeconds;
    return options;
  }
}

type Call = grpc.ServerUnaryCall<unknown, unknown>;

/** A gRPC server serving the provider; the caller binds it. */
export function providerServer(options: ServerOptions): { server: grpc.Server; service: ProviderService } {
  const service = new ProviderService(options);
  const server = new grpc.Server();
  server.addService(ResourceProviderService, service.implementation());
  return { server, service };
}

/** A handler from an async function: its result answers the call, its error is the call's status. */
function unary<Req, Res>(
  run: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>,
): Handler<Req, Res> {
  return (call, callback) => {
    run(call.request, call).then(
      (response) => callback(null, response),
      (err: unknown) => callback(statusOf(err)),
    );
  };
}

function propertyDiff(old: unknown, value: unknown, replaces: boolean): proto.PropertyDiff {
  const Kind = proto.PropertyDiff.Kind;
  const kind =
    old === undefined
      ? replaces
        ? Kind.ADD_REPLACE
        : Kind.ADD
      : value === undefined
        ? replaces
          ? Kind.DELETE_REPLACE
          : Kind.DELETE
        : replaces
          ? Kind.UPDATE_REPLACE
          : Kind.UPDATE;
  return new proto.PropertyDiff().setKind(kind).setInputdiff(true);
}

function checkFailure(failure: { property: string; reason: string }): proto.CheckFailure {
  return new proto.CheckFailure().setProperty(failure.property).setReason(inPluginTerms(failure.reason));
}

/** Outputs with the secret outputs of the schema and the keys that arrived secret marked as secrets. */
function withSecrets(outputs: Props, secretKeys: Iterable<string>): Props {
  return markSecret(outputs, [...SCHEMA.secretOutputs, ...secretKeys]);
}

function initFailureWithSecrets(err: unknown, secretKeys: Set<string>): unknown {
  if (err instanceof ResourceInitFailure) err.properties = withSecrets(err.properties, secretKeys);
  return err;
}

function checkType(urn: string, type: string): void {
  const token = type || urn.split("::")[2]?.split("$").pop();
  if (token !== undefined && token !== "" && token !== RESOURCE_TOKEN) {
    throw new TypeError(`The mps-fpdb provider has no resource type ${token}; it has ${RESOURCE_TOKEN}.`);
  }
}

/**
 * An error as the engine takes it. A library that exists but did not finish (a `ResourceInitFailure`) carries
 * its id and outputs in the status details (`ErrorResourceInitFailed`), so the engine records it in the stack
 * and a later `up` or destroy deals with it; anything else is its message.
 */
export function statusOf(err: unknown): Partial<grpc.StatusObject> {
  const message = inPluginTerms(err instanceof Error ? err.message : String(err));
  if (!(err instanceof ResourceInitFailure)) return { code: grpc.status.UNKNOWN, details: message };
  const detail = new proto.ErrorResourceInitFailed();
  detail.setId(err.id);
  detail.setProperties(toStruct(err.properties));
  detail.setReasonsList(err.reasons);
  const any = new Any();
  any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
  const status = new Status().setCode(grpc.status.UNKNOWN).setMessage(message);
  status.addDetails(any);
  const metadata = new grpc.Metadata();
  metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  return { code: grpc.status.UNKNOWN, details: message, metadata };
}
