import { MpsClient } from "../../core/client/mps-client";
import { createTransport } from "../../core/client/transport";
import type { RetryCall } from "../../core/resilience/retry";
import { RateLimiterRegistry } from "../../core/resilience/rate-limiter-registry";
import { startEmulator } from "../../emulator";
import type { EmulatorOptions, RunningEmulator } from "../../emulator";
import { accessKeyCredential } from "../support/mps";
import { IoAwareClock } from "./io-aware-clock";

/** An emulator and a fake clock shared with it; clients built here use both. */
export class EmulatorFixture {
  private constructor(
    readonly emulator: RunningEmulator,
    readonly clock: IoAwareClock,
  ) {}

  static async start(options: EmulatorOptions = {}): Promise<EmulatorFixture> {
    const clock = new IoAwareClock();
    const emulator = await startEmulator({ clock, ...options });
    return new EmulatorFixture(emulator, clock);
  }

  /**
   * A typed client over real HTTP to the emulator (openapi-client transport, real credentials object), with
   * its own limiter registry unless one is given, and fixed jitter.
   */
  client(
    options: {
      accessKeyId?: string;
      accessKeySecret?: string;
      limiters?: RateLimiterRegistry;
      onRetry?: RetryCall["onRetry"];
    } = {},
  ): MpsClient {
    const transport = createTransport({
      endpoint: this.emulator.endpoint,
      credential: accessKeyCredential(options.accessKeyId, options.accessKeySecret),
      connectTimeoutMs: 5000,
      readTimeoutMs: 5000,
    });
    return new MpsClient({
      transport: this.clock.trackTransport(transport),
      limiters: options.limiters ?? new RateLimiterRegistry({ clock: this.clock }),
      clock: this.clock,
      random: () => 0.5,
      onRetry: options.onRetry,
    });
  }

  close(): Promise<void> {
    return this.emulator.close();
  }
}
