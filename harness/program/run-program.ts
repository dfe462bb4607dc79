/**
 * Parent side of the program process: forks child.ts through tsx, hands it the stack settings and config, and
 * routes its registrations to the engine.
 */
import { fork, type ChildProcess } from "node:child_process";
import { BOOTSTRAP, childEnv } from "../child-env";
import type { Props } from "../wire";
import type { FromChild, ReadRegistration, Registration, RegistrationReply, ToChild } from "./protocol";

/** How to run one program. */
export interface RunProgramOptions {
  entry: string;
  programDir: string;
  sdkDir: string;
  project: string;
  stack: string;
  preview: boolean;
  config: Record<string, string>;
  secretKeys: string[];
  env?: NodeJS.ProcessEnv;
  /** Handles a RegisterResource; a rejection fails that registration in the program. */
  onRegister(registration: Registration): Promise<RegistrationReply>;
  /** Handles a ReadResource (`.get`). */
  onRead(registration: ReadRegistration): Promise<RegistrationReply>;
  /** Every line the program prints. */
  onLine?(stream: "stdout" | "stderr", line: string): void;
  /** Kills the program (a terminated run). */
  abort?: AbortSignal;
}

/** How a program run ended. */
export interface ProgramResult {
  /** The stack outputs in wire form (absent when the program failed before exporting). */
  outputs: Props;
  /** Program errors: exceptions, unhandled rejections, failed registrations as the program saw them. */
  errors: string[];
}

/** Hands each line `child` prints on `stream` to `onLine`. */
function forwardLines(
  child: ChildProcess,
  stream: "stdout" | "stderr",
  onLine: RunProgramOptions["onLine"],
): void {
  let buffer = "";
  const s = stream === "stdout" ? child.stdout! : child.stderr!;
  s.setEncoding("utf8");
  s.on("data", (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    parts.forEach((l) => onLine?.(stream, l));
  });
  s.on("end", () => buffer && onLine?.(stream, buffer));
}

function killUnlessEnded(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/** Answers a registration or a read with what the engine's handler returns, or the error it raised. */
function answer(
  o: RunProgramOptions,
  m: Extract<FromChild, { kind: "register" | "read" }>,
  send: (m: ToChild) => void,
): void {
  const handled = m.kind === "register" ? o.onRegister(m.registration) : o.onRead(m.registration);
  handled.then(
    (reply) => send({ kind: "reply", seq: m.seq, ok: true, reply }),
    (err: unknown) =>
      send({
        kind: "reply",
        seq: m.seq,
        ok: false,
        message: err instanceof Error ? err.message : String(err),
      }),
  );
}

/**
 * Runs the program to completion. Registrations are answered concurrently; the returned promise settles after
 * the program has finished and every registration it made was answered.
 */
export function runProgram(o: RunProgramOptions): Promise<ProgramResult> {
  const child = fork(BOOTSTRAP, [], {
    cwd: o.programDir,
    execArgv: [],
    env: {
      ...process.env,
      ...o.env,
      PULUMI_NODEJS_PROJECT: o.project,
      PULUMI_NODEJS_STACK: o.stack,
      ...childEnv("program/child.ts", o.sdkDir),
    },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  forwardLines(child, "stdout", o.onLine);
  forwardLines(child, "stderr", o.onLine);
  let outputs: Props = {};
  const send = (m: ToChild) => {
    if (child.connected) child.send(m);
  };
  return new Promise<ProgramResult>((resolve) => {
    let settled = false;
    const finish = (result: ProgramResult) => {
      if (settled) return;
      settled = true;
      // The program may leave timers or sockets open; its work is done once it said so.
      killUnlessEnded(child);
      resolve(result);
    };
    child.on("message", (m: FromChild) => {
      if (m.kind === "register" || m.kind === "read") answer(o, m, send);
      else if (m.kind === "stack-outputs") outputs = m.outputs;
      else if (m.kind === "done") finish({ outputs, errors: m.errors });
    });
    child.on("error", (err) => finish({ outputs, errors: [`could not run the program: ${err.message}`] }));
    if (o.abort?.aborted) killUnlessEnded(child);
    else o.abort?.addEventListener("abort", () => killUnlessEnded(child), { once: true });
    child.on("close", (code, signal) =>
      finish({
        outputs,
        errors: [
          `the program process exited (${signal ? `signal ${signal}` : `code ${code}`}) before finishing`,
        ],
      }),
    );
    send({
      kind: "start",
      entry: o.entry,
      sdkDir: o.sdkDir,
      project: o.project,
      stack: o.stack,
      preview: o.preview,
      config: o.config,
      secretKeys: o.secretKeys,
    });
  });
}
