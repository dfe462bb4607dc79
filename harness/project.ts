/**
 * Reading a Pulumi project folder: its name and program entry from `Pulumi.yaml`, and the project's own
 * `@pulumi/pulumi`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** What the harness needs from a project folder. */
export interface ProjectInfo {
  /** Absolute project folder. */
  dir: string;
  /** `name` from Pulumi.yaml (the folder name when there is no Pulumi.yaml). */
  name: string;
  /** Absolute path of the program entry (`main` from Pulumi.yaml, else index.ts / index.js). */
  entry: string;
}

/** Reads `Pulumi.yaml` in `dir`. Throws when there is no program to run. */
export function readProject(dir: string): ProjectInfo {
  const abs = path.resolve(dir);
  const name = readProjectName(abs);
  const yamlPath = path.join(abs, "Pulumi.yaml");
  const doc = fs.existsSync(yamlPath)
    ? (parse(fs.readFileSync(yamlPath, "utf8")) as Record<string, unknown>)
    : {};
  const base = typeof doc.main === "string" ? path.resolve(abs, doc.main) : abs;
  const candidates = [
    base,
    `${base}.ts`,
    `${base}.js`,
    path.join(base, "index.ts"),
    path.join(base, "index.js"),
  ];
  const entry = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
  if (!entry) {
    throw new Error(`no Pulumi program in ${abs}: expected index.ts or index.js (or Pulumi.yaml \`main\`)`);
  }
  return { dir: abs, name, entry };
}

/** `name` from `dir/Pulumi.yaml`, else the folder name. */
export function readProjectName(dir: string): string {
  const yamlPath = path.join(dir, "Pulumi.yaml");
  if (fs.existsSync(yamlPath)) {
    const doc = parse(fs.readFileSync(yamlPath, "utf8")) as Record<string, unknown> | null;
    if (doc && typeof doc.name === "string" && doc.name) return doc.name;
  }
  return path.basename(path.resolve(dir));
}

/**
 * The folder of the `@pulumi/pulumi` that a program in `dir` imports. The harness must use that copy: the
 * provider host comes from it, and the program runtime's global settings live in it.
 */
export function resolvePulumiSdk(dir: string): string {
  try {
    return path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [path.resolve(dir)] }));
  } catch {
    throw new Error(
      `cannot find @pulumi/pulumi from ${dir}; install the project's dependencies (npm install)`,
    );
  }
}
