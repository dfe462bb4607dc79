import * as grpc from "@grpc/grpc-js";
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/provider_pb";
import { LogSeverity } from "@pulumi/pulumi/proto/engine_pb";
import {
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  type EmulatorOptions,
  type RunningEmulator,
} from "../../../emulator";
import type { IoAwareClock } from "../../client/io-aware-clock";
import { FAKE_EPOCH, fakeTimeTransport, startFakeTimeEmulator } from "../../inprocess/support/fixture";
import { providerServer, type ProviderService } from "../../../plugin/server";
import { RESOURCE_TOKEN } from "../../../plugin/package-schema";
import { secret } from "../../../plugin/properties";

/**
 * The provider plugin's gRPC service in this process, driven by a real `@grpc/grpc-js` client with Pulumi's
 * generated stubs, against the emulator over real HTTP. The plugin and the emulator share one I/O-aware fake
 * clock, so waits of minutes pass in milliseconds and time stands still while a request to MPS is on the wire.
 */

export type Props = Record<string, unknown>;

export { FAKE_EPOCH };

export const STACK_URN_PREFIX = "urn:pulumi:dev::plugin-test::";

/** Calls one unary method of a provider client, as a promise. */
export function unaryCall<Req, Res>(
  client: ResourceProviderClient,
  method: string,
  request: Req,
): Promise<Res> {
  type Unary = (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => void;
  const fn = (client as unknown as Record<string, Unary>)[method].bind(client);
  return new Promise<Res>((resolve, reject) => fn(request, (err, res) => (err ? reject(err) : resolve(res))));
}

/**
 * Configure as the engine sends it for the default provider, pointed at `endpoint`: typed arguments, the secret
 * key as a secret.
 */
export function configureRequest(endpoint: string, extra: Props = {}): proto.ConfigureRequest {
  const request = new proto.ConfigureRequest();
  request.setArgs(
    toStruct({
      region: "cn-hangzhou",
      accessKey: DEFAULT_ACCESS_KEY_ID,
      secretKey: secret(DEFAULT_ACCESS_KEY_SECRET),
      endpoint,
      ...extra,
    }),
  );
  request.setAcceptsecrets(true);
  return request;
}

export function urnOf(name: string): string {
  return `${STACK_URN_PREFIX}${RESOURCE_TOKEN}::${name}`;
}

/** One line the plugin sent to the engine's Log RPC. */
export interface EngineLine {
  severity: LogSeverity;
  message: string;
  urn: string;
  ephemeral: boolean;
}

export class PluginFixture {
  private constructor(
    /** Every line the plugin sent to the engine, in order. */
    readonly lines: EngineLine[],
    readonly emulator: RunningEmulator,
    readonly clock: IoAwareClock,
    readonly service: ProviderService,
    private readonly server: grpc.Server,
    readonly client: ResourceProviderClient,
  ) {}

  static async start(options: { emulator?: EmulatorOptions } = {}): Promise<PluginFixture> {
    const { clock, emulator } = await startFakeTimeEmulator(options.emulator);
    const lines: EngineLine[] = [];
    const { server, service } = providerServer({
      version: "9.8.7",
      log: (line) => lines.push(line),
      env: { ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" },
      clock,
      random: () => 0.5,
      transport: fakeTimeTransport(emulator.host, clock),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, bound) =>
        err ? reject(err) : resolve(bound),
      ),
    );
    const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new PluginFixture(lines, emulator, clock, service, server, client);
  }

  async stop(): Promise<void> {
    this.client.close();
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    await this.emulator.close();
  }

  /** Calls one unary method of the service. */
  rpc<Req, Res>(method: string, request: Req): Promise<Res> {
    return unaryCall(this.client, method, request);
  }

  configure(extra: Props = {}): Promise<proto.ConfigureResponse> {
    return this.rpc("configure", configureRequest(this.emulator.endpoint, extra));
  }

  check(name: string, news: Props, olds: Props = {}): Promise<proto.CheckResponse> {
    const request = new proto.CheckRequest();
    request.setUrn(urnOf(name));
    request.setName(name);
    request.setType(RESOURCE_TOKEN);
    request.setNews(toStruct(news));
    request.setOlds(toStruct(olds));
    return this.rpc("check", request);
  }

  /** Check (which must pass) and the checked inputs. */
  async checked(name: string, news: Props): Promise<Props> {
    const response = await this.check(name, news);
    expect(response.getFailuresList().map((f) => f.toObject())).toEqual([]);
    return response.getInputs()!.toJavaScript() as Props;
  }

  diff(name: string, id: string, olds: Props, news: Props): Promise<proto.DiffResponse> {
    const request = new proto.DiffRequest();
    request.setUrn(urnOf(name));
    request.setId(id);
    request.setOlds(toStruct(olds));
    request.setNews(toStruct(news));
    return this.rpc("diff", request);
  }

  async create(
    name: string,
    properties: Props,
    options: { timeout?: number; preview?: boolean } = {},
  ): Promise<{ id: string; outputs: Props }> {
    const request = new proto.CreateRequest();
    request.setUrn(urnOf(name));
    request.setProperties(toStruct(properties));
    request.setTimeout(options.timeout ?? 0);
    request.setPreview(options.preview ?? false);
    const response = await this.rpc<proto.CreateRequest, proto.CreateResponse>("create", request);
    return { id: response.getId(), outputs: response.getProperties()!.toJavaScript() as Props };
  }

  async read(
    name: string,
    id: string,
    properties?: Props,
    inputs?: Props,
  ): Promise<{ id: string; outputs?: Props; inputs?: Props }> {
    const request = new proto.ReadRequest();
    request.setUrn(urnOf(name));
    request.setId(id);
    if (properties !== undefined) request.setProperties(toStruct(properties));
    if (inputs !== undefined) request.setInputs(toStruct(inputs));
    const response = await this.rpc<proto.ReadRequest, proto.ReadResponse>("read", request);
    return {
      id: response.getId(),
      outputs: response.getProperties()?.toJavaScript() as Props | undefined,
      inputs: response.getInputs()?.toJavaScript() as Props | undefined,
    };
  }

  async update(
    name: string,
    id: string,
    olds: Props,
    news: Props,
    options: { timeout?: number; preview?: boolean } = {},
  ): Promise<Props> {
    const request = new proto.UpdateRequest();
    request.setUrn(urnOf(name));
    request.setId(id);
    request.setOlds(toStruct(olds));
    request.setNews(toStruct(news));
    request.setTimeout(options.timeout ?? 0);
    request.setPreview(options.preview ?? false);
    const response = await this.rpc<proto.UpdateRequest, proto.UpdateResponse>("update", request);
    return response.getProperties()!.toJavaScript() as Props;
  }

  async delete(
    name: string,
    id: string,
    properties: Props,
    options: { timeout?: number } = {},
  ): Promise<void> {
    const request = new proto.DeleteRequest();
    request.setUrn(urnOf(name));
    request.setId(id);
    request.setProperties(toStruct(properties));
    request.setTimeout(options.timeout ?? 0);
    await this.rpc("delete", request);
  }

  cancel(): Promise<unknown> {
    return this.rpc("cancel", new Empty());
  }

  /** Lines about one resource (its URN), in order. */
  linesOf(name: string, options: { ephemeral?: boolean } = {}): string[] {
    return this.lines
      .filter(
        (l) =>
          l.urn === urnOf(name) && (options.ephemeral === undefined || l.ephemeral === options.ephemeral),
      )
      .map((l) => l.message);
  }
}

export function toStruct(props: Props): Struct {
  return Struct.fromJavaScript(props as Record<string, JavaScriptValue>);
}
