/**
 * Lines to the engine. A plugin's stdout and stderr are hidden from users (shown at debug level only), so every
 * line goes through the engine's Log RPC: with the resource's URN when it is about one resource (the CLI shows
 * it under that resource), without one for the process's lines (aggregated progress, the endpoint in use), and
 * ephemeral for the status of a wait, which the CLI shows on the resource's row and replaces with the next.
 * The lines are made by the core's redacting logger; nothing here adds text.
 */
import * as grpc from "@grpc/grpc-js";
import { EngineClient } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { LogRequest, LogSeverity } from "@pulumi/pulumi/proto/engine_pb";
import type { LogLevel, LogSink, StatusSink } from "../core/log";

/** Sends one log line to the engine; resolves once the engine has it (or could not take it). */
export type EngineLog = (line: {
  severity: LogSeverity;
  message: string;
  urn: string;
  ephemeral: boolean;
}) => void;

const SEVERITY: Record<LogLevel, LogSeverity> = {
  info: LogSeverity.INFO,
  warn: LogSeverity.WARNING,
  error: LogSeverity.ERROR,
};

/**
 * The engine's Log RPC, one line after the other so they arrive in the order they were written. Without an engine
 * address (a test, a plugin started by hand) lines go to stderr.
 */
export function engineLog(engineAddress: string | undefined): { send: EngineLog; close(): void } {
  if (engineAddress === undefined) {
    return {
      send: ({ message }) => void process.stderr.write(`${message}\n`),
      close: () => undefined,
    };
  }
  const client = new EngineClient(engineAddress, grpc.credentials.createInsecure());
  let queue: Promise<void> = Promise.resolve();
  return {
    send: ({ severity, message, urn, ephemeral }) => {
      const request = new LogRequest();
      request.setSeverity(severity);
      request.setMessage(message);
      request.setUrn(urn);
      request.setEphemeral(ephemeral);
      queue = queue.then(
        () =>
          new Promise<void>((resolve) => {
            // A line the engine could not take is dropped: a log line must never fail an operation.
            client.log(request, () => resolve());
          }),
      );
    },
    close: () => client.close(),
  };
}

/** The sink of the process's own lines (no resource attached). */
export function processSink(send: EngineLog): LogSink {
  return (level, line) => send({ severity: SEVERITY[level], message: line, urn: "", ephemeral: false });
}

/** The sinks of one operation on one resource: its lines and its status line carry the resource's URN. */
export function resourceSinks(send: EngineLog, urn: string): { log: LogSink; status: StatusSink } {
  return {
    log: (level, line) => send({ severity: SEVERITY[level], message: line, urn, ephemeral: false }),
    status: (line) => send({ severity: LogSeverity.INFO, message: line, urn, ephemeral: true }),
  };
}
