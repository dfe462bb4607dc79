import * as pulumi from "@pulumi/pulumi";
import { FingerprintLibrary } from "pulumi-mps-fpdb";

const config = new pulumi.Config();
const libraries = config.requireNumber("libraries");
const purgeTrigger = config.get("purgeTrigger");

// No `modelId`: a library with one is Delete-only, and the purge-all scenario needs Purge jobs.
for (let i = 0; i < libraries; i++) {
  new FingerprintLibrary(`bench-${i}`, { purgeTrigger });
}

export const count = libraries;
