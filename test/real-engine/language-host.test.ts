/**
 * What the language host (tools/pulumi/language-host) hands the program, seen through the real CLI: secret
 * config stays secret (PULUMI_CONFIG_SECRET_KEYS) and a program's own error is reported once (exit code 32,
 * "bail"). The dry run of a preview shows in the preview tests (no write call to the emulator).
 */
import { startEmulator, type RunningEmulator } from "../../emulator";
import { requireCli, type Workspace } from "./support/cli";
import { librariesWorkspace } from "./support/fixture";

jest.setTimeout(180_000);

let emulator: RunningEmulator;
let ws: Workspace;

beforeAll(async () => {
  requireCli();
  emulator = await startEmulator({ activateSeconds: 0.2, jobSeconds: 0.3 });
  ws = await librariesWorkspace(emulator, []);
});

afterAll(async () => {
  await ws?.close();
  await emulator?.close();
});

test("a secret config value reaches the program and its output stays secret", async () => {
  await ws.setConfig("mps-fpdb-real-engine:echo", "s3cr3t-value", true);
  await ws.up(["--skip-preview"]);
  const shown = JSON.parse((await ws.run(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
  expect(shown.echoed).toBe("[secret]");
  expect((await ws.outputs()).echoed).toBe("s3cr3t-value");
  expect((await ws.run(["stack", "export"])).stdout).not.toContain("s3cr3t-value");
});

test("a program that throws fails the update with its own message, reported once", async () => {
  await ws.setConfig("mps-fpdb-real-engine:fail", "true");
  const result = await ws.up(["--skip-preview"], { allowFailure: true });
  await ws.removeConfig("mps-fpdb-real-engine:fail");
  expect(result.code).not.toBe(0);
  const mentions = result.output.match(/the fixture program failed on purpose/g) ?? [];
  expect(mentions.length).toBeGreaterThan(0);
  // Exit code 32 tells the host the user has been told; it must not add its own exit-code error.
  expect(result.output).not.toMatch(/Program exited with non-zero exit code/);
});
