import * as pulumi from "@pulumi/pulumi";
import { FingerprintLibrary } from "pulumi-mps-fpdb";

const config = new pulumi.Config();

// Created on the first `pulumi up`; changing `purgeTrigger` empties it (a Purge job); `pulumi destroy` deletes it.
const library = new FingerprintLibrary("catalogue-dna", {
  description: "Video fingerprints of the catalogue",
  purgeTrigger: config.get("purgeTrigger"),
  userData: "quickstart",
});

export const fpDbId = library.fpDbId;
export const status = library.status;
// Before the first purge there is no job: a placeholder keeps Pulumi from warning that an undefined value will
// not show as a stack output.
export const purgeJobId = library.purgeJobId.apply((id) => id ?? "none yet");
export const purgeJobStatus = library.purgeJobStatus.apply((status) => status ?? "none yet");
export const jobHistory = library.jobHistory;
