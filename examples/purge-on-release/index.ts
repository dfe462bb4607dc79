import * as pulumi from "@pulumi/pulumi";
import { FingerprintLibrary } from "pulumi-mps-fpdb";

const config = new pulumi.Config();
const release = config.require("releaseTag");

// No `modelId`: every documented ModelId makes a library Delete-only, and these must accept Purge jobs.
const names = ["trailers", "episodes", "live-clips"];
const libraries = names.map(
  (name) =>
    new FingerprintLibrary(`${name}-dna`, {
      description: `Fingerprints of ${name}, emptied on every release`,
      purgeTrigger: { release },
      userData: `release ${release}`,
    }),
);

export const fpDbIds = libraries.map((library) => library.fpDbId);
export const purgeJobIds = libraries.map((library) => library.purgeJobId);
