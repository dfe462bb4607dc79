import Credential, { Config } from "@alicloud/credentials";
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from "../../emulator";
import { systemClock } from "../../core/clock";
import { createMpsClient, type MpsClientOptions } from "../../core/client/mps-client";
import type { TransportFactory } from "../../core/client/transport";
import { LibraryWatcher } from "../../core/jobs/watchers";

/** A real `@alicloud/credentials` static AccessKey credential; by default the emulator's built-in key. */
export function accessKeyCredential(
  accessKeyId = DEFAULT_ACCESS_KEY_ID,
  accessKeySecret = DEFAULT_ACCESS_KEY_SECRET,
): Credential {
  return new Credential(new Config({ type: "access_key", accessKeyId, accessKeySecret }));
}

/**
 * Deletes a library behind Pulumi's back, through the real API (as a person in the console would), and waits
 * until ListFpShotDB reports it gone.
 */
export async function deleteOutOfBand(endpoint: string, fpDbId: string): Promise<void> {
  const api = outOfBandApi(endpoint);
  await api.submitFpDbDeleteJob({ fpDbId, delType: "Delete" });
  await new LibraryWatcher(api, { clock: systemClock }).waitFor(fpDbId, (lib) => lib === undefined, {
    intervalMs: 20,
    timeoutMs: 10_000,
    describe: `library ${fpDbId}`,
  });
}

/**
 * The typed MPS client with the emulator's default keys, for calls made outside Pulumi (console, scripts).
 * `timing` lets an in-process test share its fake clock with it.
 */
export function outOfBandApi(
  endpoint: string,
  timing: Pick<MpsClientOptions, "clock" | "random"> & { transportFactory?: TransportFactory } = {},
) {
  return createMpsClient({
    ...timing,
    endpoint,
    credential: accessKeyCredential(),
    connectTimeoutMs: 2000,
    readTimeoutMs: 5000,
  });
}
