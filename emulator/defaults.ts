import { validateDuration } from "./durations";
import { EmulatorInputError } from "./input-error";
import type { EmulatorAccount, EmulatorOptions, EmulatorSettings, ThrottleAlgorithm } from "./types";

/** AccessKeyId of the default account. Not a real key: it only works against the emulator. */
export const DEFAULT_ACCESS_KEY_ID = "LTAI5tEmulatorDefaultKey";
/** AccessKeySecret of the default account. Not a real secret: it only works against the emulator. */
export const DEFAULT_ACCESS_KEY_SECRET = "emulator-default-secret-not-for-production";
/** Account that owns the default key pair. */
export const DEFAULT_ACCOUNT_ID = "1000000000000001";
/** Region served when none is given. */
export const DEFAULT_REGION = "cn-hangzhou";
/** The documented per-action limit (docs/mps-api.md, 'Operations'). */
export const DEFAULT_QPS = 100;
/** The documented default library quota per account (docs/mps-api.md, 'CreateFpShotDB'). */
export const DEFAULT_QUOTA = 5;
/** Seconds a new library stays `offline`: short, so tests and demos need not wait. */
export const DEFAULT_ACTIVATE_SECONDS = 1;
/** Seconds a Purge/Delete job takes end to end (a third Queuing, the rest Analysing). */
export const DEFAULT_JOB_SECONDS = 3;
/** 15 minutes, the usual Alibaba gateway tolerance (docs/mps-api.md, 'Conventions'). */
export const DEFAULT_MAX_SKEW_SECONDS = 900;
/** Seed of the fault-rate PRNG. */
export const DEFAULT_SEED = 1;
/** Requests kept by the request log. */
export const DEFAULT_REQUEST_LOG_LIMIT = 20000;
/** The only API version MPS serves here. */
export const API_VERSION = "2014-06-18";

const THROTTLE_ALGORITHMS: readonly ThrottleAlgorithm[] = ["token-bucket", "fixed-window"];

/** The default account list: one account with the default key pair. */
export function defaultAccounts(): EmulatorAccount[] {
  return [
    {
      accountId: DEFAULT_ACCOUNT_ID,
      accessKeys: [{ accessKeyId: DEFAULT_ACCESS_KEY_ID, accessKeySecret: DEFAULT_ACCESS_KEY_SECRET }],
    },
  ];
}

/** Start settings from options, validated. */
export function resolveSettings(options: EmulatorOptions): EmulatorSettings {
  return validateSettings({
    qps: options.qps ?? DEFAULT_QPS,
    throttleAlgorithm: options.throttleAlgorithm ?? "token-bucket",
    quota: options.quota ?? DEFAULT_QUOTA,
    activateSeconds: options.activateSeconds ?? DEFAULT_ACTIVATE_SECONDS,
    jobSeconds: options.jobSeconds ?? DEFAULT_JOB_SECONDS,
    ...(options.purgeSeconds !== undefined ? { purgeSeconds: options.purgeSeconds } : {}),
    ...(options.deleteSeconds !== undefined ? { deleteSeconds: options.deleteSeconds } : {}),
    maxSkewSeconds: options.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS,
  });
}

/** Throws `EmulatorInputError` naming the first bad setting. */
export function validateSettings(settings: EmulatorSettings): EmulatorSettings {
  requireNumber("qps", settings.qps, { min: Number.MIN_VALUE });
  requireNumber("quota", settings.quota, { min: 0, integer: true });
  validateDuration("activateSeconds", settings.activateSeconds);
  validateDuration("jobSeconds", settings.jobSeconds);
  if (settings.purgeSeconds !== undefined) validateDuration("purgeSeconds", settings.purgeSeconds);
  if (settings.deleteSeconds !== undefined) validateDuration("deleteSeconds", settings.deleteSeconds);
  if (!(typeof settings.maxSkewSeconds === "number" && settings.maxSkewSeconds >= 0)) {
    throw new EmulatorInputError(
      `Emulator setting \`maxSkewSeconds\` must be a number >= 0 (Infinity disables the check), got ${JSON.stringify(settings.maxSkewSeconds)}.`,
    );
  }
  if (!THROTTLE_ALGORITHMS.includes(settings.throttleAlgorithm)) {
    throw new EmulatorInputError(
      `Emulator setting \`throttleAlgorithm\` must be one of ${THROTTLE_ALGORITHMS.join(", ")}, got ${JSON.stringify(settings.throttleAlgorithm)}.`,
    );
  }
  return settings;
}

function requireNumber(name: string, value: unknown, rule: { min: number; integer?: boolean }): void {
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    value >= rule.min &&
    (!rule.integer || Number.isInteger(value));
  if (!ok) {
    const kind = rule.integer ? "an integer" : "a finite number";
    const bound = rule.min === Number.MIN_VALUE ? "> 0" : `>= ${rule.min}`;
    throw new EmulatorInputError(
      `Emulator setting \`${name}\` must be ${kind} ${bound}, got ${JSON.stringify(value)}.`,
    );
  }
}
