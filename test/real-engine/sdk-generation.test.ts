/**
 * The generated SDKs (sdk/, `npm run gen:sdk`, docs/sdks.md): they are what Pulumi's generators make from the
 * current schema, and each one builds where its users would build it: the Go module against the pinned
 * `github.com/pulumi/pulumi/sdk/v3`, the Node package with tsc against the repository's `@pulumi/pulumi`, the
 * Python package installed into a virtual environment with `pulumi` from PyPI at the pinned version. In this tier
 * because it needs Go (which the tier requires for its CLI), the module proxy once, PyPI once, and a minute or two.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generate } from "../../scripts/gen-sdk";
import { REPO_ROOT, requireCli } from "./support/cli";
import { installPythonSdk, PYTHON_SDK_REQUIREMENTS, pythonVenv } from "./support/plugin";

jest.setTimeout(600_000);

const SDK_DIR = path.join(REPO_ROOT, "sdk");
/** The Pulumi version every SDK is built against: the CLI's, the Node SDK's, the Go module's, PyPI's. */
const PULUMI_VERSION = "3.248.0";
/** Build products the SDKs' own .gitignore files leave out: never part of the comparison. */
const BUILD_PRODUCTS = new Set(["node_modules", "bin", "build", "dist", "__pycache__", ".mypy_cache"]);

let tmp: string;

beforeAll(() => {
  requireCli();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-generation-"));
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Every file under `dir`, as paths relative to it, build products left out. */
function filesUnder(dir: string, prefix = ""): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    if (BUILD_PRODUCTS.has(entry.name) || entry.name.endsWith(".egg-info") || entry.name.endsWith(".pyc"))
      continue;
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(dir, relative));
    else found.push(relative);
  }
  return found.sort();
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} in ${cwd} failed (${result.status}):\n${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout;
}

it("regenerating schema.json and sdk/ from the current schema changes nothing (else: run npm run gen:sdk)", () => {
  const schemaPath = path.join(tmp, "schema.json");
  const out = path.join(tmp, "sdk");
  generate(schemaPath, out);
  const stale: string[] = [];
  if (fs.readFileSync(schemaPath, "utf8") !== fs.readFileSync(path.join(REPO_ROOT, "schema.json"), "utf8")) {
    stale.push("schema.json");
  }
  const fresh = filesUnder(out);
  const committed = filesUnder(SDK_DIR);
  for (const file of new Set([...fresh, ...committed])) {
    const a = path.join(out, file);
    const b = path.join(SDK_DIR, file);
    if (!fs.existsSync(a)) stale.push(`sdk/${file} (no longer generated)`);
    else if (!fs.existsSync(b)) stale.push(`sdk/${file} (missing)`);
    else if (!fs.readFileSync(a).equals(fs.readFileSync(b))) stale.push(`sdk/${file}`);
  }
  if (stale.length > 0) {
    throw new Error(
      `The committed SDKs are stale: ${stale.join(", ")}. Run npm run gen:sdk and commit the result.`,
    );
  }
  expect(fresh).toEqual(
    expect.arrayContaining(["go/go.mod", "nodejs/package.json", "python/pyproject.toml"]),
  );
});

it("the Go SDK is a module that builds against github.com/pulumi/pulumi/sdk/v3 at the pinned version", () => {
  const dir = path.join(SDK_DIR, "go");
  const mod = fs.readFileSync(path.join(dir, "go.mod"), "utf8");
  expect(mod).toMatch(
    new RegExp(`^\\s*github\\.com/pulumi/pulumi/sdk/v3 v${PULUMI_VERSION.replace(/\./g, "\\.")}$`, "m"),
  );
  // Read-only: a go.mod or go.sum that lacks an entry fails here instead of being completed quietly.
  run("go", ["build", "./..."], dir, { GOFLAGS: "-mod=readonly", GOWORK: "off" });
  const packages = run("go", ["list", "./..."], dir, { GOFLAGS: "-mod=readonly", GOWORK: "off" });
  expect(packages).toMatch(/\/sdk\/go\/mpsfpdb\n/);
  expect(packages).toMatch(/\/sdk\/go\/mpsfpdb\/config\n/);
});

it("the Node SDK compiles with tsc against the repository's @pulumi/pulumi and exports the resource and the provider", () => {
  // Compiled inside the repository (.cache) so that `@pulumi/pulumi` resolves to the repository's copy.
  const outDir = path.join(REPO_ROOT, ".cache", "sdk-check", "nodejs");
  fs.rmSync(outDir, { recursive: true, force: true });
  const tsc = path.join(REPO_ROOT, "node_modules", ".bin", "tsc");
  run(tsc, ["-p", path.join(SDK_DIR, "nodejs", "tsconfig.json"), "--outDir", outDir], REPO_ROOT);
  // The compiled package reads its version from its own package.json at load, which a publish copies beside it.
  fs.copyFileSync(path.join(SDK_DIR, "nodejs", "package.json"), path.join(outDir, "package.json"));
  const manifest = JSON.parse(fs.readFileSync(path.join(SDK_DIR, "nodejs", "package.json"), "utf8"));
  const repoManifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
  expect(manifest.pulumi).toEqual({ resource: true, name: "mps-fpdb", version: repoManifest.version });
  const probe = execFileSync(
    process.execPath,
    [
      "-e",
      `const sdk = require(${JSON.stringify(outDir)});` +
        "console.log(JSON.stringify({ resource: typeof sdk.FingerprintLibrary, provider: typeof sdk.Provider, " +
        "recreate: sdk.types.enums.PurgeStrategy.Recreate, retain: sdk.types.enums.DeletionPolicy.Retain }));",
    ],
    { cwd: REPO_ROOT, encoding: "utf8" },
  );
  expect(JSON.parse(probe)).toEqual({
    resource: "function",
    provider: "function",
    recreate: "recreate",
    retain: "Retain",
  });
});

it("the Python SDK installs with pulumi from PyPI and imports, with snake_case names", () => {
  const python = path.join(pythonVenv(PYTHON_SDK_REQUIREMENTS), "bin", "python");
  installPythonSdk(python, tmp);
  // Its declared dependencies are all present at versions it accepts.
  run(python, ["-m", "pip", "check"], tmp);
  const probe = run(
    python,
    [
      "-c",
      [
        "import inspect, json, pulumi_mps_fpdb as m",
        "import pulumi_mps_fpdb.config as c",
        "args = list(inspect.signature(m.FingerprintLibraryArgs.__init__).parameters)",
        "outs = [n for n in dir(m.FingerprintLibrary) if isinstance(getattr(m.FingerprintLibrary, n), property)]",
        "print(json.dumps({'args': args, 'outputs': outs, 'recreate': m.PurgeStrategy.RECREATE.value,",
        "  'config': [c.region, c.requests_per_second, c.secret_key, c.endpoint],",
        "  'provider': m.Provider.__name__}))",
      ].join("\n"),
    ],
    tmp,
    // Config as the language host hands it to a program: the provider's keys under the `mps-fpdb:` namespace.
    {
      PULUMI_CONFIG: JSON.stringify({
        "mps-fpdb:region": "cn-shanghai",
        "mps-fpdb:requestsPerSecond": "50",
        "mps-fpdb:secretKey": "s3",
      }),
    },
  );
  const seen = JSON.parse(probe);
  expect(seen.args).toEqual(
    expect.arrayContaining([
      "fp_db_id",
      "library_name",
      "purge_trigger",
      "deletion_policy",
      "job_timeout_seconds",
    ]),
  );
  expect(seen.args).not.toContain("fpDbId");
  expect(seen.outputs).toEqual(expect.arrayContaining(["job_tag_key", "reported_model_id", "job_history"]));
  expect(seen.recreate).toBe("recreate");
  expect(seen.config).toEqual(["cn-shanghai", 50, "s3", null]);
  expect(seen.provider).toBe("Provider");
  const installed = run(python, ["-m", "pip", "show", "pulumi"], tmp);
  expect(installed).toMatch(new RegExp(`^Version: ${PULUMI_VERSION.replace(/\./g, "\\.")}$`, "m"));
});
