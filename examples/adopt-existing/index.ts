import * as pulumi from "@pulumi/pulumi";
import { FingerprintLibrary } from "pulumi-mps-fpdb";

const config = new pulumi.Config();

// The library already exists (made by hand or by another tool). The stack takes it over without changing it;
// `deletionPolicy: "Retain"` (also the default for adopted libraries) keeps it when the stack is destroyed.
const library = new FingerprintLibrary("shared-dna", {
  fpDbId: config.require("fpDbId"),
  deletionPolicy: "Retain",
  purgeTrigger: config.get("purgeTrigger"),
});

export const fpDbId = library.fpDbId;
export const reportedName = library.reportedName;
export const status = library.status;
export const adopted = library.adopted;
