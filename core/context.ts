import { setMaxListeners } from "node:events";
import { systemClock, type Clock, type Random } from "./clock";
import { createMpsClient } from "./client/mps-client";
import type { TransportFactory } from "./client/transport";
import { withStoredConfigHint } from "./client/stored-config-hint";
import { resolveCredentials } from "./config/credentials";
import {
  proxyPasswords,
  proxyUrlProblem,
  proxyWithoutCredentials,
  chooseEndpoint,
  resolveProxy,
  type EndpointChoice,
  type ResolvedEndpoint,
} from "./config/endpoint";
import { clientTuning, resolveSettings, type ConfigSource, type Settings } from "./config/settings";
import { ConfigError } from "./errors";
import { DEFAULT_JOB_TIMEOUT_SECONDS, DEFAULT_POLL_INTERVAL_SECONDS } from "./schema";
import type { WaitTiming } from "./jobs/poll";
import { WaitScheduler } from "./jobs/scheduler";
import type { Services } from "./jobs/services";
import { JobWatcher, LibraryWatcher, noticingSubmits } from "./jobs/watchers";
import { Logger, ProgressReporter, RetryReporter, retryEvent, type LogSink } from "./log";
import type { EndpointType } from "./types";

/** Where a library lives and how to reach it. */
export interface LibraryTarget {
  region: string;
  endpoint?: string;
  endpointType?: EndpointType;
  profile?: string;
}

/**
 * The endpoint of a library and which rule chose it. `MPS_FPDB_ENDPOINT` is read from the environment of each
 * call, before the settings (where it is only the fallback of stack config `pulumi-mps-fpdb:endpoint`), so a
 * destroy can be sent to an endpoint that moved whatever the stored config says. Exported for `mps-fpdb doctor`
 * and `mps-fpdb jobs`, which must reach the endpoint the provider would.
 */
export function libraryEndpoint(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  target: LibraryTarget,
): EndpointChoice {
  const fromEnv = env.MPS_FPDB_ENDPOINT;
  return chooseEndpoint({
    override: fromEnv || settings.endpoint,
    overrideSource: fromEnv ? "environment MPS_FPDB_ENDPOINT" : "stack config pulumi-mps-fpdb:endpoint",
    endpoint: target.endpoint,
    endpointType: target.endpointType,
    region: target.region,
  });
}

/** The bounds one provider call puts on its waits, besides the inputs' own. */
export interface CallBounds {
  /** When the operation must be over (epoch ms of the context's clock): the resource's `customTimeouts`. */
  deadlineAt?: number;
  /** Aborted when the operation is cancelled. */
  signal?: AbortSignal;
}

/**
 * Per-process state of the provider: settings resolved once at configure, and clients built lazily, one per
 * endpoint and identity, so that every resource handled by this provider host shares one rate limiter and one
 * set of batched pollers.
 */
export class ProviderContext {
  readonly settings: Settings;
  readonly log: Logger;
  readonly progress: ProgressReporter;
  /** The one wait scheduler of this process: every wait of every endpoint registers with it. */
  readonly scheduler: WaitScheduler;
  private readonly services = new Map<string, Promise<Services>>();
  private readonly cancellation = new AbortController();
  private readonly transport?: TransportFactory;

  constructor(
    readonly config: ConfigSource,
    readonly env: NodeJS.ProcessEnv,
    readonly clock: Clock = systemClock,
    readonly random: Random = Math.random,
    options: {
      /** Where the process's lines go (default: stdout and stderr, which the dynamic provider host forwards). */
      logSink?: LogSink;
      /** How requests reach MPS (default: the openapi-client transport); tests and benchmarks pass their own. */
      transport?: TransportFactory;
    } = {},
  ) {
    this.settings = resolveSettings(config, env);
    // Every wait of the process listens to this signal, a thousand at once in a bulk run: Node's warning about
    // more than ten listeners would be written to the engine as a line of ours.
    setMaxListeners(0, this.cancellation.signal);
    this.log = new Logger(options.logSink);
    this.transport = options.transport;
    this.scheduler = new WaitScheduler({ clock, requestsPerSecond: this.settings.requestsPerSecond });
    this.progress = new ProgressReporter({
      clock,
      log: this.log,
      intervalMs: this.settings.progressIntervalMs,
    });
  }

  /** The clients for a library's endpoint and credentials (built once per process and key). */
  servicesFor(target: LibraryTarget): Promise<Services> {
    const { endpoint } = libraryEndpoint(this.settings, this.env, target);
    const key = `${endpoint.url}\u0000${target.profile ?? ""}`;
    let services = this.services.get(key);
    if (!services) {
      services = this.buildServices(endpoint, target.profile);
      // A failed build (bad credentials) must not poison the cache: the next operation retries it.
      services.catch(() => this.services.delete(key));
      this.services.set(key, services);
    }
    return services;
  }

  /**
   * Poll interval, back-off cap and timeout of the waits of one provider call, as the inputs and settings set
   * them (the cap is raised to the interval where it is used, by `waitBounds`).
   */
  waitTiming(
    inputs: { pollIntervalSeconds?: number; jobTimeoutSeconds?: number },
    bounds: CallBounds = {},
  ): WaitTiming {
    const timing: WaitTiming = {
      intervalMs:
        this.settings.pollIntervalMs ?? (inputs.pollIntervalSeconds ?? DEFAULT_POLL_INTERVAL_SECONDS) * 1000,
      maxIntervalMs: this.settings.maxPollIntervalMs,
      timeoutMs: (inputs.jobTimeoutSeconds ?? DEFAULT_JOB_TIMEOUT_SECONDS) * 1000,
    };
    if (bounds.deadlineAt !== undefined) {
      // What is left of the operation's time when this wait starts: an update's purge after a wait for `active`
      // gets the rest, not the whole.
      const leftMs = Math.max(0, bounds.deadlineAt - this.clock.now());
      if (leftMs < timing.timeoutMs) {
        timing.timeoutMs = leftMs;
        timing.timeoutSource = "customTimeouts";
      }
    }
    // A call passes the signal it made with signalFor; a caller with none still stops on the process's Cancel.
    timing.signal = bounds.signal ?? this.cancellation.signal;
    return timing;
  }

  /**
   * Cancels every operation of this process (the engine's Cancel): waits stop at once, and no write to MPS
   * starts from now on; a request already on the wire is let finish. Irreversible: the engine sends it when the
   * run is being interrupted, and the process ends with the run.
   */
  cancel(): void {
    this.cancellation.abort();
  }

  /** True once {@link cancel} was called. */
  get cancelled(): boolean {
    return this.cancellation.signal.aborted;
  }

  /** The signal a call observes: the process's cancellation, and the call's own when it has one. */
  signalFor(own: AbortSignal | undefined): AbortSignal {
    if (own === undefined) return this.cancellation.signal;
    const signal = AbortSignal.any([this.cancellation.signal, own]);
    setMaxListeners(0, signal);
    return signal;
  }

  private async buildServices(endpoint: ResolvedEndpoint, profile: string | undefined): Promise<Services> {
    // Refreshed STS/OIDC secrets arrive after this call: the hook registers each one with the redacting logger.
    const credentials = await resolveCredentials({
      config: this.config,
      env: this.env,
      profile,
      onSecret: (secret) => this.log.registerSecret(secret),
    });
    for (const secret of credentials.secrets) this.log.registerSecret(secret);
    const retries = new RetryReporter({
      clock: this.clock,
      log: this.log,
      intervalMs: this.settings.progressIntervalMs,
      endpoint: endpoint.url,
    });
    const client = createMpsClient({
      endpoint: endpoint.url,
      credential: credentials.credential,
      ...clientTuning(this.settings),
      transportFactory: this.transport,
      clock: this.clock,
      random: this.random,
      onRetry: (info) => retries.retrying(retryEvent(info, this.settings.maxAttempts)),
    });
    const api = withStoredConfigHint(client, credentials.source);
    this.log.info(`Using MPS endpoint ${endpoint.url} with credentials from ${credentials.source}`);
    // Read from process.env, not this.env: the request hook applies the proxy process.env names at request time,
    // and this line must say what it will do.
    const proxy = resolveProxy(endpoint);
    if (proxy) {
      // A proxy URL may carry user:password; it is shown without them, and the password can never be logged.
      for (const secret of proxyPasswords(proxy)) this.log.registerSecret(secret);
      const problem = proxyUrlProblem(proxy);
      if (problem !== undefined) {
        // A configuration mistake: refuse it once, before any request, rather than retry every call.
        throw new ConfigError(
          `The HTTPS proxy set in the environment (HTTPS_PROXY, https_proxy or ALL_PROXY) for requests to ` +
            `${endpoint.host} ${problem}, so nothing was sent. Set it to http://host:port (or ` +
            `http://user:password@host:port), add ${endpoint.host} to NO_PROXY, or unset it to go direct.`,
        );
      }
      this.log.info(`Requests to ${endpoint.host} go through the proxy ${proxyWithoutCredentials(proxy)}`);
    }
    const watching = {
      clock: this.clock,
      random: this.random,
      scheduler: this.scheduler,
      endpointKey: endpoint.url,
    };
    const jobs = new JobWatcher(api, watching);
    return {
      api: noticingSubmits(api, jobs, this.clock),
      jobs,
      libraries: new LibraryWatcher(api, watching),
      endpoint: endpoint.url,
    };
  }
}
