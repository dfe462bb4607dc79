/**
 * A tiny stand-in for the Pulumi engine's own gRPC service (`pulumirpc.Engine`). The provider host gets its
 * address as the last argument, as from the real engine; provider code that dials it to send URN-attached or
 * ephemeral progress (`Engine.Log`) is recorded here.
 */
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { EngineService } from "@pulumi/pulumi/proto/engine_grpc_pb";
import type { LogRequest } from "@pulumi/pulumi/proto/engine_pb";

/** One `Engine.Log` call. */
export interface EngineLogRecord {
  severity: "debug" | "info" | "warning" | "error";
  message: string;
  urn: string;
  ephemeral: boolean;
  streamId: number;
}

/** A running fake engine. */
export interface FakeEngine {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  /** Every Log call received, in arrival order. */
  readonly logs: EngineLogRecord[];
  /** Stops the server (pending calls are cancelled). */
  close(): Promise<void>;
}

const SEVERITIES = ["debug", "info", "warning", "error"] as const;

/** Starts a fake Engine server on a free loopback port; `onLog` sees each Log call as it arrives. */
export async function startFakeEngine(onLog?: (record: EngineLogRecord) => void): Promise<FakeEngine> {
  const logs: EngineLogRecord[] = [];
  const server = new grpc.Server();
  const unimplemented = (name: string) => (_call: unknown, callback: grpc.sendUnaryData<never>) =>
    callback({
      code: grpc.status.UNIMPLEMENTED,
      details: `${name} is not implemented by the harness engine`,
    });
  server.addService(EngineService, {
    log(call: grpc.ServerUnaryCall<LogRequest, Empty>, callback: grpc.sendUnaryData<Empty>) {
      const req = call.request;
      const record: EngineLogRecord = {
        severity: SEVERITIES[req.getSeverity()] ?? "info",
        message: req.getMessage(),
        urn: req.getUrn(),
        ephemeral: req.getEphemeral(),
        streamId: req.getStreamid(),
      };
      logs.push(record);
      onLog?.(record);
      callback(null, new Empty());
    },
    getRootResource: unimplemented("GetRootResource"),
    setRootResource: unimplemented("SetRootResource"),
    startDebugging: unimplemented("StartDebugging"),
    requirePulumiVersion: unimplemented("RequirePulumiVersion"),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    logs,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // tryShutdown waits for open calls; a provider that keeps a stream open must not block the harness.
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 1000).unref();
      }),
  };
}
