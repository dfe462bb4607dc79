/**
 * The provider plugin from Go. First without an engine: the example program (examples/go, on the generated Go
 * SDK) under Pulumi's Go mocks (its main_test.go: the registered type token, the camelCase inputs the SDK sends,
 * the explicit provider's arguments, the outputs' wiring), and the test CLI's Go language host
 * (tools/pulumi/language-host-go) against the behaviour of Pulumi's host it stands in for (its main_test.go). Then
 * the same program through Pulumi's real CLI and that host against the emulator: the lifecycle every language's
 * one-library program goes through (singleLibraryScenario), with the explicit provider the program declares from
 * the stack's `mps-fpdb:` config.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import type { Workspace } from "./support/cli";
import { REPO_ROOT } from "./support/cli";
import {
  PLUGIN_TYPE,
  pluginSuite,
  requireGoHost,
  singleLibrarySteps,
  useRepositoryGoSdk,
} from "./support/plugin";

// The first `pulumi up` builds the program and, on a cold Go cache, the Pulumi Go SDK with it: minutes on 2 cores.
jest.setTimeout(600_000);

const PROJECT = "mps-fpdb-go";
const EXAMPLE = path.join(REPO_ROOT, "examples", "go");
const suite = pluginSuite({ activateSeconds: 0.2, jobSeconds: 0.3 });
let ws: Workspace;

/** `go test ./...` in `dir` with the committed go.mod and go.sum, which must need no change. */
function goTest(dir: string): string {
  return execFileSync("go", ["test", "-count=1", "./..."], {
    cwd: dir,
    env: { ...process.env, GOFLAGS: "-mod=readonly", GOWORK: "off", GOTOOLCHAIN: "local" },
    encoding: "utf8",
    stdio: "pipe",
  });
}

test("examples/go under Pulumi's Go mocks: type token, inputs, the explicit provider's arguments, outputs", () => {
  expect(goTest(EXAMPLE)).toMatch(/^ok\s+mps-fpdb-go\b/m);
});

test("the Go language host against the behaviour of Pulumi's: environment, exit codes, Cancel, packages", () => {
  expect(goTest(path.join(REPO_ROOT, "tools", "pulumi", "language-host-go"))).toMatch(/^ok\s/m);
});

describe("examples/go through the real CLI and the Go language host", () => {
  beforeAll(async () => {
    requireGoHost();
    ws = await suite.workspace(EXAMPLE, {
      // The timed-out update needs the 3 s bound the other languages' programs have; the example has none unless asked.
      config: { [`${PROJECT}:updateTimeout`]: "3s" },
    });
    useRepositoryGoSdk(ws.programDir);
  });

  const steps = singleLibrarySteps({
    project: PROJECT,
    libraryName: "go-catalogue",
    language: "Go",
    suite,
    workspace: () => ws,
    // The test CLI's Go host writes no program code (tools/pulumi/language-host-go says why).
    importFlags: ["--generate-code=false"],
  });

  test("up builds the program and creates the library through the explicit provider, configured from mps-fpdb: keys", async () => {
    await steps.up();
    const resources = (await ws.exportStack()).deployment.resources ?? [];
    const provider = resources.find((r) => r.urn.endsWith("::mps"));
    expect(provider).toMatchObject({
      type: "pulumi:providers:mps-fpdb",
      inputs: expect.objectContaining({
        region: "cn-hangzhou",
        endpoint: suite.emulator().endpoint,
        pollIntervalMs: 20,
      }),
    });
    const [library] = resources.filter((r) => r.type === PLUGIN_TYPE);
    expect(library.provider).toBe(`${provider?.urn}::${provider?.id}`);
    // No default provider: every library of the program goes through "mps".
    expect(resources.filter((r) => r.type === "pulumi:providers:mps-fpdb")).toHaveLength(1);
  });
  test("a second preview (the program built again) plans no change and calls no write", steps.preview);
  test("a trigger change empties the library with one Purge job, whose JobId the outputs hold", steps.purge);
  test("refresh reads the library and changes nothing", steps.refresh);
  test("an update timeout of 3 s that runs out names the JobId; the next up resumes the job", steps.timeout);
  test("pulumi import adopts a library made outside Pulumi from its id, protected", steps.importLibrary);
  test("destroy deletes the created library with one Delete job and keeps the imported one", steps.destroy);
});
