/**
 * A provider host outliving its engine (issue 9 item 7). Pulumi's real dynamic-provider host is started by a
 * stand-in engine process, which is killed with SIGKILL while the host is busy: plugins get no death signal, so
 * the host must notice on its own that its engine is gone, let an in-flight submit finish, and exit instead of
 * spinning on EPIPE.
 */
import { startEmulator, type RunningEmulator } from "../../emulator";
import { hostEnv, providerText, REPO_ROOT, TYPE_TOKEN } from "../support/lifecycle";
import { startIdleResetProxy, type IdleResetProxy } from "../support/idle-reset-proxy";
import {
  cpuTicks,
  killIfAlive,
  startOrphanParent,
  waitForExit,
  type OrphanParent,
} from "../support/orphan-host";
import { suiteConfig, suiteEmulatorOptions, SECRET_CONFIG_KEY } from "./support/suite-account";

/** Polls of 50 ms the host gets to exit after its engine died: generous, for a busy 2-core machine. */
const EXIT_POLLS = 400;
const PROJECT = "orphaned-host";

let emulator: RunningEmulator | undefined;
let parent: OrphanParent | undefined;
let proxy: IdleResetProxy | undefined;

afterEach(async () => {
  killIfAlive(parent?.hostPid());
  await parent?.kill();
  await proxy?.close();
  await emulator?.close();
  parent = undefined;
  proxy = undefined;
  emulator = undefined;
});

function urn(name: string): string {
  return `urn:pulumi:dev::${PROJECT}::${TYPE_TOKEN}::${name}`;
}

async function orphanCreate(
  endpoint: string,
  name: string,
  wrapper = false,
  config: Record<string, string> = {},
): Promise<OrphanParent> {
  return startOrphanParent({
    wrapper,
    cwd: REPO_ROOT,
    env: hostEnv(),
    project: PROJECT,
    config: suiteConfig(endpoint, config),
    secretKeys: [SECRET_CONFIG_KEY],
    urn: urn(name),
    inputs: { resourceName: name, __provider: await providerText() },
    operation: "create",
  });
}

async function until(what: string, condition: () => boolean, polls = 600): Promise<void> {
  for (let i = 0; i < polls; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting until ${what}`);
}

it("exits on its own once its engine was killed during a create's wait for `active`, without spinning", async () => {
  // The library never becomes active: the host waits until its engine is gone.
  emulator = await startEmulator(suiteEmulatorOptions({ activateSeconds: 3600 }));
  const running = emulator;
  parent = await orphanCreate(running.endpoint, "orphan-wait");
  const pid = parent.hostPid()!;
  await parent.waitFor((e) => e.event === "sent");
  await until("the library exists", () => running.admin.state().libraries.length === 1);
  // A few polls of the wait, so the host is inside it.
  const lists = () => running.admin.requests().filter((r) => r.action === "ListFpShotDB").length;
  const before = lists();
  await until("the wait has polled", () => lists() >= before + 2);

  await parent.kill();
  const exit = await waitForExit(pid, EXIT_POLLS);
  console.log(
    `orphaned host (create wait): exited after ${exit.polls ?? "more than " + EXIT_POLLS} polls of 50 ms, ` +
      `${exit.cpuTicks} CPU ticks used meanwhile`,
  );
  expect(exit.polls).toBeDefined();
  // The library it created is still there, for the next run to find (the lost create is another issue's).
  expect(running.admin.state().libraries.filter((l) => !l.deleted)).toHaveLength(1);
}, 60_000);

it("exits too when it runs under the CLI's shell plugin wrapper, which outlives the engine", async () => {
  emulator = await startEmulator(suiteEmulatorOptions({ activateSeconds: 3600 }));
  const running = emulator;
  // No progress line for ten minutes: the host writes nothing, so no failed write can give the engine away.
  parent = await orphanCreate(running.endpoint, "orphan-wrapped", true, {
    "pulumi-mps-fpdb:progressIntervalMs": "600000",
  });
  const pid = parent.hostPid()!;
  const host = parent.events.find((e) => e.event === "host");
  const wrapperPid = host?.event === "host" ? host.wrapperPid : undefined;
  expect(wrapperPid).toBeDefined();
  await parent.waitFor((e) => e.event === "sent");
  await until("the library exists", () => running.admin.state().libraries.length === 1);

  await parent.kill();
  const exit = await waitForExit(pid, EXIT_POLLS);
  killIfAlive(wrapperPid);
  expect(exit.polls).toBeDefined();
}, 60_000);

it("lets a submit in flight get its answer before exiting, then exits", async () => {
  // Every CreateFpShotDB answer is held back for 1.5 s: the engine dies while the write is on the wire.
  emulator = await startEmulator(suiteEmulatorOptions({ activateSeconds: 0.05 }));
  const running = emulator;
  running.admin.setFaults([{ type: "latency", action: "CreateFpShotDB", latencyMs: 1500 }]);
  // Loopback relay (nothing ever idles long enough to be reset) that sees whether the answer was delivered.
  proxy = await startIdleResetProxy({ upstreamPort: running.port, idleMs: 60_000 });
  parent = await orphanCreate(proxy.endpoint, "orphan-submit");
  const pid = parent.hostPid()!;
  await until("the create reached MPS", () =>
    running.admin.requests().some((r) => r.action === "CreateFpShotDB"),
  );

  await parent.kill();
  const exit = await waitForExit(pid, EXIT_POLLS);
  expect(exit.polls).toBeDefined();
  expect(running.admin.state().libraries).toHaveLength(1);
  // The answer to the create reached the host: it did not close the connection while the write was pending.
  expect(proxy.stats().abandoned).toBe(0);
  expect(proxy.stats().answered).toBeGreaterThan(0);
}, 60_000);

it("is not disturbed while its engine lives: the stand-in engine's create completes", async () => {
  emulator = await startEmulator(suiteEmulatorOptions({ activateSeconds: 0.05 }));
  parent = await orphanCreate(emulator.endpoint, "orphan-none");
  const done = await parent.waitFor((e) => e.event === "done" || e.event === "failed");
  expect(done.event).toBe("done");
  const pid = parent.hostPid()!;
  // Alive and idle after the call, as long as the engine is.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(cpuTicks(pid)).toBeDefined();
});
