/**
 * The provider plugin through Pulumi's real CLI with a Python program on the generated Python SDK
 * (`pulumi_mps_fpdb`, sdk/python installed into a virtual environment with `pulumi` from PyPI at the pinned
 * version), run by the test CLI's Python language host (tools/pulumi/language-host-python, which runs the
 * `pulumi-language-python-exec` script that sdk/v3 ships); the CLI finds the plugin through Pulumi.yaml
 * `plugins.providers` naming the packaged folder. The same life as the YAML program's (support/plugin.ts,
 * `singleLibrarySteps`); `pulumi import` runs with `--generate-code=false`, as the stand-in host generates no
 * code.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Workspace } from "./support/cli";
import { linkPythonVenv, pluginSuite, singleLibrarySteps } from "./support/plugin";

jest.setTimeout(300_000);

const PROJECT = "mps-fpdb-plugin-python";
const suite = pluginSuite({ activateSeconds: 0.2, jobSeconds: 0.3 });
let tmp: string;
let ws: Workspace;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mps-fpdb-python-sdk-"));
  ws = await suite.workspace("plugin-python");
  linkPythonVenv(ws.programDir, tmp);
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const steps = singleLibrarySteps({
  project: PROJECT,
  libraryName: "plugin-python-catalogue",
  language: "Python",
  suite,
  workspace: () => ws,
  importFlags: ["--generate-code=false"],
});

test("a Python program on the generated SDK creates its library through the packaged plugin", steps.up);
test("its second preview plans no change and calls no write", steps.preview);
test(
  "a purgeTrigger change from Python config runs one Purge job, whose JobId the outputs hold",
  steps.purge,
);
test("refresh of the Python program's library reads it and changes nothing", steps.refresh);
test(
  "a CustomTimeouts update bound of 3s that runs out fails with the JobId; the next up resumes the job",
  steps.timeout,
);
test(
  "pulumi import --generate-code=false adopts a library from its id: inputs from Read, protected",
  steps.importLibrary,
);
test(
  "destroy of the Python program deletes its library with one Delete job and keeps the import",
  steps.destroy,
);
