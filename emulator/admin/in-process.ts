import type { EmulatorCore } from "../core";
import { validateSettings } from "../defaults";
import { newResourceId } from "../ids";
import { EmulatorInputError } from "../input-error";
import { jobView, libraryView } from "../store/model";
import { isoMillis } from "../time";
import type { EmulatorAdmin, EmulatorSettings, FaultRule, SeedLibrary } from "../types";

const SETTING_NAMES: readonly (keyof EmulatorSettings)[] = [
  "qps",
  "throttleAlgorithm",
  "quota",
  "activateSeconds",
  "jobSeconds",
  "purgeSeconds",
  "deleteSeconds",
  "maxSkewSeconds",
];

/** The in-process admin of an emulator. Every method validates its input and throws `EmulatorInputError`. */
export function createInProcessAdmin(core: EmulatorCore): EmulatorAdmin {
  return {
    state() {
      const now = core.now();
      return {
        region: core.region,
        now: isoMillis(now),
        accountIds: [...core.keyring.accountIds],
        libraries: core.store.allLibraries().map((lib) => libraryView(lib, now)),
        jobs: core.store.allJobs().map((job) => jobView(job, now)),
        faults: core.faults.views(),
        settings: { ...core.settings },
      };
    },
    reset: () => core.reset(),
    setFaults(rules: FaultRule[]) {
      if (!Array.isArray(rules)) throw new EmulatorInputError("setFaults takes an array of fault rules.");
      core.faults.set(rules);
    },
    addFault: (rule: FaultRule) => core.faults.add(rule),
    clearFaults: () => core.faults.clear(),
    seedLibrary: (lib: SeedLibrary) => seedLibrary(core, lib),
    setSettings(partial: Partial<EmulatorSettings>) {
      if (typeof partial !== "object" || partial === null)
        throw new EmulatorInputError("setSettings takes an object.");
      for (const name of Object.keys(partial)) {
        if (!(SETTING_NAMES as readonly string[]).includes(name)) {
          throw new EmulatorInputError(
            `Unknown emulator setting \`${name}\`; the settings are ${SETTING_NAMES.join(", ")}.`,
          );
        }
      }
      const next = validateSettings({ ...core.settings, ...partial });
      const algorithmChanged = next.throttleAlgorithm !== core.settings.throttleAlgorithm;
      core.settings = next;
      if (algorithmChanged) core.throttler.reset(next.throttleAlgorithm);
      return { ...next };
    },
    settings: () => ({ ...core.settings }),
    counts: () => core.counter.snapshot(),
    requests: () => core.log.snapshot(),
  };
}

function seedLibrary(core: EmulatorCore, lib: SeedLibrary): string {
  if (typeof lib !== "object" || lib === null || typeof lib.name !== "string" || lib.name.length === 0) {
    throw new EmulatorInputError("seedLibrary needs a non-empty `name`.");
  }
  const accountId = lib.accountId ?? core.keyring.accountIds[0]!;
  if (!core.keyring.hasAccount(accountId)) {
    throw new EmulatorInputError(
      `seedLibrary: unknown account "${accountId}"; the accounts are ${core.keyring.accountIds.join(", ")}.`,
    );
  }
  const fpDbId = lib.fpDbId ?? newResourceId();
  if (core.store.hasLibraryId(fpDbId)) {
    throw new EmulatorInputError(`seedLibrary: a library with FpDBId "${fpDbId}" already exists.`);
  }
  if (lib.modelId !== undefined && !Number.isInteger(lib.modelId)) {
    throw new EmulatorInputError(
      `seedLibrary: \`modelId\` must be an integer, got ${JSON.stringify(lib.modelId)}.`,
    );
  }
  if (lib.fileCount !== undefined && !(Number.isInteger(lib.fileCount) && lib.fileCount >= 0)) {
    throw new EmulatorInputError(
      `seedLibrary: \`fileCount\` must be an integer >= 0, got ${JSON.stringify(lib.fileCount)}.`,
    );
  }
  const now = core.now();
  core.store.addLibrary(
    accountId,
    {
      fpDbId,
      name: lib.name,
      description: lib.description,
      modelId: lib.modelId,
      config: lib.config,
      pinnedStatus: lib.status,
      fileCount: lib.fileCount,
    },
    now,
    0,
  );
  return fpDbId;
}
