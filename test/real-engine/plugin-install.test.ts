/**
 * The release tarball that `npm run build:plugin` makes, installed as users of a released plugin install it:
 * `pulumi plugin install resource mps-fpdb <version> --file <tarball>` into the workspace's own PULUMI_HOME, then a
 * YAML program whose Pulumi.yaml names no plugin folder runs on the copy in the plugin cache (nothing there may
 * need this clone). Then the same with the single executable, on a PATH without node.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CLI_DIR, REPO_ROOT, type Workspace } from "./support/cli";
import { PLUGIN_EXECUTABLE, PLUGIN_TYPE, PLUGIN_VERSION, pluginSuite, pluginTarball } from "./support/plugin";

jest.setTimeout(240_000);

// Activation long enough that the plugin is still serving when the test looks at the processes.
const suite = pluginSuite({ activateSeconds: 4, jobSeconds: 0.3 });
let ws: Workspace;
let installed: string;

beforeAll(async () => {
  ws = await suite.workspace("plugin-yaml", { pluginDir: null });
  installed = path.join(String(ws.env.PULUMI_HOME), "plugins", `resource-mps-fpdb-v${PLUGIN_VERSION}`);
});

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "";
  }
}

test("pulumi plugin install --file takes the tarball into the plugin cache", async () => {
  const result = await ws.run([
    "plugin",
    "install",
    "resource",
    "mps-fpdb",
    PLUGIN_VERSION,
    "--file",
    pluginTarball(),
  ]);
  expect(result.output).toContain(`[resource plugin mps-fpdb-${PLUGIN_VERSION}] installing`);
  const listed = JSON.parse((await ws.run(["plugin", "ls", "--json"])).stdout) as {
    name: string;
    kind: string;
    version: string;
  }[];
  expect(listed).toEqual([
    expect.objectContaining({ name: "mps-fpdb", kind: "resource", version: PLUGIN_VERSION }),
  ]);
  expect(fs.statSync(path.join(installed, PLUGIN_EXECUTABLE)).mode & 0o111).not.toBe(0);
});

test("up and destroy run the installed copy, found without plugins.providers", async () => {
  const emulator = suite.emulator();
  expect(fs.readFileSync(path.join(ws.programDir, "Pulumi.yaml"), "utf8")).not.toMatch(/^plugins:/m);
  const run = ws.start(["up", "--yes", "--skip-preview"]);
  await run.waitForOutput(/Created library \w+ \(catalogue\)/);
  const plugins = run
    .descendants()
    .map(commandLine)
    .filter((line) => line.includes(`${PLUGIN_EXECUTABLE}.js`));
  const result = await run.done;
  expect(result.code).toBe(0);
  // Every plugin process (the engine's provider, and the one the YAML host's schema comes from) runs the copy.
  expect(plugins.length).toBeGreaterThan(0);
  expect(new Set(plugins.map((line) => line.split(" ")[1]))).toEqual(
    new Set([path.join(installed, `${PLUGIN_EXECUTABLE}.js`)]),
  );
  const [library] = await ws.resources(PLUGIN_TYPE);
  expect(emulator.admin.state().libraries).toEqual([
    expect.objectContaining({ fpDbId: library.id, status: "active", deleted: false }),
  ]);

  await ws.destroy(["--skip-preview"]);
  expect(emulator.admin.state().libraries).toEqual([expect.objectContaining({ deleted: true })]);
});

describe("the single executable (npm run build:plugin:sea)", () => {
  let seaWs: Workspace;
  let seaOut: string;
  let seaInstalled: string;

  beforeAll(async () => {
    seaOut = fs.mkdtempSync(path.join(os.tmpdir(), "mps-fpdb-sea-"));
    execFileSync(
      process.execPath,
      [path.join(REPO_ROOT, "scripts", "build-plugin.js"), "--sea", "--out-dir", seaOut],
      {
        stdio: "pipe",
      },
    );
    // No node on PATH: only the CLI's folder (the CLI and the YAML host are Go programs), so the plugin can only
    // run if it carries Node.js itself.
    seaWs = await suite.workspace("plugin-yaml", { pluginDir: null, env: { PATH: CLI_DIR } });
    seaInstalled = path.join(
      String(seaWs.env.PULUMI_HOME),
      "plugins",
      `resource-mps-fpdb-v${PLUGIN_VERSION}`,
    );
  });

  afterAll(() => {
    if (seaOut) fs.rmSync(seaOut, { recursive: true, force: true });
  });

  test("installs from its tarball and serves up and destroy with no node on PATH", async () => {
    const emulator = suite.emulator();
    const tarball = path.join(seaOut, "plugin-release-sea", path.basename(pluginTarball()));
    await seaWs.run(["plugin", "install", "resource", "mps-fpdb", PLUGIN_VERSION, "--file", tarball]);
    expect(fs.readdirSync(seaInstalled).sort()).toEqual(["LICENSE", "package.json", PLUGIN_EXECUTABLE]);

    const run = seaWs.start(["up", "--yes", "--skip-preview"]);
    await run.waitForOutput(/Created library \w+ \(catalogue\)/);
    const plugins = run
      .descendants()
      .map(commandLine)
      .filter((line) => line.includes(PLUGIN_EXECUTABLE));
    const result = await run.done;
    expect(result.code).toBe(0);
    expect(plugins.length).toBeGreaterThan(0);
    expect(new Set(plugins.map((line) => line.split(" ")[0]))).toEqual(
      new Set([path.join(seaInstalled, PLUGIN_EXECUTABLE)]),
    );
    const [library] = await seaWs.resources(PLUGIN_TYPE);
    expect(emulator.admin.state().libraries).toContainEqual(
      expect.objectContaining({ fpDbId: library.id, status: "active", deleted: false }),
    );

    await seaWs.destroy(["--skip-preview"]);
    expect(emulator.admin.state().libraries.find((l) => l.fpDbId === library.id)).toMatchObject({
      deleted: true,
    });
  });
});
