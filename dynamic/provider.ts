import type * as pulumi from "@pulumi/pulumi";
import { FingerprintLibraryCore, ResourceInitFailure, type Props } from "../core/api";
import type { Clock, Random } from "../core/clock";
import type { TransportFactory } from "../core/client/transport";
import { forProviderHost } from "../core/errors";
import type { LogSink } from "../core/log";

/** Optional seams for tests; the provider host uses the defaults. */
export interface ProviderDependencies {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  random?: Random;
  /** Where the provider's lines go (default: stdout and stderr, which the provider host forwards to the CLI). */
  logSink?: LogSink;
  /** How requests reach MPS (default: the openapi-client transport). */
  transport?: TransportFactory;
}

/**
 * The FingerprintLibrary resource provider: the dynamic provider's adapter over the core's API
 * (core/api.ts). What it adds is only what the dynamic provider host needs: the serialized provider text
 * (`__provider`) compared in `diff` and carried on a partially created library, and errors shaped for the
 * host's stderr line. One instance serves every resource of a provider host process.
 */
export class FingerprintLibraryProvider implements pulumi.dynamic.ResourceProvider {
  private readonly core: FingerprintLibraryCore;

  constructor(deps: ProviderDependencies = {}) {
    this.core = new FingerprintLibraryCore(deps);
  }

  /**
   * Receives the full stack config. Synchronous on purpose (nothing is awaited before the context exists), and it
   * never throws: a bad setting is reported by every later call instead of leaving them waiting forever.
   */
  configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.core.configure({ get: (key) => req.config.get(key) });
    return Promise.resolve();
  }

  check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
    return shaped(async () => {
      const { inputs, failures } = await this.core.check(news);
      return { inputs, failures };
    });
  }

  diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
    return shaped(async () => {
      const decision = await this.core.diff(olds, news, {
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
    return shaped(async () => {
      try {
        const { id, outputs } = await this.core.create(inputs);
        return { id, outs: outputs };
      } catch (err) {
        // The host records a partially created library with these properties: the shim must be among them.
        if (err instanceof ResourceInitFailure) err.properties.__provider = inputs.__provider;
        throw err;
      }
    });
  }

  read(id: string, props?: Props): Promise<pulumi.dynamic.ReadResult> {
    return shaped(async () => {
      const found = await this.core.read(id, props ?? {});
      return found ? { id, props: found.outputs } : { id: "", props: {} };
    });
  }

  update(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
    return shaped(async () => ({ outs: await this.core.update(olds, news) }));
  }

  delete(_id: string, props: Props): Promise<void> {
    return shaped(() => this.core.delete(props));
  }
}

/** Runs one provider method, handing its failure to the host in the form users should see. */
async function shaped<T>(method: () => Promise<T>): Promise<T> {
  try {
    return await method();
  } catch (err) {
    throw forProviderHost(err);
  }
}
