/**
 * Three promises an adversarial trial found broken, reproduced through Pulumi's own CLI (the engine decides what
 * the replaced resource's Delete sees, and how secrets reach the provider):
 *
 * 1. a replacement never deletes a library whose `deletionPolicy` was set to Retain in the same update;
 * 2. another stack's Purge of an adopted library never stands in for this stack's trigger;
 * 3. a secret `purgeTrigger` is never quoted in the provider's messages.
 */
import { SECRET_SIG, SIG_KEY } from "../../harness/wire";
import { callsSince, writesIn } from "./support/emulator-calls";
import { opsByName, scenarioSuite, setLibraries } from "./support/fixture";

jest.setTimeout(300_000);

const suite = scenarioSuite({ activateSeconds: 0.2, jobSeconds: 0.3, quota: 100 });
const workspace = (...args: Parameters<typeof suite.workspace>) => suite.workspace(...args);

function library(fpDbId: string) {
  return suite
    .emulator()
    .admin.state()
    .libraries.find((l) => l.fpDbId === fpDbId);
}

function purgesOf(fpDbId: string) {
  return suite
    .emulator()
    .admin.state()
    .jobs.filter((j) => j.fpDbId === fpDbId && j.delType === "Purge");
}

test("a replacement with deletionPolicy Retain set in the same update is refused at preview; done in two ups, the old library is kept", async () => {
  const ws = await workspace([{ name: "keep-me", description: "v1" }]);
  await ws.up(["--skip-preview"]);
  const [first] = await ws.resources();

  await setLibraries(ws, [{ name: "keep-me", description: "v2", deletionPolicy: "Retain" }]);
  const before = suite.emulator().admin.counts();
  const preview = await ws.preview([], { allowFailure: true });
  expect(preview.code).not.toBe(0);
  expect(preview.output).toContain(
    `Cannot replace library ${first.id} (keep-me) in this update: \`description\` (changed) forces a replacement, ` +
      "and the same update changes `deletionPolicy` (Delete → Retain).",
  );
  expect(preview.output).toContain("Change `deletionPolicy` in an update of its own first");
  const up = await ws.up(["--skip-preview"], { allowFailure: true });
  expect(up.code).not.toBe(0);
  expect(writesIn(callsSince(suite.emulator(), before))).toEqual({});
  expect(library(first.id!)?.deleted).toBeFalsy();

  // The way on: the policy in an update of its own, then the replacing change.
  await setLibraries(ws, [{ name: "keep-me", description: "v1", deletionPolicy: "Retain" }]);
  expect(opsByName((await ws.up(["--skip-preview"])).steps)).toEqual({ "keep-me": "update" });
  await setLibraries(ws, [{ name: "keep-me", description: "v2", deletionPolicy: "Retain" }]);
  const replaced = await ws.up(["--skip-preview"]);
  expect(replaced.output).toContain(`Retained library ${first.id} (keep-me): deletionPolicy is Retain`);
  const [now] = await ws.resources();
  expect(now.id).not.toBe(first.id);
  expect(library(first.id!)?.deleted).toBeFalsy();
  expect(
    suite
      .emulator()
      .admin.state()
      .jobs.filter((j) => j.fpDbId === first.id),
  ).toEqual([]);
});

test("stack B's first trigger on a library stack A purged submits B's own Purge, never A's JobId", async () => {
  const a = await workspace([{ name: "owner", userData: null }]);
  await a.up(["--skip-preview"]);
  const [owned] = await a.resources();
  const b = await workspace([{ name: "adopter", fpDbId: owned.id, userData: null }]);
  await b.up(["--skip-preview"]);

  await setLibraries(a, [{ name: "owner", userData: null, purgeTrigger: "a-1" }]);
  await a.up(["--skip-preview"]);
  const [aJob] = purgesOf(owned.id!);
  expect(aJob.status).toBe("Success");

  await setLibraries(b, [{ name: "adopter", fpDbId: owned.id, userData: null, purgeTrigger: "b-1" }]);
  const up = await b.up(["--skip-preview"]);
  expect(up.output).not.toContain("an earlier run submitted it");
  const jobs = purgesOf(owned.id!);
  expect(jobs).toHaveLength(2);
  const [adopter] = await b.resources();
  expect(adopter.outputs?.purgeJobId).toBe(jobs[1].jobId);
  expect(adopter.outputs?.purgeJobId).not.toBe(aJob.jobId);
  // The key of the tags is stored as a secret (encrypted in the state file).
  expect(adopter.outputs?.jobTagKey).toMatchObject({ [SIG_KEY]: SECRET_SIG });
  // Each stack's jobs carry its own tag; neither can be read back to its trigger.
  expect(jobs[0].userData).toMatch(/^mps-fpdb:1:/);
  expect(jobs[1].userData).toMatch(/^mps-fpdb:1:/);
  expect(jobs[1].userData).not.toBe(jobs[0].userData);
});

describe("a secret purgeTrigger is never quoted", () => {
  const SECRET = "hunter2-do-not-print";

  test("a trigger on a library with a modelId is refused without quoting it", async () => {
    const ws = await workspace([{ name: "video", modelId: 12, purgeTrigger: SECRET, secretTrigger: true }]);
    const up = await ws.up(["--skip-preview"], { allowFailure: true });
    expect(up.code).not.toBe(0);
    expect(up.output).toContain("`purgeTrigger` cannot empty a library with `modelId` 12");
    expect(up.output).not.toContain(SECRET);
  });

  test("a protected recreate replacement is refused without quoting it", async () => {
    const ws = await workspace([{ name: "guarded-video", modelId: 12, deletionProtection: true }]);
    await ws.up(["--skip-preview"]);
    await setLibraries(ws, [
      {
        name: "guarded-video",
        modelId: 12,
        deletionProtection: false,
        purgeStrategy: "recreate",
        purgeTrigger: SECRET,
        secretTrigger: true,
      },
    ]);
    const up = await ws.up(["--skip-preview"], { allowFailure: true });
    expect(up.code).not.toBe(0);
    expect(up.output).toContain('`purgeTrigger` (set) with `purgeStrategy: "recreate"` forces a replacement');
    expect(up.output).not.toContain(SECRET);
  });
});
