/**
 * `npm run gen:sdk`: writes schema.json from plugin/package-schema.ts, then the SDKs under sdk/ with Pulumi's code
 * generators (tools/sdkgen, built into .cache/sdkgen). The real-engine tier's staleness test runs the same steps
 * into a temporary folder and compares (test/real-engine/sdk-generation.test.ts).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { packageSchemaJson } from "../plugin/package-schema";

export const ROOT = path.resolve(__dirname, "..");
export const SCHEMA_PATH = path.join(ROOT, "schema.json");
export const SDK_DIR = path.join(ROOT, "sdk");
const SDKGEN_DIR = path.join(ROOT, "tools", "sdkgen");
const SDKGEN_BINARY = path.join(ROOT, ".cache", "sdkgen", "sdkgen");

/** The version the schema and the SDKs carry: the npm package's, so the plugin and its SDKs release together. */
export function packageVersion(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    version: string;
  };
  return manifest.version;
}

/** Builds the generator (Go caches the build, so an unchanged generator costs a second or two). */
export function buildSdkgen(): string {
  fs.mkdirSync(path.dirname(SDKGEN_BINARY), { recursive: true });
  execFileSync("go", ["build", "-o", SDKGEN_BINARY, "."], { cwd: SDKGEN_DIR, stdio: "inherit" });
  return SDKGEN_BINARY;
}

/** Writes the schema to `schemaPath` and the SDKs to `<outDir>/{nodejs,python,go}` (each replaced). */
export function generate(schemaPath: string, outDir: string): void {
  fs.writeFileSync(schemaPath, packageSchemaJson(packageVersion()));
  const sdkgen = buildSdkgen();
  execFileSync(sdkgen, ["-schema", schemaPath, "-out", outDir], { stdio: "inherit" });
}

if (require.main === module) {
  generate(SCHEMA_PATH, SDK_DIR);
  console.log(
    `Wrote ${path.relative(ROOT, SCHEMA_PATH)} and ${path.relative(ROOT, SDK_DIR)}/{nodejs,python,go}.`,
  );
}
