import type * as pulumi from "@pulumi/pulumi";
import {
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  startEmulator,
  type EmulatorOptions,
  type JobView,
  type LibraryView,
  type RequestCounts,
  type RunningEmulator,
} from "../../../emulator";
import type { MpsClient } from "../../../core/client/mps-client";
import { outOfBandApi } from "../../support/mps";
import { createTransport, type TransportFactory } from "../../../core/client/transport";
import type { LogSink } from "../../../core/log";
import { FingerprintLibraryProvider } from "../../../dynamic/provider";
import { IoAwareClock } from "../../client/io-aware-clock";

/**
 * The provider in this process, driven the way the engine drives it (check, diff, create, read, update, delete),
 * against the real emulator over real HTTP through the real openapi-client. The provider and the emulator share
 * one I/O-aware fake clock, so a Purge job of minutes or a 30-minute timeout passes in milliseconds, and time
 * stands still while a request is on the wire: every run sees the same request times.
 */

export type Props = Record<string, unknown>;

/** One resource as the engine keeps it. */
export interface Deployed {
  id: string;
  /** The checked inputs the engine recorded. */
  inputs: Props;
  /** The outputs (the provider's state) the engine recorded. */
  outputs: Props;
}

/** The `__provider` the engine records; its value only has to be the same text in olds and news. */
export const PROVIDER_TEXT = "in-process provider";

/** The start of fake time: a fixed instant, so job times and messages do not depend on when tests run. */
export const FAKE_EPOCH = Date.UTC(2026, 10, 24, 8, 0, 0);

type Stream = "stdout" | "stderr";

/** Stack config pointing the provider at the emulator; timing settings are the package defaults. */
export function stackConfig(endpoint: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    "alicloud:region": "cn-hangzhou",
    "alicloud:accessKey": DEFAULT_ACCESS_KEY_ID,
    "alicloud:secretKey": DEFAULT_ACCESS_KEY_SECRET,
    "pulumi-mps-fpdb:endpoint": endpoint,
    ...extra,
  };
}

export interface FixtureOptions {
  emulator?: EmulatorOptions;
  /** Stack config added to (or replacing) {@link stackConfig}. */
  config?: Record<string, string>;
}

/**
 * An emulator on a fresh I/O-aware fake clock that starts at {@link FAKE_EPOCH}: a library is active a minute after
 * its create, and a job takes two minutes, in fake time. The emulator's clock is the fake one, so the request
 * signatures (dated by the SDK with real time) are not checked for skew.
 */
export async function startFakeTimeEmulator(
  options: EmulatorOptions = {},
): Promise<{ clock: IoAwareClock; emulator: RunningEmulator }> {
  const clock = new IoAwareClock(FAKE_EPOCH);
  const emulator = await startEmulator({
    activateSeconds: 60,
    jobSeconds: 120,
    quota: 1000,
    maxSkewSeconds: Infinity,
    ...options,
    clock,
  });
  return { clock, emulator };
}

/**
 * The real transport, wrapped so that `clock` sees each call to `host` in flight (it holds time still during it)
 * and `answered` runs before the caller sees the answer.
 */
export function fakeTimeTransport(
  host: string,
  clock: IoAwareClock,
  answered: (action: string) => Promise<void> = async () => undefined,
): TransportFactory {
  return (options) => {
    const inner = createTransport(options);
    if (new URL(options.endpoint).host !== host) return inner;
    return clock.trackTransport({
      endpointHost: inner.endpointHost,
      call: async (action, query) => {
        const answer = await inner.call(action, query);
        await answered(action);
        return answer;
      },
    });
  };
}

export class InProcessFixture {
  /** Every line the provider logged, in order: info goes to stdout, warnings and errors to stderr. */
  readonly lines: { stream: Stream; line: string }[] = [];
  provider: FingerprintLibraryProvider;
  private baseline: RequestCounts;
  /** Every line of every run, for the check that no secret was ever written. */
  private readonly everything: string[] = [];
  private readonly answerHooks: { action: string; hook: () => void | Promise<void> }[] = [];

  private constructor(
    readonly emulator: RunningEmulator,
    readonly clock: IoAwareClock,
    private readonly config: Record<string, string>,
  ) {
    this.provider = this.newProvider();
    this.baseline = emulator.admin.counts();
  }

  /** On {@link startFakeTimeEmulator}'s emulator, with `options.emulator` over its defaults. */
  static async start(options: FixtureOptions = {}): Promise<InProcessFixture> {
    const { clock, emulator } = await startFakeTimeEmulator(options.emulator);
    return new InProcessFixture(emulator, clock, stackConfig(emulator.endpoint, options.config));
  }

  /**
   * A provider as a fresh provider host holds it: configured, with its own clients, rate limiters and wait
   * scheduler, sharing the emulator and the clock. `deps.env` is the whole environment it sees.
   */
  newProvider(config: Record<string, string> = {}): FingerprintLibraryProvider {
    const provider = new FingerprintLibraryProvider({
      clock: this.clock,
      random: () => 0.5,
      env: { ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" },
      transport: this.transport,
      logSink: this.logSink,
    });
    const all = new Map(Object.entries({ ...this.config, ...config }));
    void provider.configure({
      config: { get: (key: string) => all.get(key) },
    } as unknown as pulumi.dynamic.ConfigureRequest);
    return provider;
  }

  /** The real transport; a test's answer hooks run before the provider sees an answer (see onNextAnswer). */
  readonly transport: TransportFactory = (options) =>
    fakeTimeTransport(this.emulator.host, this.clock, (action) => this.answered(action))(options);

  /** Where the provider's lines go: info as the host's stdout, warnings and errors as its stderr. */
  private readonly logSink: LogSink = (level, line) => {
    const stream: Stream = level === "info" ? "stdout" : "stderr";
    this.lines.push({ stream, line });
    this.everything.push(line);
  };

  /** Check with the raw inputs a program sends (the resource class adds `resourceName`). */
  check(name: string, inputs: Props, olds: Props = {}) {
    return this.provider.check(olds, { resourceName: name, ...inputs, __provider: PROVIDER_TEXT });
  }

  /** Check (which must pass) then Create. */
  async create(name: string, inputs: Props): Promise<Deployed> {
    const checked = await this.check(name, inputs);
    expect(checked.failures).toEqual([]);
    const created = await this.provider.create(checked.inputs!);
    return {
      id: created.id,
      inputs: checked.inputs!,
      outputs: { ...created.outs, __provider: PROVIDER_TEXT },
    };
  }

  /** Check then Diff against a deployed resource. */
  async diff(resource: Deployed, inputs: Props) {
    const name = String(resource.inputs.resourceName);
    const checked = await this.check(name, inputs, resource.inputs);
    expect(checked.failures).toEqual([]);
    const diff = await this.provider.diff(resource.id, resource.outputs, checked.inputs!);
    return { checked: checked.inputs!, diff };
  }

  /** Check, Diff (which must not replace), then Update. */
  async update(resource: Deployed, inputs: Props): Promise<Deployed> {
    const { checked, diff } = await this.diff(resource, inputs);
    expect(diff.replaces ?? []).toEqual([]);
    const updated = await this.provider.update(resource.id, resource.outputs, checked);
    return { ...resource, inputs: checked, outputs: { ...updated.outs, __provider: PROVIDER_TEXT } };
  }

  read(resource: Deployed) {
    return this.provider.read(resource.id, resource.outputs);
  }

  delete(resource: Deployed): Promise<void> {
    return this.provider.delete(resource.id, resource.outputs);
  }

  /** Jobs the emulator accepted, oldest first, optionally for one library. */
  jobs(fpDbId?: string): JobView[] {
    const jobs = this.emulator.admin.state().jobs;
    return fpDbId === undefined ? jobs : jobs.filter((job) => job.fpDbId === fpDbId);
  }

  library(fpDbId: string): LibraryView | undefined {
    return this.emulator.admin.state().libraries.find((library) => library.fpDbId === fpDbId);
  }

  /** Requests the emulator received for one action since the current run began (every answer: ok, errors, drops). */
  calls(action: string): number {
    const now = this.emulator.admin.counts().byAction[action]?.total ?? 0;
    return now - (this.baseline.byAction[action]?.total ?? 0);
  }

  /** Requests the emulator received for every action since the current run began. */
  allCalls(): number {
    return this.emulator.admin.counts().overall.total - this.baseline.overall.total;
  }

  /** The provider's log, one line per entry. */
  output(): string {
    return this.lines.map((l) => l.line).join("\n");
  }

  /** The typed client with the emulator's default keys, for what a person or a killed run does outside Pulumi. */
  outOfBand(): MpsClient {
    return outOfBandApi(this.emulator.endpoint, {
      clock: this.clock,
      random: () => 0.5,
      transportFactory: this.transport,
    });
  }

  /**
   * Runs `hook` once, when the provider receives the next successful answer to `action`, before the provider's
   * code sees it: a test can change the emulator at a precise step of an operation in flight (e.g. install a
   * fault after a submit and before the first look at the job).
   */
  onNextAnswer(action: string, hook: () => void | Promise<void>): void {
    this.answerHooks.push({ action, hook });
  }

  /** Called by the tracked transport; the provider gets its answer once the hook is done. */
  async answered(action: string): Promise<void> {
    const index = this.answerHooks.findIndex((h) => h.action === action);
    if (index >= 0) await this.answerHooks.splice(index, 1)[0].hook();
  }

  /** Lets `ms` of fake time pass (the emulator's jobs and libraries move on). */
  pass(ms: number): Promise<void> {
    return this.clock.sleep(ms);
  }

  /**
   * A new run, as the next `pulumi up` or `destroy` is: a fresh provider (new clients, scheduler and rate
   * limiters), an empty log, and request counts from here on. The emulator keeps its libraries and jobs.
   */
  newRun(): void {
    this.lines.length = 0;
    this.answerHooks.length = 0;
    this.baseline = this.emulator.admin.counts();
    this.provider = this.newProvider();
  }

  /** A library created in this run, then a new run: the state the next command starts from. */
  async deployed(name: string, inputs: Record<string, unknown> = {}): Promise<Deployed> {
    const lib = await this.create(name, inputs);
    this.newRun();
    return lib;
  }

  /** Clears the emulator (libraries, jobs, counts, faults, settings) and starts a new run. */
  reset(): void {
    this.emulator.admin.reset();
    this.newRun();
  }

  /** Stops the emulator, then checks that no line the provider wrote held the AccessKey secret. */
  async close(): Promise<void> {
    await this.emulator.close();
    expect(this.everything.length).toBeGreaterThan(0);
    expect(this.everything.join("\n")).not.toContain(DEFAULT_ACCESS_KEY_SECRET);
  }
}

export { rejection } from "../../support/thrown";

/** A minute of fake time. */
export const MINUTE = 60_000;
