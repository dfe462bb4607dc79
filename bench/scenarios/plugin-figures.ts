/**
 * Pure pieces of the plugin scenarios (bench/scenarios/plugin.ts, plugin-host.ts), kept apart so a unit test can
 * check them without a CLI: the YAML program of N libraries, state bytes per resource from `pulumi stack export`,
 * and the median of repeated measurements.
 */

/** The project name of the generated YAML program; its `purgeTrigger` config key is `<project>:purgeTrigger`. */
export const PLUGIN_PROJECT = "mps-fpdb-bench-plugin";

/** The plugin's resource token, as the state records it. */
export const PLUGIN_TYPE = "mps-fpdb:index:FingerprintLibrary";

/** The dynamic resource's type, as the state records it. */
export const DYNAMIC_TYPE = "pulumi-nodejs:dynamic/mps:FingerprintLibrary";

/**
 * Pulumi.yaml of `libraries` FingerprintLibrary resources through the plugin, named `bench-0`... like the dynamic
 * bench program's (bench/programs/libraries), with no `modelId` so that a `purgeTrigger` change purges each one.
 * Pulumi YAML has no loops, so the program is written out: one resource block per library.
 */
export function librariesYaml(libraries: number): string {
  if (!Number.isInteger(libraries) || libraries < 1) {
    throw new Error(`librariesYaml: ${libraries} is not a whole number of libraries, 1 or more`);
  }
  const head = [
    `name: ${PLUGIN_PROJECT}`,
    "runtime: yaml",
    `description: Benchmark stack; ${libraries} FingerprintLibrary resources through the mps-fpdb plugin`,
    "config:",
    "  purgeTrigger:",
    "    type: string",
    "    default: release-1",
    "resources:",
  ];
  const blocks: string[] = [];
  for (let i = 0; i < libraries; i++) {
    blocks.push(
      `  bench-${i}:`,
      `    type: ${PLUGIN_TYPE}`,
      "    properties:",
      "      purgeTrigger: ${purgeTrigger}",
    );
  }
  return [...head, ...blocks, "outputs:", `  count: ${libraries}`, ""].join("\n");
}

/** Bytes of a stack's state, per resource of one type. */
export interface StateBytes {
  /** Resources of the type. */
  resources: number;
  /** Mean bytes of one resource entry, as compact JSON. */
  entryBytes: number;
  /**
   * The same without `stackTrace` and `sourcePosition`: what the language host records of where the program
   * registered the resource (its size depends on the host and the paths of its sources, not on the provider).
   */
  entryBytesWithoutSource: number;
  /** Mean bytes of the entry's `inputs` and `outputs` alone. */
  propertyBytes: number;
  /** The whole export's bytes (as `pulumi stack export` printed it) divided by the resources of the type. */
  exportBytesPerResource: number;
}

interface ExportedResource {
  type?: unknown;
  stackTrace?: unknown;
  sourcePosition?: unknown;
  inputs?: unknown;
  outputs?: unknown;
}

/**
 * State bytes per resource of `type` in the text `pulumi stack export` printed. Throws when the text is not an
 * export or holds no resource of the type, so a broken run never reports zero bytes.
 */
export function stateBytes(exportText: string, type: string): StateBytes {
  const parsed = JSON.parse(exportText) as { deployment?: { resources?: ExportedResource[] } };
  const resources = parsed.deployment?.resources;
  if (!Array.isArray(resources)) throw new Error("stateBytes: not a stack export (no deployment.resources)");
  const ofType = resources.filter((r) => r.type === type);
  if (ofType.length === 0) throw new Error(`stateBytes: the export has no resource of type ${type}`);
  const bytes = (value: unknown): number =>
    value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value), "utf8");
  const sum = (f: (r: ExportedResource) => number): number => ofType.reduce((total, r) => total + f(r), 0);
  return {
    resources: ofType.length,
    entryBytes: Math.round(sum(bytes) / ofType.length),
    entryBytesWithoutSource: Math.round(
      sum((r) => bytes({ ...r, stackTrace: undefined, sourcePosition: undefined })) / ofType.length,
    ),
    propertyBytes: Math.round(sum((r) => bytes(r.inputs) + bytes(r.outputs)) / ofType.length),
    exportBytesPerResource: Math.round(Buffer.byteLength(exportText, "utf8") / ofType.length),
  };
}

/** The median of `values` (the mean of the middle two for an even count). Throws on an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median: no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
