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
export const purgeJobId = library.purgeJobId;
export const purgeJobStatus = library.purgeJobStatus;
export const jobHistory = library.jobHistory;
