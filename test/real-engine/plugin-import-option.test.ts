/**
 * The `import` resource option through the provider plugin and Pulumi's real CLI: a YAML program names a library
 * made outside Pulumi by its id, `pulumi up` imports it with no write to MPS (Read from the id alone), the state
 * holds it as adopted, and `pulumi destroy` removes it from the stack and keeps it in MPS (an imported library is
 * adopted: kept unless `deletionPolicy: "Delete"`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Workspace } from "./support/cli";
import { callsSince, writesIn } from "./support/emulator-calls";
import { opsByName } from "./support/fixture";
import { PLUGIN_TYPE, pluginSuite } from "./support/plugin";

jest.setTimeout(300_000);

const suite = pluginSuite({ activateSeconds: 0.2, jobSeconds: 0.3 });
let ws: Workspace;
let fpDbId: string;

beforeAll(async () => {
  ws = await suite.workspace("plugin-import-option");
  fpDbId = suite
    .emulator()
    .admin.seedLibrary({ name: "console-library", description: "made in the console" });
  const project = path.join(ws.programDir, "Pulumi.yaml");
  fs.writeFileSync(project, fs.readFileSync(project, "utf8").replaceAll("IMPORT_ID", fpDbId));
});

test("the import option takes a library into the stack from its id, with no write to MPS", async () => {
  const before = suite.emulator().admin.counts();
  const result = await ws.up();
  expect(result.code).toBe(0);
  expect(opsByName(result.steps)).toEqual({ legacy: "import" });
  expect(writesIn(callsSince(suite.emulator(), before))).toEqual({});
  const [legacy] = await ws.resources(PLUGIN_TYPE);
  expect(legacy).toMatchObject({ id: fpDbId, inputs: { fpDbId } });
  expect(legacy.outputs).toMatchObject({ fpDbId, adopted: true, reportedName: "console-library" });
  expect(await ws.outputs()).toMatchObject({ fpDbId, adopted: true });

  // Imported and unchanged: the next preview plans nothing.
  const preview = await ws.preview();
  expect(opsByName(preview.steps)).toEqual({ legacy: "same" });
});

test("destroy removes the imported library from the stack and keeps it in MPS", async () => {
  const before = suite.emulator().admin.counts();
  const result = await ws.destroy(["--skip-preview"]);
  expect(result.code).toBe(0);
  expect(opsByName(result.steps)).toEqual({ legacy: "delete" });
  expect(writesIn(callsSince(suite.emulator(), before))).toEqual({});
  expect(
    suite
      .emulator()
      .admin.state()
      .libraries.find((l) => l.fpDbId === fpDbId),
  ).toMatchObject({
    deleted: false,
  });
  expect(await ws.resources(PLUGIN_TYPE)).toEqual([]);
});
