/**
 * The package as a consumer gets it: `npm pack`, installed into a temporary Pulumi project (no symlink, which
 * would make the serializer inline the package by value), a program there run under Pulumi's mocks to capture
 * the `__provider` that goes into state, and that text run by the real provider host from the consumer project.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  createAdminClient,
  DEFAULT_ACCESS_KEY_SECRET,
  startEmulator,
  type RunningEmulator,
} from "../../emulator";
import * as engine from "../../harness/engine";
import { startProviderHost, type ProviderHost } from "../../harness/host-client";
import { firstLine } from "../support/child-output";
import { fastConfig, hostEnv, REPO_ROOT, TYPE_TOKEN } from "../support/lifecycle";

const PULUMI_VERSION = (
  JSON.parse(
    fs.readFileSync(path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8"),
  ) as {
    version: string;
  }
).version;
const MAX_PROVIDER_BYTES = 2048;

let work: string;
let consumer: string;
let captured: { provider: string; inputs: Record<string, unknown> };

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const captured = [];
pulumi.runtime.setMocks(
  {
    newResource: (args) => { captured.push(args.inputs); return { id: "placeholder", state: args.inputs }; },
    call: () => ({}),
  },
  "consumer", "dev", false,
);
pulumi.runtime.setAllConfig(
  { "alicloud:region": "cn-hangzhou", "alicloud:secretKey": process.env.SECRET_UNDER_TEST },
  ["alicloud:secretKey"],
);
const { FingerprintLibrary } = require("pulumi-mps-fpdb");
new FingerprintLibrary("consumer-lib", { description: "from the tarball", purgeTrigger: "r1" });
require("@pulumi/pulumi/runtime/settings").waitForRPCs().then(() => {
  const inputs = captured[0];
  process.stdout.write(JSON.stringify({ provider: inputs.__provider, inputs }));
});
`;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "mps-fpdb-pack-"));
  // `pretest` has built dist/; prepare's rebuild would rewrite it under the other test files reading it.
  const packed = execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", work, "--silent"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  }).trim();
  consumer = path.join(work, "consumer");
  fs.mkdirSync(consumer);
  fs.writeFileSync(
    path.join(consumer, "package.json"),
    JSON.stringify({
      name: "consumer",
      version: "1.0.0",
      private: true,
      dependencies: {
        "pulumi-mps-fpdb": `file:${path.join(work, packed)}`,
        "@pulumi/pulumi": PULUMI_VERSION,
      },
    }),
  );
  fs.writeFileSync(path.join(consumer, "Pulumi.yaml"), "name: consumer\nruntime: nodejs\n");
  fs.writeFileSync(path.join(consumer, "index.js"), PROGRAM);
  execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], {
    cwd: consumer,
    stdio: "ignore",
  });
  const out = execFileSync(process.execPath, ["index.js"], {
    cwd: consumer,
    encoding: "utf8",
    env: { ...process.env, SECRET_UNDER_TEST: DEFAULT_ACCESS_KEY_SECRET },
  });
  captured = JSON.parse(out) as typeof captured;
}, 240_000);

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

it("installs as a real package, not a symlink", () => {
  const installed = path.join(consumer, "node_modules", "pulumi-mps-fpdb");
  expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false);
  expect(fs.existsSync(path.join(installed, "dist", "dynamic", "impl.js"))).toBe(true);
  expect(fs.existsSync(path.join(installed, "core"))).toBe(false);
  expect(fs.existsSync(path.join(installed, "dynamic"))).toBe(false);
});

it("ships exactly the built code, its types and the documents, and every exports and bin target", () => {
  const installed = path.join(consumer, "node_modules", "pulumi-mps-fpdb");
  const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")) as {
    exports: Record<string, string | Record<string, string>>;
    bin: Record<string, string>;
  };
  const files = (dir: string): string[] =>
    fs
      .readdirSync(path.join(installed, dir), { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const shipped = files(".").filter((f) => !f.startsWith("node_modules"));
  const outside = shipped.filter(
    (f) => !/^dist\/(core|dynamic|emulator|cli)\/.+\.(js|d\.ts|js\.map)$/.test(f),
  );
  expect(outside.sort()).toEqual([
    "CHANGELOG.md",
    "LICENSE",
    "README.md",
    "dist/plugin-package/LICENSE",
    "dist/plugin-package/package.json",
    "dist/plugin-package/pulumi-resource-mps-fpdb",
    "dist/plugin-package/pulumi-resource-mps-fpdb.js",
    "docs/versioning.md",
    "package.json",
  ]);
  const targets = Object.values(manifest.exports).flatMap((t) =>
    typeof t === "string" ? [t] : Object.values(t),
  );
  for (const target of [...targets, ...Object.values(manifest.bin)]) {
    expect(fs.existsSync(path.join(installed, target))).toBe(true);
  }
  for (const [specifier, target] of Object.entries(manifest.exports)) {
    if (typeof target === "string") continue;
    expect([specifier, target.types]).toEqual([specifier, target.default.replace(/\.js$/, ".d.ts")]);
  }
  expect(fs.readFileSync(path.join(installed, manifest.bin["mps-fpdb"]), "utf8")).toMatch(
    /^#!\/usr\/bin\/env node\n/,
  );
});

it("stores a __provider of at most 2 KB that requires only pulumi-mps-fpdb/provider-impl", () => {
  const text = captured.provider;
  const bytes = Buffer.byteLength(text, "utf8");
  console.log(`serialized __provider from the npm pack install: ${bytes} bytes`);
  expect(bytes).toBeLessThanOrEqual(MAX_PROVIDER_BYTES);
  const requires = new Set([...text.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]));
  expect([...requires]).toEqual(["pulumi-mps-fpdb/provider-impl"]);
});

it("holds no provider logic and no secret", () => {
  const text = captured.provider;
  for (const logic of ["SubmitFpDBDeleteJob", "ListFpShotDB", "resumeOrSubmit", "checkInputs", "openapi"]) {
    expect(text).not.toContain(logic);
  }
  expect(text).not.toContain(DEFAULT_ACCESS_KEY_SECRET);
  expect(JSON.stringify(captured.inputs)).not.toContain(DEFAULT_ACCESS_KEY_SECRET);
  expect(captured.inputs).toMatchObject({ resourceName: "consumer-lib", description: "from the tarball" });
});

it("carries the provider plugin as a folder Pulumi.yaml plugins.providers can name: executable, and it starts", async () => {
  const folder = path.join(consumer, "node_modules", "pulumi-mps-fpdb", "dist", "plugin-package");
  const executable = path.join(folder, "pulumi-resource-mps-fpdb");
  expect(fs.statSync(executable).mode & 0o111).not.toBe(0);
  // Started as the engine starts a plugin (by its path, no arguments needed to print the port), from the
  // consumer's project: it prints the port it serves on first.
  const child = spawn(executable, [], { cwd: consumer, stdio: ["ignore", "pipe", "pipe"], env: hostEnv() });
  try {
    const line = await firstLine(child);
    expect(line).toMatch(/^\d+$/);
  } finally {
    const exited = new Promise((r) => child.on("exit", r));
    child.kill("SIGKILL");
    await exited;
  }
  expect(JSON.parse(fs.readFileSync(path.join(folder, "package.json"), "utf8"))).toMatchObject({
    name: "pulumi-resource-mps-fpdb",
    version: JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).version,
  });
});

describe("the mps-fpdb command from the installed package", () => {
  const npx = (args: string[]) =>
    execFileSync("npx", ["--no-install", "mps-fpdb", ...args], { cwd: consumer, encoding: "utf8" });

  it("answers --help through npx", () => {
    expect(npx(["--help"])).toMatch(/^Usage: mps-fpdb <command> \[options\]/);
    expect(npx(["emulator", "--help"])).toMatch(/^Usage: mps-fpdb emulator \[options\]/);
    expect(npx(["doctor", "--help"])).toMatch(/^Usage: mps-fpdb doctor \[options\]/);
    expect(npx(["jobs", "--help"])).toMatch(/^Usage: mps-fpdb jobs <fpDbId\.\.\.> \[options\]/);
  });

  it("starts the emulator through npx in under 2 s, and stops it", async () => {
    const started = Date.now();
    // Its own process group: npx does not pass SIGTERM on to the command, so the group is what gets stopped.
    const child = spawn("npx", ["--no-install", "mps-fpdb", "emulator", "--port", "0"], {
      cwd: consumer,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    try {
      const line = await firstLine(child);
      const elapsed = Date.now() - started;
      console.log(`npx mps-fpdb emulator printed its URL after ${elapsed} ms`);
      expect(elapsed).toBeLessThan(2000);
      const url = /^MPS emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line)?.[1];
      expect(url).toBeDefined();
      const admin = createAdminClient(url!);
      expect((await admin.state()).libraries).toEqual([]);
    } finally {
      const exited = new Promise((r) => child.on("exit", r));
      process.kill(-child.pid!, "SIGTERM");
      await exited;
    }
  });
});

describe("run by the provider host from the consumer project", () => {
  let emulator: RunningEmulator;
  let host: ProviderHost;

  beforeAll(async () => {
    emulator = await startEmulator({ activateSeconds: 0.05, jobSeconds: 0.1 });
    host = await startProviderHost({ cwd: consumer, env: hostEnv(), project: "consumer" });
    await host.configure(fastConfig(emulator.endpoint), ["alicloud:secretKey"]);
  });

  afterAll(async () => {
    await host?.close();
    await emulator?.close();
  });

  it("creates and deletes a library with the installed implementation", async () => {
    const urn = `urn:pulumi:dev::consumer::${TYPE_TOKEN}::consumer-lib`;
    const { __provider: _drop, ...inputs } = captured.inputs;
    const checked = await host.check(urn, {}, { ...inputs, __provider: captured.provider });
    expect(checked.failures).toEqual([]);
    const created = await host.create(urn, checked.inputs);
    expect(created.properties).toMatchObject({ fpDbId: created.id, status: "active" });
    await host.delete(urn, created.id, created.properties, checked.inputs);
    expect(emulator.admin.state().jobs).toEqual([
      expect.objectContaining({ fpDbId: created.id, delType: "Delete", status: "Success" }),
    ]);
    expect(host.lines.map((l) => l.line).join("\n")).not.toContain(DEFAULT_ACCESS_KEY_SECRET);
  });
});

describe("provider upgrade", () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ activateSeconds: 0.05, jobSeconds: 0.1 });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  it("destroys state written by one build with the build installed later (the stored shim pins no logic)", async () => {
    const programDir = path.join(consumer, "program");
    fs.mkdirSync(programDir, { recursive: true });
    fs.writeFileSync(path.join(programDir, "Pulumi.yaml"), "name: upgrade\nruntime: nodejs\n");
    fs.writeFileSync(
      path.join(programDir, "index.js"),
      'const { FingerprintLibrary } = require("pulumi-mps-fpdb");\n' +
        'exports.fpDbId = new FingerprintLibrary("upgraded", {}).fpDbId;\n',
    );
    const options = {
      programDir,
      stackFile: path.join(work, "upgrade-stack.json"),
      config: fastConfig(emulator.endpoint),
      secretKeys: ["alicloud:secretKey"],
      env: hostEnv(),
    };
    const up = await engine.up(options);
    expect(up.errors).toEqual([]);
    const fpDbId = String(up.outputs.fpDbId);
    const storedShim = String(up.state.resources[0].outputs.__provider);

    // "npm update" to a build whose Delete behaves differently: here it announces itself in the log.
    const deleteModule = path.join(
      consumer,
      "node_modules",
      "pulumi-mps-fpdb",
      "dist",
      "core",
      "lifecycle",
      "delete.js",
    );
    const original = fs.readFileSync(deleteModule, "utf8");
    // The function's first line, whatever parameters it takes in this build.
    const marker = /async function deleteLibrary\(ctx, state[^)]*\) \{/;
    expect(original).toMatch(marker);
    fs.writeFileSync(
      deleteModule,
      original.replace(marker, (line) => `${line}\n    ctx.log.info("delete by the upgraded build");`),
    );

    const destroyed = await engine.destroy(options);
    expect(destroyed.ok).toBe(true);
    expect(destroyed.diagnostics.join("\n")).toContain("[mps-fpdb] delete by the upgraded build");
    expect(emulator.admin.state().libraries.find((l) => l.fpDbId === fpDbId)?.deleted).toBe(true);
    expect(destroyed.state.resources).toEqual([]);
    expect(storedShim).not.toContain("deleteLibrary");
  });
});
