import type { Clock } from "../clock";
import type { ProviderContext } from "../context";
import type { WaitTiming } from "../jobs/poll";
import type { Services } from "../jobs/services";
import type { Logger, ProgressReporter } from "../log";
import type { LibraryInputs } from "../types";
import { describeLibrary, targetOf } from "./common";

/**
 * What one provider call (a create, read, update or delete) uses for its library, made once at the call's start
 * from the state or inputs, instead of every lifecycle function deriving it again. It knows nothing of the
 * front end that made the call: the dynamic provider is one front end, a provider plugin would be another.
 */
export interface LibraryCall {
  readonly fpDbId: string;
  readonly resourceName: string;
  /** "library <id> (<logical name>)": every message and log line about the library names both. */
  readonly describe: string;
  /** Poll interval, back-off cap and timeout of every wait of this call. */
  readonly timing: WaitTiming;
  readonly log: Logger;
  readonly clock: Clock;
  readonly progress: ProgressReporter;
  /**
   * The clients for the library's endpoint and identity, built at the first use and kept for the call. Not built
   * when the call is made: a protected or retained library is dealt with without credentials, and a build that
   * fails (bad credentials) must fail where the call first needs MPS (inside a create's wait, an init failure).
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
export function openUnnamedCall(ctx: ProviderContext, source: CallSource): UnnamedCall {
  const target = targetOf(source);
  let services: Promise<Services> | undefined;
  const call: Omit<UnnamedCall, "about"> = {
    resourceName: source.resourceName,
    timing: ctx.waitTiming(source),
    log: ctx.log,
    clock: ctx.clock,
    progress: ctx.progress,
    services: () => {
      if (services === undefined) {
        const building = ctx.servicesFor(target);
        // Like the context's cache: a failed build is tried again by the next use, not remembered.
        building.catch(() => {
          if (services === building) services = undefined;
        });
        services = building;
      }
      return services;
    },
  };
  return {
    ...call,
    about: (fpDbId) => ({ ...call, fpDbId, describe: describeLibrary(fpDbId, source.resourceName) }),
  };
}

/** Opens the call for the library a state describes (a read, an update, a delete). */
export function openCall(ctx: ProviderContext, state: CallSource & { fpDbId: string }): LibraryCall {
  return openUnnamedCall(ctx, state).about(state.fpDbId);
}
