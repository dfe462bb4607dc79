/**
 * The FingerprintLibrary resources of a `pulumi stack export` file, found by their outputs (`fpDbId` with
 * `jobHistory`, `purgeJobId` or `schemaVersion`), with what the state says about where they live and which jobs
 * the stack knows. Read only: outputs that are secrets (ciphertext objects) are skipped, never decrypted.
 */
import * as fs from "node:fs";
import type { EndpointType } from "../core/types";

/** A library as the stack's state records it. */
export interface StackLibrary {
  fpDbId: string;
  resourceName?: string;
  region?: string;
  endpoint?: string;
  endpointType?: EndpointType;
  profile?: string;
  /** JobIds in the state: `jobHistory` and `purgeJobId`, newest last as recorded. */
  knownJobIds: string[];
}

export function readStackExport(file: string): StackLibrary[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(
      `--stack-export ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)}). Write it with ` +
        "`pulumi stack export --file <file>` in the project folder.",
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(
      `--stack-export ${file} is not JSON. Write it with \`pulumi stack export --file <file>\`.`,
    );
  }
  const resources = (parsed as { deployment?: { resources?: unknown } } | null)?.deployment?.resources;
  if (!Array.isArray(resources)) {
    throw new Error(
      `--stack-export ${file} has no deployment.resources list; is it the output of \`pulumi stack export\`?`,
    );
  }
  return resources.flatMap((resource: unknown) => {
    const library = libraryOf(resource);
    return library ? [library] : [];
  });
}

function libraryOf(resource: unknown): StackLibrary | undefined {
  const r = resource as { urn?: unknown; outputs?: Record<string, unknown> } | null;
  const o = r?.outputs;
  if (!o || typeof o.fpDbId !== "string" || o.fpDbId === "") return undefined;
  const looksLikeOurs =
    Array.isArray(o.jobHistory) || "purgeJobId" in o || typeof o.schemaVersion === "number";
  if (!looksLikeOurs) return undefined;
  const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
  const history = Array.isArray(o.jobHistory) ? o.jobHistory : [];
  const known = [
    ...history.map((j: unknown) => str((j as { jobId?: unknown } | null)?.jobId)),
    str(o.purgeJobId),
  ].filter((id): id is string => id !== undefined);
  const endpointType = o.endpointType === "vpc" || o.endpointType === "public" ? o.endpointType : undefined;
  const urnName = typeof r?.urn === "string" ? r.urn.split("::").pop() : undefined;
  return {
    fpDbId: o.fpDbId,
    resourceName: str(o.resourceName) ?? urnName,
    region: str(o.region),
    endpoint: str(o.endpoint),
    endpointType,
    profile: str(o.profile),
    knownJobIds: [...new Set(known)],
  };
}
