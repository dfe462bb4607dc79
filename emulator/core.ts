import { Authenticator } from "./auth";
import { RequestCounter } from "./counts";
import {
  DEFAULT_REGION,
  DEFAULT_REQUEST_LOG_LIMIT,
  DEFAULT_SEED,
  defaultAccounts,
  resolveSettings,
} from "./defaults";
import { FaultEngine } from "./faults";
import { EmulatorInputError } from "./input-error";
import { Keyring } from "./keyring";
import { createPrng } from "./prng";
import { RequestLog } from "./request-log";
import { NonceCache } from "./signing/nonces";
import { Store } from "./store/store";
import { Throttler } from "./throttle";
import type { EmulatorOptions, EmulatorSettings } from "./types";

/**
 * The state of one emulator instance: accounts, store, limits, faults and tallies. The HTTP layer and the admin
 * surfaces operate on it; it owns no sockets.
 */
export class EmulatorCore {
  readonly region: string;
  readonly clock: { now(): number };
  readonly keyring: Keyring;
  readonly store = new Store();
  readonly nonces = new NonceCache();
  readonly authenticator: Authenticator;
  readonly faults: FaultEngine;
  readonly throttler: Throttler;
  readonly counter = new RequestCounter();
  readonly log: RequestLog;
  settings: EmulatorSettings;
  /** Draws of duration distributions: a stream of its own, so fault rolls do not shift them (and back). */
  durationRandom: () => number;
  private readonly startSettings: EmulatorSettings;
  private readonly seed: number;

  constructor(options: EmulatorOptions) {
    this.region = options.region ?? DEFAULT_REGION;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.keyring = new Keyring(options.accounts ?? defaultAccounts());
    this.authenticator = new Authenticator(this.keyring, this.nonces);
    this.startSettings = resolveSettings(options);
    this.settings = { ...this.startSettings };
    this.seed = options.seed ?? DEFAULT_SEED;
    if (!Number.isFinite(this.seed))
      throw new EmulatorInputError(`Emulator option \`seed\` must be a finite number.`);
    this.faults = new FaultEngine(this.seed);
    this.durationRandom = createPrng(durationSeed(this.seed));
    this.faults.set(options.faults ?? []);
    this.throttler = new Throttler(this.settings.throttleAlgorithm);
    const limit = options.requestLogLimit ?? DEFAULT_REQUEST_LOG_LIMIT;
    if (!(Number.isInteger(limit) && limit >= 0)) {
      throw new EmulatorInputError(
        `Emulator option \`requestLogLimit\` must be an integer >= 0, got ${limit}.`,
      );
    }
    this.log = new RequestLog(limit);
  }

  /** Current emulator time, with finished jobs applied to the store. */
  now(): number {
    const now = this.clock.now();
    this.store.settle(now);
    return now;
  }

  /** Back to the start: empty store, no faults or tallies, start settings and seed. Used nonces stay used. */
  reset(): void {
    this.store.clear();
    this.faults.clear();
    this.faults.reseed(this.seed);
    this.durationRandom = createPrng(durationSeed(this.seed));
    this.counter.clear();
    this.log.clear();
    this.settings = { ...this.startSettings };
    this.throttler.reset(this.settings.throttleAlgorithm);
  }
}

function durationSeed(seed: number): number {
  return (seed ^ 0x9e3779b9) >>> 0;
}
