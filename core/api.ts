/**
 * The front-end-agnostic API of the FingerprintLibrary core: plain property bags in, outputs and log lines out.
 * The dynamic provider (dynamic/provider.ts) and the provider plugin (plugin/server.ts) are thin adapters over
 * it; whatever the resource does is decided here or below, never in a front end.
 */
import { systemClock, type Clock, type Random } from "./clock";
import type { TransportFactory } from "./client/transport";
import type { ConfigSource } from "./config/settings";
import { ProviderContext } from "./context";
import { diffLibrary, type DiffDecision } from "./diff";
import { checkInputs, forEngine, type CheckFailure } from "./inputs";
import type { CallOptions } from "./lifecycle/call";
import { withRecordedInputs } from "./lifecycle/common";
import { createOrAdopt } from "./lifecycle/create";
import { deleteLibrary } from "./lifecycle/delete";
import { readLibrary } from "./lifecycle/read";
import { updateLibrary } from "./lifecycle/update";
import type { LogSink } from "./log";
import { OUTPUTS, SCHEMA } from "./schema";
import { readState, recordedInputs, toOutputs } from "./state";
import { isUnknown, UNKNOWN } from "./values";
import type { LibraryInputs, LibraryState } from "./types";

export type { CallOptions } from "./lifecycle/call";
export { ResourceInitFailure } from "./lifecycle/init-failure";

/** A property bag as a front end hands it over: JSON values, with the engine's unknown sentinel in a preview. */
export type Props = Record<string, unknown>;

/** What the core is built from; every field but the config's later arrival has a default. */
export interface CoreDependencies {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  random?: Random;
  /** Where the process's lines go (default: stdout for info, stderr for warnings and errors). */
  logSink?: LogSink;
  /** How requests reach MPS (default: the openapi-client transport). */
  transport?: TransportFactory;
}

/** `check`'s answer: the inputs to record, one failure per bad property, and accepted values worth a warning. */
export interface CheckOutcome {
  inputs: Props;
  /** As the engine is to receive them (a free-form property's failure without its name: see `forEngine`). */
  failures: CheckFailure[];
  warnings: string[];
}

/** `diff`'s answer. */
export type DiffOutcome = Pick<DiffDecision, "changes" | "replaces" | "deleteBeforeReplace" | "changed">;

/** A library as `read` finds it: its outputs, and the inputs that would keep it as it is. */
export interface ReadOutcome {
  id: string;
  outputs: Props;
  inputs: Props;
}

/**
 * One FingerprintLibrary provider: the configure-ready gate, the context it builds, and one method per
 * operation. One instance serves a whole provider process, so clients, rate limiters and the wait scheduler are
 * shared by every resource it handles. Errors are thrown as the core makes them (`MpsFpdbError` subclasses,
 * `ResourceInitFailure` once a library exists); each front end shows them its own way.
 */
export class FingerprintLibraryCore {
  private context?: ProviderContext;
  private configureError?: unknown;
  private cancelRequested = false;
  private markReady!: () => void;
  // A front end may receive a first call before its configure has finished: every method waits for this.
  private readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(private readonly deps: CoreDependencies = {}) {}

  /**
   * Takes the provider's configuration. Synchronous and never throws: a bad setting is reported by every later
   * call instead of leaving them waiting for ever. Only the first call counts.
   */
  configure(config: ConfigSource): void {
    if (this.context !== undefined || this.configureError !== undefined) return;
    try {
      this.context = new ProviderContext(
        config,
        this.deps.env ?? process.env,
        this.deps.clock ?? systemClock,
        this.deps.random ?? Math.random,
        { logSink: this.deps.logSink, transport: this.deps.transport },
      );
      if (this.cancelRequested) this.context.cancel();
    } catch (err) {
      this.configureError = err;
    }
    this.markReady();
  }

  /** Whether `configure` was called. */
  get configured(): boolean {
    return this.context !== undefined || this.configureError !== undefined;
  }

  /**
   * Cancels every operation of the process (the engine's Cancel): waits stop with an error naming what they
   * waited for, no write to MPS starts any more, and a request on the wire is let finish.
   */
  cancel(): void {
    this.cancelRequested = true;
    this.context?.cancel();
  }

  /** Validates inputs; warnings are also written to the call's log. */
  async check(news: Props, call: Pick<CallOptions, "log"> = {}): Promise<CheckOutcome> {
    const ctx = await this.ctx();
    const { inputs, failures, warnings } = checkInputs(news);
    const log = call.log === undefined ? ctx.log : ctx.log.withSink(call.log);
    for (const warning of warnings) log.warn(`${inputs.resourceName}: ${warning}`);
    return { inputs: inputs as unknown as Props, failures: forEngine(failures), warnings };
  }

  /** What an `up` does to the library whose outputs are `olds` when its inputs become `news`. */
  async diff(olds: Props, news: Props, options: { providerChanged?: boolean } = {}): Promise<DiffOutcome> {
    await this.ctx();
    const decision = diffLibrary(readState(olds), news as unknown as LibraryInputs, {
      providerChanged: options.providerChanged ?? false,
    });
    return {
      changes: decision.changes,
      replaces: decision.replaces,
      deleteBeforeReplace: decision.deleteBeforeReplace,
      changed: decision.changed,
    };
  }

  /** Creates or adopts a library. Once it exists, a failure is a `ResourceInitFailure` carrying its outputs. */
  async create(inputs: Props, call: CallOptions = {}): Promise<{ id: string; outputs: Props }> {
    const ctx = await this.ctx();
    const state = await createOrAdopt(ctx, inputs as unknown as LibraryInputs, call);
    return { id: state.fpDbId, outputs: toOutputs(state) };
  }

  /**
   * Refresh (`props` holds the state), `get` (`props` holds at most region, endpoint and profile) and import
   * (`props` undefined: only the id is known). Undefined when the library is gone; an import or `get` of a library
   * that does not exist fails with a message saying so. An imported or fetched library is adopted: destroy keeps
   * it unless `deletionPolicy: "Delete"` is set.
   */
  async read(id: string, props: Props | undefined, call: CallOptions = {}): Promise<ReadOutcome | undefined> {
    const ctx = await this.ctx();
    const state = await readLibrary(ctx, id, props ?? {}, call);
    if (!state) return undefined;
    return { id, outputs: toOutputs(state), inputs: readInputs(state, props) };
  }

  /**
   * The outputs a create would have, without calling MPS (a preview): the inputs as given, and the unknown
   * sentinel for what only the service can tell.
   */
  async previewCreate(inputs: Props): Promise<{ id: string; outputs: Props }> {
    await this.ctx();
    const outputs: Props = { ...inputs };
    for (const name of SCHEMA.outputOnly) outputs[name] = UNKNOWN;
    const adopting = inputs.fpDbId !== undefined;
    outputs.fpDbId = adopting ? inputs.fpDbId : UNKNOWN;
    if (!isUnknown(inputs.fpDbId)) outputs.adopted = adopting;
    if (inputs.region !== undefined) outputs.region = inputs.region;
    return { id: "", outputs };
  }

  /**
   * The outputs an update would have, without calling MPS (a preview): the stored outputs with the new inputs
   * recorded; when a Purge job would run, what the service and the job will tell is unknown.
   */
  async previewUpdate(olds: Props, news: Props): Promise<Props> {
    await this.ctx();
    const state = readState(olds);
    const inputs = news as unknown as LibraryInputs;
    const decision = diffLibrary(state, inputs, { providerChanged: false });
    const outputs: Props = toOutputs(withRecordedInputs(state, inputs));
    if (decision.purge !== "none") {
      for (const name of SCHEMA.keptOnUpdate) {
        if (OUTPUTS[name as keyof typeof OUTPUTS].source === "job") outputs[name] = UNKNOWN;
      }
    }
    return outputs;
  }

  /** An in-place update (record the inputs; purge on a trigger change). Returns the new outputs. */
  async update(olds: Props, news: Props, call: CallOptions = {}): Promise<Props> {
    const ctx = await this.ctx();
    const state = readState(olds);
    const inputs = news as unknown as LibraryInputs;
    const decision = diffLibrary(state, inputs, { providerChanged: false });
    return toOutputs(await updateLibrary(ctx, state, inputs, decision, call));
  }

  /** Destroy, by the state's deletion policy and protection. */
  async delete(props: Props, call: CallOptions = {}): Promise<void> {
    const ctx = await this.ctx();
    await deleteLibrary(ctx, readState(props), call);
  }

  private async ctx(): Promise<ProviderContext> {
    await this.ready;
    if (this.configureError !== undefined) throw this.configureError;
    return this.context!;
  }
}

/**
 * The inputs a read hands back. After a refresh, those recorded at the last create or update. After an import
 * or `get`, the inputs of a program that adopts this library: its id, and the region, endpoint or profile only if
 * they were given, so a program that leaves them to the provider's config shows no change.
 */
function readInputs(state: LibraryState, props: Props | undefined): Props {
  if (props !== undefined && props.schemaVersion !== undefined)
    return recordedInputs(state) as unknown as Props;
  const inputs: Props = { resourceName: state.resourceName, fpDbId: state.fpDbId };
  for (const key of ["region", "endpoint", "profile"]) {
    if (typeof props?.[key] === "string") inputs[key] = props[key];
  }
  return inputs;
}
