import type * as pulumi from "@pulumi/pulumi";
import { systemClock, type Clock, type Random } from "../core/clock";
import { ProviderContext } from "../core/context";
import { diffLibrary } from "../core/diff";
import { forProviderHost } from "../core/errors";
import { checkInputs, forEngine } from "../core/inputs";
import { createOrAdopt } from "../core/lifecycle/create";
import { deleteLibrary } from "../core/lifecycle/delete";
import { ResourceInitFailure } from "../core/lifecycle/init-failure";
import { readLibrary } from "../core/lifecycle/read";
import { updateLibrary } from "../core/lifecycle/update";
import { readState, toOutputs } from "../core/state";
import type { LibraryInputs } from "../core/types";

type Props = Record<string, unknown>;

/** Optional seams for tests; the provider host uses the defaults. */
export interface ProviderDependencies {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  random?: Random;
}

/**
 * The FingerprintLibrary resource provider. Each method is thin: it waits for `configure`, then delegates to the
 * pure rules (inputs, diff, state) and the lifecycle modules. One instance serves every resource of a provider
 * host process, so its context (settings, clients, rate limiters, pollers) is built once and shared.
 */
export class FingerprintLibraryProvider implements pulumi.dynamic.ResourceProvider {
  private context?: ProviderContext;
  private configureError?: unknown;
  private markReady!: () => void;
  // The host caches a provider before its configure() finishes, so a concurrent first call can arrive early:
  // every method waits for this.
  private readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(private readonly deps: ProviderDependencies = {}) {}

  /**
   * Receives the full stack config. Synchronous on purpose (nothing is awaited before the context exists), and it
   * never throws: a bad setting is reported by every later call instead of leaving them waiting forever.
   */
  configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    try {
      this.context = new ProviderContext(
        { get: (key) => req.config.get(key) },
        this.deps.env ?? process.env,
        this.deps.clock ?? systemClock,
        this.deps.random ?? Math.random,
      );
    } catch (err) {
      this.configureError = err;
    }
    this.markReady();
    return Promise.resolve();
  }

  check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
    return this.run(async (ctx) => {
      const { inputs, failures, warnings } = checkInputs(news);
      for (const warning of warnings) ctx.log.warn(`${inputs.resourceName}: ${warning}`);
      return { inputs, failures: forEngine(failures) };
    });
  }

  diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
    return this.run(async () => {
      const decision = diffLibrary(readState(olds), news as unknown as LibraryInputs, {
        providerChanged: olds.__provider !== news.__provider,
      });
      return {
        changes: decision.changes,
        replaces: decision.replaces,
        deleteBeforeReplace: decision.deleteBeforeReplace,
      };
    });
  }

  create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
    return this.run(async (ctx) => {
      try {
        const state = await createOrAdopt(ctx, inputs as unknown as LibraryInputs);
        return { id: state.fpDbId, outs: toOutputs(state) };
      } catch (err) {
        if (err instanceof ResourceInitFailure) err.properties.__provider = inputs.__provider;
        throw err;
      }
    });
  }

  read(id: string, props?: Props): Promise<pulumi.dynamic.ReadResult> {
    return this.run(async (ctx) => {
      const state = await readLibrary(ctx, id, props ?? {});
      return state ? { id, props: toOutputs(state) } : { id: "", props: {} };
    });
  }

  update(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
    return this.run(async (ctx) => {
      const state = readState(olds);
      const inputs = news as unknown as LibraryInputs;
      const decision = diffLibrary(state, inputs, { providerChanged: false });
      return { outs: toOutputs(await updateLibrary(ctx, state, inputs, decision)) };
    });
  }

  delete(_id: string, props: Props): Promise<void> {
    return this.run((ctx) => deleteLibrary(ctx, readState(props)));
  }

  /** Runs one provider method once configured, handing its failure to the host in the form users should see. */
  private async run<T>(method: (ctx: ProviderContext) => Promise<T>): Promise<T> {
    try {
      return await method(await this.ctx());
    } catch (err) {
      throw forProviderHost(err);
    }
  }

  private async ctx(): Promise<ProviderContext> {
    await this.ready;
    if (this.configureError !== undefined) throw this.configureError;
    return this.context!;
  }
}
