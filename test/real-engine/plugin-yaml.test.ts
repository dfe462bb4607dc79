/**
 * The provider plugin through Pulumi's real CLI with a YAML program: Pulumi's own YAML language host (built by
 * scripts/build-pulumi-yaml.sh) needs no SDK, it reads the resource's schema from the plugin, which the CLI
 * finds through Pulumi.yaml `plugins.providers` naming the packaged folder as the npm package carries it. One
 * library through its life (support/plugin.ts, `singleLibrarySteps`, which the Python program goes through
 * too): up, a no-change preview, a purge, refresh, a `customTimeouts` that runs out and the next up that resumes
 * the job, `pulumi import` of a library made outside Pulumi, with the YAML code the host writes for it, and destroy.
 */
import type { Workspace } from "./support/cli";
import { pluginSuite, singleLibrarySteps } from "./support/plugin";

jest.setTimeout(300_000);

const suite = pluginSuite({ activateSeconds: 0.2, jobSeconds: 0.3 });
let ws: Workspace;

beforeAll(async () => {
  // Named as a user of the npm package names it: relative to the project, inside the installed package (the
  // program's node_modules holds this repository's link to itself, so it is dist/plugin-package of this clone).
  ws = await suite.workspace("plugin-yaml", {
    pluginDir: "node_modules/pulumi-mps-fpdb/dist/plugin-package",
  });
});

const steps = singleLibrarySteps({
  project: "mps-fpdb-plugin-yaml",
  libraryName: "plugin-yaml-catalogue",
  language: "YAML",
  suite,
  workspace: () => ws,
  checkImportOutput: (output, fpDbId) => {
    // The YAML host wrote the program code for the imported resource, from the plugin's schema, and the engine
    // says that imports are protected.
    expect(output).toContain(
      [
        "  legacy:",
        "    type: mps-fpdb:FingerprintLibrary",
        "    properties:",
        `      fpDbId: ${fpDbId}`,
      ].join("\n"),
    );
    expect(output).toMatch(/imported resources are marked as protected/);
  },
});

test(
  "up creates the library through the packaged plugin; the provider's secret stays encrypted in state",
  steps.up,
);
test("a second preview plans no change and calls no write", steps.preview);
test(
  "a purgeTrigger change empties the library with one Purge job, whose JobId the outputs hold",
  steps.purge,
);
test("refresh reads the library and changes nothing", steps.refresh);
test(
  "customTimeouts that run out fail the update with the JobId and how to resume; the next up resumes the job",
  steps.timeout,
);
test(
  "pulumi import adopts a library made outside Pulumi from its id: inputs from Read, protected, YAML code printed",
  steps.importLibrary,
);
test("destroy deletes the created library with one Delete job and keeps the imported one", steps.destroy);
