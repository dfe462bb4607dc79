/**
 * The release tarball that `npm run build:plugin` makes, installed as users of a released plugin install it:
 * `pulumi plugin install resource mps-fpdb <version> --file <tarball>` into the workspace's own PULUMI_HOME, then a
 * YAML program whose Pulumi.yaml names no plugin folder runs on the copy in the plugin cache (nothing there may
 * need this clone).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Workspace } from "./support/cli";
import { PLUGIN_EXECUTABLE, PLUGIN_TYPE, PLUGIN_VERSION, pluginSuite, pluginTarball } from "./support/plugin";

jest.setTimeout(240_000);

// Activation long enough that the plugin is still serving when the test looks at the processes.
const suite = pluginSuite({ activateSeconds: 2, jobSeconds: 0.3 });
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
