/**
 * Two behaviours of Pulumi's own CLI that users of this package must be told about (README, 'Troubleshooting'
 * and 'Limitations'), held here so that the documents change when the engine does:
 *
 * - a `pulumi destroy` stopped by one Ctrl-C exits 0 and says the resources were deleted while some remain in the
 *   stack (the steps under way finish, the rest never start);
 * - `-v=9 --logtostderr` prints stack-config secrets and secret inputs in the engine's own log lines; without it,
 *   neither is printed (the provider logs neither).
 */
import { scenarioSuite } from "./support/fixture";

jest.setTimeout(300_000);

const suite = scenarioSuite({ activateSeconds: 0.2, jobSeconds: 0.3, quota: 100 });

test("a destroy stopped by one Ctrl-C exits 0 and says the resources were deleted, while some remain", async () => {
  const ws = await suite.workspace(Array.from({ length: 10 }, (_, i) => ({ name: `lib-${i}` })));
  const emulator = suite.emulator();
  await ws.up(["--skip-preview"]);
  emulator.admin.setSettings({ jobSeconds: 6 });

  const run = ws.start(["destroy", "--yes", "--skip-preview"]);
  await run.waitForOutput(/Submitted Delete job/);
  run.signal("SIGINT");
  const result = await run.done;

  expect(result.code).toBe(0);
  expect(result.output).toContain("The resources in the stack have been deleted");
  expect((await ws.resources()).length).toBeGreaterThan(0);
  emulator.admin.setSettings({ jobSeconds: 0.3 });
  await ws.destroy(["--skip-preview"]);
  expect(await ws.resources()).toEqual([]);
});

test("-v=9 --logtostderr prints stack-config secrets and secret inputs; a plain run prints neither", async () => {
  const trigger = "trigger-secret-7a1c";
  const echoed = "config-secret-93fe";
  const ws = await suite.workspace([{ name: "verbose", purgeTrigger: trigger, secretTrigger: true }]);
  await ws.setConfig("mps-fpdb-real-engine:echo", echoed, true);

  const plain = await ws.up(["--skip-preview"]);
  expect(plain.output).not.toContain(trigger);
  expect(plain.output).not.toContain(echoed);

  await ws.setConfig("mps-fpdb-real-engine:echo", `${echoed}-2`, true);
  const verbose = await ws.up(["--skip-preview", "-v=9", "--logtostderr"]);
  expect(verbose.output).toContain(trigger);
  expect(verbose.output).toContain(`${echoed}-2`);
});
