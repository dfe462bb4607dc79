import * as pulumi from "@pulumi/pulumi";
import { FingerprintLibrary } from "pulumi-mps-fpdb";

/** What the environment's stack exports. */
export interface EnvironmentOutputs {
  fpDbId: pulumi.Output<string>;
  status: pulumi.Output<string>;
  /** The latest Purge job's id, or "none yet" before the first purge. */
  purgeJobId: pulumi.Output<string>;
}

/**
 * The stack's program as a module, so the same code runs under `pulumi up` (index.ts) and as the inline program
 * of the Automation API script (automation.ts). Config: `environment` (required), `purgeTrigger` (optional, e.g.
 * the commit of the latest data reset), `protect` (true for production), `pipelineId` (optional).
 */
export function environmentProgram(): EnvironmentOutputs {
  const config = new pulumi.Config();
  const environment = config.require("environment");
  const production = config.getBoolean("protect") ?? false;

  const library = new FingerprintLibrary(`${environment}-dna`, {
    description: `Fingerprint library of the ${environment} environment`,
    purgeTrigger: config.get("purgeTrigger"),
    pipelineId: config.get("pipelineId"),
    userData: `env=${environment}`,
    // Production keeps its library: destroy and replacement fail until this is switched off deliberately.
    deletionProtection: production,
  });

  return {
    fpDbId: library.fpDbId,
    status: library.status,
    // Before the first purge there is no job: a placeholder keeps Pulumi from warning that an undefined value will
    // not show as a stack output.
    purgeJobId: library.purgeJobId.apply((id) => id ?? "none yet"),
  };
}
