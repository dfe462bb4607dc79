import type { Clock } from "../clock";
import type { MpsApi } from "../client/types";
import type { ProviderContext } from "../context";
import { OperationCancelledError } from "../errors";
import type { WaitTiming } from "../jobs/poll";
import type { Services } from "../jobs/services";
import {
  waitStatusLine,
  type Logger,
  type LogSink,
  type ProgressReporter,
  type StatusSink,
  type WaitHandle,
} from "../log";
import type { LibraryInputs } from "../types";
import { describeLibrary, targetOf } from "./common";

/**
 * What a front end passes with one operation, beyond the inputs: the engine's bounds on it and where its lines
 * go. Every field is optional; the dynamic provider passes none of them.
 */
export interface CallOptions {
  /** The operation's deadline in seconds from now (a provider plugin's `customTimeouts`); bounds every wait. */
  timeoutSeconds?: number;
  /** Aborted when the operation is cancelled: waits stop, no write to MPS starts (one on the wire finishes). */
  signal?: AbortSignal;
  /** Where this operation's lines go (a plugin attaches them to the resource); default: the process's sink. */
  log?: LogSink;
  /** Where the current state of this operation's wait goes, one line replacing the last. */
  status?: StatusSink;
}

/**
 * What one provider call (a create, read, update or delete) uses for its library, made once at the call's start
 * from the state or inputs, instead of every lifecycle function deriving it again. It knows nothing of the
 * front end that made the call: the dynamic provider is one front end, the provider plugin another.
 */
export interface LibraryCall {
  readonly fpDbId: string;
  readonly resourceName: string;
  /** "library <id> (<logical name>)": every message and log line about the library names both. */
  readonly describe: string;
  /**
   * Poll interval, back-off cap and timeout of a wait of this call starting now: the timeout is the smaller of
   * `jobTimeoutSeconds` and what is left of the call's deadline, so it is read when each wait begins.
   */
  readonly timing: WaitTiming;
  readonly log: Logger;
  readonly clock: Clock;
  readonly progress: Pick<ProgressReporter, "begin">;
  /**
   * The clients for the library's endpoint and identity, built at the first use and kept for the call. Not built
   * when the call is made: a protected or retained library is dealt with without credentials, and a build that
   * fails (bad credentials) must fail where the call first needs MPS (inside a create's wait, an init failure).
   * Once the call is cancelled, their writes are refused before they are sent.
   */
  services(): Promise<Services>;
}

/** A call whose library has no id yet: a create, until MPS names the library. */
export type UnnamedCall = Omit<LibraryCall, "fpDbId" | "describe"> & {
  /** The same call, about the library `fpDbId` (sharing its clients). */
  about(fpDbId: string): LibraryCall;
};

/** What a call is made from: the state, or a create's inputs with the region resolved. */
export type CallSource = Pick<
  LibraryInputs,
  "resourceName" | "endpoint" | "endpointType" | "profile" | "pollIntervalSeconds" | "jobTimeoutSeconds"
> & { region: string };

/** Opens a call for a library that has no id yet (a create). */
export function openUnnamedCall(
  ctx: ProviderContext,
  source: CallSource,
  options: CallOptions = {},
): UnnamedCall {
  const target = targetOf(source);
  const deadlineAt =
    options.timeoutSeconds !== undefined && options.timeoutSeconds > 0
      ? ctx.clock.now() + options.timeoutSeconds * 1000
      : undefined;
  const signal = ctx.signalFor(options.signal);
  const log = options.log === undefined ? ctx.log : ctx.log.withSink(options.log);
  let services: Promise<Services> | undefined;
  const base = {
    resourceName: source.resourceName,
    log,
    clock: ctx.clock,
    progress: withStatus(ctx.progress, options.status, log, ctx.clock),
    services: (): Promise<Services> => {
      if (services === undefined) {
        const building = ctx.servicesFor(target).then((built) => refusingWritesOnceCancelled(built, signal));
        // Like the context's cache: a failed build is tried again by the next use, not remembered.
        building.catch(() => {
          if (services === building) services = undefined;
        });
        services = building;
      }
      return services;
    },
  };
  // A getter, not a value: each wait takes what is left of the deadline when it begins.
  const timing = { get: (): WaitTiming => ctx.waitTiming(source, { deadlineAt, signal }), enumerable: true };
  const unnamed = Object.defineProperty({ ...base }, "timing", timing) as Omit<UnnamedCall, "about">;
  return Object.assign(unnamed, {
    about: (fpDbId: string): LibraryCall =>
      Object.defineProperty(
        { ...base, fpDbId, describe: describeLibrary(fpDbId, source.resourceName) },
        "timing",
        timing,
      ) as LibraryCall,
  });
}

/** Opens the call for the library a state describes (a read, an update, a delete). */
export function openCall(
  ctx: ProviderContext,
  state: CallSource & { fpDbId: string },
  options: CallOptions = {},
): LibraryCall {
  return openUnnamedCall(ctx, state, options).about(state.fpDbId);
}

/**
 * The process's progress reporter (aggregated lines, unchanged), also telling the call's status sink about its
 * wait at its start and at every look, so a front end that can show a line on the resource's row does.
 */
function withStatus(
  progress: ProgressReporter,
  status: StatusSink | undefined,
  log: Logger,
  clock: Clock,
): Pick<ProgressReporter, "begin"> {
  if (status === undefined) return progress;
  return {
    begin: (subject): WaitHandle => {
      const handle = progress.begin(subject);
      const startedAt = clock.now();
      const subjectNow = { ...subject };
      const show = (state: string): void =>
        status(log.redacted(waitStatusLine(subjectNow, state, clock.now() - startedAt)));
      show("waiting");
      return {
        update: (state, jobId) => {
          if (jobId) subjectNow.jobId = jobId;
          show(state);
          handle.update(state, jobId);
        },
        possibleDuplicate: (note) => handle.possibleDuplicate(note),
        end: (ok) => handle.end(ok),
      };
    },
  };
}

/**
 * The services with their writes refused once `signal` is aborted: a create or a submit not yet started is
 * never started after a Cancel, while one already on the wire runs to its answer (abandoning it would leave its
 * outcome unknown). Reads go on: a wait is stopped by the signal itself.
 */
function refusingWritesOnceCancelled(services: Services, signal: AbortSignal): Services {
  const refuse = (action: string): void => {
    if (signal.aborted) {
      throw new OperationCancelledError(
        `MPS ${action} was not sent: the operation was cancelled. Nothing was changed by it; run the operation ` +
          "again.",
      );
    }
  };
  const api: MpsApi = {
    createFpShotDb: async (request) => {
      refuse("CreateFpShotDB");
      return services.api.createFpShotDb(request);
    },
    submitFpDbDeleteJob: async (request, options) => {
      refuse("SubmitFpDBDeleteJob");
      return services.api.submitFpDbDeleteJob(request, options);
    },
    listFpShotDb: (ids, options) => services.api.listFpShotDb(ids, options),
    queryFpDbDeleteJobList: (ids, options) => services.api.queryFpDbDeleteJobList(ids, options),
  };
  return { ...services, api };
}
