/**
 * The reliability suite's own Alibaba Cloud account on the emulator. Its secret is distinctive, so finding it
 * anywhere (state, host output, errors, recorded requests) can only mean it leaked; the emulator's default key
 * is never configured in this suite.
 */
import type { EmulatorAccount, EmulatorOptions } from "../../../emulator";
import { fastConfig } from "../../support/lifecycle";

/** Owner of every library the suite creates. */
export const SUITE_ACCOUNT_ID = "1000000000000777";
/** The AccessKeyId every provider host of the suite signs with. */
export const SUITE_ACCESS_KEY_ID = "LTAI5tReliabilitySuiteKey";
/** The secret to look for. Not a real secret: it only works against the emulator. */
export const SUITE_ACCESS_KEY_SECRET = "reliability-suite-secret-7f3a91c2e5d8b4";

/** The config key that carries the secret; the harness keeps it out of state files. */
export const SECRET_CONFIG_KEY = "alicloud:secretKey";

/** The emulator's account list: one account holding the suite's key pair. */
export function suiteAccounts(): EmulatorAccount[] {
  return [
    {
      accountId: SUITE_ACCOUNT_ID,
      accessKeys: [{ accessKeyId: SUITE_ACCESS_KEY_ID, accessKeySecret: SUITE_ACCESS_KEY_SECRET }],
    },
  ];
}

/**
 * Emulator options for the suite: its account, room for hundreds of libraries, short durations (libraries turn
 * active after 50 ms, jobs take 200 ms) and a request log that keeps everything.
 */
export function suiteEmulatorOptions(extra: EmulatorOptions = {}): EmulatorOptions {
  return {
    accounts: suiteAccounts(),
    quota: 1000,
    activateSeconds: 0.05,
    jobSeconds: 0.2,
    // Every request of a stack's life stays in the log, so each run's share can be sliced out of it.
    requestLogLimit: 200_000,
    ...extra,
  };
}

/**
 * The provider's read timeout in the suite, in ms. Generous on purpose: on a busy 2-core machine an ordinary
 * answer can take a second, and an unplanned timeout would make a submit ambiguous behind the test's back. The
 * slow-answer case sets its own, shorter one.
 */
export const SUITE_READ_TIMEOUT_MS = 10_000;

/** Stack config pointing the provider at `endpoint` with the suite's key and millisecond timing. */
export function suiteConfig(endpoint: string, extra: Record<string, string> = {}): Record<string, string> {
  return fastConfig(endpoint, {
    "alicloud:accessKey": SUITE_ACCESS_KEY_ID,
    [SECRET_CONFIG_KEY]: SUITE_ACCESS_KEY_SECRET,
    "pulumi-mps-fpdb:readTimeoutMs": String(SUITE_READ_TIMEOUT_MS),
    ...extra,
  });
}
