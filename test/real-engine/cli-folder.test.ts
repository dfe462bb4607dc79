/**
 * The test CLI's folder (.cache/pulumi-cli) is self-contained: a copy of it in a folder outside this clone, with no
 * node_modules above it, runs a stack's whole life, its language host started from the copy. Before, the language
 * host was a wrapper pointing into the clone and needing the clone's devDependencies, so a moved clone or one
 * without `npm ci` broke every `pulumi up`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { CLI_DIR, createWorkspace, REPO_ROOT, requireCli, type Workspace } from "./support/cli";

jest.setTimeout(240_000);

const FILES = [
  "pulumi",
  "pulumi-language-nodejs",
  "pulumi-language-nodejs.js",
  "pulumi-resource-pulumi-nodejs",
];

let emulator: RunningEmulator;
let copy: string;
let ws: Workspace;

beforeAll(async () => {
  requireCli();
  copy = fs.mkdtempSync(path.join(os.tmpdir(), "mps-fpdb-moved-cli-"));
  for (const name of FILES) fs.copyFileSync(path.join(CLI_DIR, name), path.join(copy, name));
  for (const name of FILES) fs.chmodSync(path.join(copy, name), 0o755);
  emulator = await startEmulator({ activateSeconds: 0.2, jobSeconds: 0.3 });
  ws = await createWorkspace({ program: "quickstart", emulator, cliDir: copy });
});

afterAll(async () => {
  await ws?.close();
  await emulator?.close();
  if (copy) fs.rmSync(copy, { recursive: true, force: true });
});

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "";
  }
}

test("the copy is outside the clone, has no node_modules above it and names no path of the clone", () => {
  expect(path.relative(REPO_ROOT, copy).startsWith("..")).toBe(true);
  for (let dir = copy; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    expect(fs.existsSync(path.join(dir, "node_modules"))).toBe(false);
  }
  for (const name of ["pulumi-language-nodejs", "pulumi-language-nodejs.js"]) {
    expect(fs.readFileSync(path.join(copy, name), "utf8")).not.toContain(REPO_ROOT);
  }
});

test("up through the copy runs the program with the copy's language host and creates the library", async () => {
  // Long enough an activation that the program, and so its language host, is still running when looked at.
  emulator.admin.setSettings({ activateSeconds: 8 });
  const run = ws.start(["up", "--yes", "--skip-preview"]);
  await run.waitForOutput(/Created library \w+ \(catalogue-dna\): offline/);
  const hosts = run
    .descendants()
    .map(commandLine)
    .filter((line) => line.includes("pulumi-language-nodejs"));
  const result = await run.done;
  expect(result.code).toBe(0);
  expect(hosts).toEqual([expect.stringContaining(path.join(copy, "pulumi-language-nodejs.js"))]);
  expect(emulator.admin.state().libraries).toEqual([
    expect.objectContaining({ name: "catalogue-dna", status: "active", deleted: false }),
  ]);
});

test("destroy through the copy deletes the library", async () => {
  const result = await ws.destroy(["--skip-preview"]);
  expect(result.steps.filter((s) => s.name === "catalogue-dna").map((s) => s.op)).toEqual(["delete"]);
  expect(emulator.admin.state().libraries.every((library) => library.deleted)).toBe(true);
});
