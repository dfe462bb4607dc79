import * as path from "node:path";
import { startProviderHost, type Props, type ProviderHost } from "../../harness/host-client";
import { serializeProvider } from "../../harness/serialize-provider";
import {
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from "../../emulator";

/** The repository root: the provider host resolves `pulumi-mps-fpdb/provider-impl` from here. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export const TYPE_TOKEN = "pulumi-nodejs:dynamic/mps:FingerprintLibrary";

let shimText: Promise<string> | undefined;

/**
 * The `__provider` text, produced the way `pulumi.dynamic.Resource` produces it (the SDK's closure serializer,
 * in a plain Node process), from the compiled shim.
 */
export function providerText(): Promise<string> {
  shimText ??= serializeProvider(
    path.join(REPO_ROOT, "dist", "dynamic", "shim.js"),
    "shimProvider",
    REPO_ROOT,
  ).then((s) => s.text);
  return shimText;
}

/** Stack config that points the provider at the emulator with millisecond timing. */
export function fastConfig(endpoint: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    "alicloud:region": "cn-hangzhou",
    "alicloud:accessKey": DEFAULT_ACCESS_KEY_ID,
    "alicloud:secretKey": DEFAULT_ACCESS_KEY_SECRET,
    "pulumi-mps-fpdb:endpoint": endpoint,
    "pulumi-mps-fpdb:pollIntervalMs": "20",
    "pulumi-mps-fpdb:maxPollIntervalMs": "100",
    "pulumi-mps-fpdb:retryBaseMs": "5",
    "pulumi-mps-fpdb:retryThrottleBaseMs": "20",
    "pulumi-mps-fpdb:retryMaxDelayMs": "200",
    "pulumi-mps-fpdb:readTimeoutMs": "2000",
    "pulumi-mps-fpdb:progressIntervalMs": "200",
    ...extra,
  };
}

/** Environment for a provider host: no ambient Alibaba Cloud credentials, no metadata service. */
export function hostEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(ALIBABA_CLOUD_|ALICLOUD_|MPS_FPDB_|PULUMI_)/.test(key)) env[key] = value;
  }
  return { ...env, ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true", ...extra };
}

/** One resource as the engine keeps it. */
export interface Deployed {
  urn: string;
  id: string;
  inputs: Props;
  outputs: Props;
}

/**
 * An emulator plus a configured provider host, with the engine's request sequence for one resource at a time
 * (Check, Diff, Create, Read, Update, Delete).
 */
export class LifecycleFixture {
  /** Lines printed by the hosts of earlier runs (see {@link newRun}). */
  private readonly earlierLines: string[] = [];

  private constructor(
    readonly emulator: RunningEmulator,
    private current: ProviderHost,
    readonly provider: string,
    private readonly startHost: () => Promise<ProviderHost>,
  ) {}

  /** The provider host of the current run. */
  get host(): ProviderHost {
    return this.current;
  }

  /**
   * Ends this run's provider host and starts a configured one, as the engine does for every `pulumi up` or
   * `pulumi destroy`: a provider host lives for one run, and the provider relies on it (it reads the account's
   * newest jobs once per run). A test that plays several runs calls this between them.
   */
  async newRun(): Promise<void> {
    this.earlierLines.push(...this.current.lines.map((l) => l.line));
    await this.current.close();
    this.current = await this.startHost();
  }

  static async start(
    options: {
      emulator?: EmulatorOptions;
      config?: Record<string, string>;
      env?: NodeJS.ProcessEnv;
      configure?: boolean;
    } = {},
  ): Promise<LifecycleFixture> {
    const provider = await providerText();
    const emulator = await startEmulator({
      activateSeconds: 0.05,
      jobSeconds: 0.15,
      quota: 1000,
      ...options.emulator,
    });
    const startHost = async (configure: boolean): Promise<ProviderHost> => {
      const host = await startProviderHost({
        cwd: REPO_ROOT,
        env: hostEnv(options.env),
        project: "lifecycle",
      });
      if (configure) {
        await host.configure(fastConfig(emulator.endpoint, options.config), ["alicloud:secretKey"]);
      }
      return host;
    };
    let host: ProviderHost;
    try {
      host = await startHost(options.configure !== false);
    } catch (err) {
      await emulator.close();
      throw err;
    }
    return new LifecycleFixture(emulator, host, provider, () => startHost(true));
  }

  urn(name: string): string {
    return `urn:pulumi:dev::lifecycle::${TYPE_TOKEN}::${name}`;
  }

  /** Check with the raw inputs a program would send (the resource class adds `resourceName`). */
  check(name: string, inputs: Props, olds: Props = {}) {
    return this.host.check(this.urn(name), olds, {
      resourceName: name,
      ...inputs,
      __provider: this.provider,
    });
  }

  /** Check (which must pass) then Create. */
  async create(name: string, inputs: Props): Promise<Deployed> {
    const checked = await this.check(name, inputs);
    expect(checked.failures).toEqual([]);
    const created = await this.host.create(this.urn(name), checked.inputs);
    return { urn: this.urn(name), id: created.id, inputs: checked.inputs, outputs: created.properties };
  }

  /** Check then Diff against a deployed resource. */
  async diff(resource: Deployed, inputs: Props) {
    const name = String(resource.inputs.resourceName);
    const checked = await this.check(name, inputs, resource.inputs);
    expect(checked.failures).toEqual([]);
    const diff = await this.host.diff(
      resource.urn,
      resource.id,
      resource.outputs,
      checked.inputs,
      resource.inputs,
    );
    return { checked: checked.inputs, diff };
  }

  /** Check, Diff, then Update (the engine's path for an in-place change). */
  async update(resource: Deployed, inputs: Props): Promise<Deployed> {
    const { checked, diff } = await this.diff(resource, inputs);
    expect(diff.replaces).toEqual([]);
    const updated = await this.host.update(
      resource.urn,
      resource.id,
      resource.outputs,
      checked,
      resource.inputs,
    );
    return { ...resource, inputs: checked, outputs: updated.properties };
  }

  read(resource: Deployed) {
    return this.host.read(resource.urn, resource.id, resource.outputs, resource.inputs);
  }

  delete(resource: Deployed): Promise<void> {
    return this.host.delete(resource.urn, resource.id, resource.outputs, resource.inputs);
  }

  /** Jobs the emulator accepted, optionally for one library. */
  jobs(fpDbId?: string) {
    const jobs = this.emulator.admin.state().jobs;
    return fpDbId === undefined ? jobs : jobs.filter((job) => job.fpDbId === fpDbId);
  }

  /** Every line the provider host printed. */
  output(): string {
    return [...this.earlierLines, ...this.host.lines.map((l) => l.line)].join("\n");
  }

  /**
   * Waits until the host has printed `text`. Its stdout is a separate stream from the gRPC reply, so a line
   * logged just before a method returns can arrive after the reply.
   */
  async waitForOutput(text: string, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output().includes(text) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.output();
  }

  async close(): Promise<void> {
    await this.host.close();
    await this.emulator.close();
  }
}
