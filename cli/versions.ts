/**
 * The versions `doctor` reports: the Pulumi CLI on PATH, the `@pulumi/pulumi` the project resolves, Node.js.
 * The required ranges come from this package's own package.json (`engines`, `peerDependencies`), so the doctor
 * cannot drift from what npm enforces.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** Pulumi CLI 3.146 is the first to pass a dynamic provider's log lines (progress, Delete JobIds) through. */
export const MIN_PULUMI_CLI = "3.146";

/** Version triple of a `v3.248.0`-like text, or undefined. */
export function versionParts(text: string): [number, number, number] | undefined {
  const m = /^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text);
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : undefined;
}

/** Negative, zero or positive as `a` is older than, equal to or newer than `b`. */
export function compareVersions(a: [number, number, number], b: [number, number, number]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * Whether `version` is in a range made of `>=X.Y[.Z]` and `<X[.Y[.Z]]` terms (the forms package.json uses here);
 * undefined for a range of another form, which the doctor then reports without a verdict.
 */
export function inRange(version: string, range: string): boolean | undefined {
  const v = versionParts(version);
  if (!v) return undefined;
  for (const term of range.trim().split(/\s+/)) {
    const m = /^(>=|<)(.+)$/.exec(term);
    const bound = m ? versionParts(m[2]) : undefined;
    if (!m || !bound) return undefined;
    const c = compareVersions(v, bound);
    if (m[1] === ">=" ? c < 0 : c >= 0) return false;
  }
  return true;
}

/** This package's package.json (one folder above dist/cli/ or cli/). */
export function ownPackage(): {
  version: string;
  engines?: { node?: string };
  peerDependencies?: Record<string, string>;
} {
  return JSON.parse(fs.readFileSync(path.join(packageRoot(), "package.json"), "utf8")) as ReturnType<
    typeof ownPackage
  >;
}

function packageRoot(): string {
  // Compiled: <root>/dist/cli; from source (tests, tsx): <root>/cli.
  const up = path.basename(path.dirname(__dirname)) === "dist" ? 2 : 1;
  return path.resolve(__dirname, ...Array<string>(up).fill(".."));
}

/** `pulumi version` of the CLI on PATH, or undefined when there is none. */
export function pulumiCliVersion(env: NodeJS.ProcessEnv, cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile("pulumi", ["version"], { env, cwd, timeout: 15_000 }, (error, stdout) =>
      resolve(error ? undefined : stdout.trim().split("\n")[0]),
    );
  });
}

/**
 * The `@pulumi/pulumi` a program in `cwd` would load (the project's own, as the provider host runs there), else
 * the one next to this package; undefined when neither resolves.
 */
export function pulumiSdk(cwd: string): { version: string; where: string } | undefined {
  for (const [from, where] of [
    [cwd, "in this project"],
    [__dirname, "beside pulumi-mps-fpdb"],
  ] as const) {
    try {
      const file = require.resolve("@pulumi/pulumi/package.json", { paths: [from] });
      const { version } = JSON.parse(fs.readFileSync(file, "utf8")) as { version: string };
      return { version, where };
    } catch {
      // Not installed there: try the next place.
    }
  }
  return undefined;
}
