/**
 * The engine harness against Pulumi's real engine: one stack of the fixture program taken through the same
 * scenarios by both, each against its own emulator, and compared step by step: the plan (operation per
 * resource) of a preview, the step results of every run, and the state after it (inputs, outputs and pending
 * operations of every library, with ids, job ids and times masked; the real side read with `pulumi stack export`).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import * as harness from "../../harness/engine";
import { removeLock } from "../../harness/lock";
import type { EngineEvent, RunResult, StackRunOptions, StepResult } from "../../harness/engine";
import { loadState } from "../../harness/state";
import { SECRET_SIG, SIG_KEY } from "../../harness/wire";
import { sdkCaller } from "../support/emulator";
import { fastConfig, hostEnv } from "../support/lifecycle";
import {
  LIBRARY_TYPE,
  requireCli,
  type CliResult,
  type StackResource,
  type Step,
  type Workspace,
} from "./support/cli";
import {
  LIBRARIES_PROGRAM,
  librariesWorkspace,
  setGets,
  maxConcurrent,
  setLibraries,
  type LibrarySpec,
} from "./support/fixture";

jest.setTimeout(300_000);

const PROJECT = "mps-fpdb-real-engine";
const STACK = "test";
const EMULATOR = { activateSeconds: 0.2, jobSeconds: 0.3, quota: 50 };

/** What both sides are compared on after each run. */
interface Observed {
  ok: boolean;
  /** `name op[->endOp] result`, sorted: the engine's step kinds. */
  steps: string[];
  /** The libraries in state, masked, by URN. */
  resources: Record<string, { protect: boolean; inputs: unknown; outputs: unknown }>;
  /** `type name` of each pending operation. */
  pending: string[];
  /** Whether the run warned about pending operations of an interrupted run. */
  warnedPending: boolean;
  /** The steps in the order they started (not compared: the engine's order within a wave is random). */
  order: string[];
  /** The most library creates that ran at once (not compared: two creates may or may not overlap). */
  maxConcurrentCreates: number;
}

type Op = "preview" | "up" | "refresh" | "destroy";

/** What a run is given besides the libraries. */
interface RunExtra {
  gets?: { name: string; id: string }[];
  /** A new value for the stack's `alicloud:secretKey` (a rotated credential). */
  secretKey?: string;
  flags?: string[];
}

interface Side {
  emulator: RunningEmulator;
  run(op: Op, libraries: LibrarySpec[], extra?: RunExtra): Promise<Observed>;
  /** An up killed once the emulator has a library named `name`. */
  killedUp(libraries: LibrarySpec[], name: string): Promise<Observed>;
  /** Removes the lock a killed run left (`pulumi cancel`); returns whether the stack was locked. */
  cancel(): Promise<boolean>;
}

const PENDING_WARNING = "pending operations from previous deployment";

// Values that differ between any two runs, whichever engine: ids, job ids, request ids, times, random keys (the
// secret `jobTagKey`, kept sealed by the harness and shown in plain by `stack export --show-secrets`), and the
// serialized provider (ts-node under the CLI, tsx under the harness compile the program's modules differently).
const MASKED_KEY = /^(id|__provider)$|Id$|RequestId$|At$|Time$|Key$/;

function mask(value: unknown, key = ""): unknown {
  if (MASKED_KEY.test(key) && value !== undefined && value !== null) return "<masked>";
  if (Array.isArray(value)) return value.map((v) => mask(v));
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    // A secret, as the harness keeps it (value) or as `stack export --show-secrets` shows it (plaintext).
    if (o[SIG_KEY] === SECRET_SIG) {
      return mask("plaintext" in o ? JSON.parse(String(o.plaintext)) : o.value, key);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, mask(v, k)]));
  }
  return value;
}

function masked(resources: StackResource[]): Observed["resources"] {
  return Object.fromEntries(
    resources
      .filter((r) => r.type === LIBRARY_TYPE)
      .map((r) => [r.urn, { protect: r.protect === true, inputs: mask(r.inputs), outputs: mask(r.outputs) }]),
  );
}

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;

/** The harness's step results in the engine's step kinds. */
function harnessSteps(steps: StepResult[]): string[] {
  const out: string[] = [];
  for (const s of steps) {
    if (!s.type.endsWith(":FingerprintLibrary")) continue;
    const result = s.preview ? "ok" : s.ok ? "ok" : "failed";
    const line = (op: string) => out.push(`${s.name} ${op} ${result}`);
    if (s.op === "replace") {
      line("create-replacement");
      line("replace");
      if (s.deleteBeforeReplace) line("delete-replaced");
    } else if (s.op === "delete" && s.replaced) {
      if (!s.deleteBeforeReplace) line("delete-replaced");
    } else if (s.op === "refresh") {
      line(
        s.refresh === "gone"
          ? "refresh->delete"
          : s.refresh === "changed"
            ? "refresh->update"
            : "refresh->same",
      );
    } else {
      line(s.op);
    }
  }
  return out;
}

/** The real engine's steps as recorded in its event log. */
function realSteps(steps: Step[], preview: boolean): string[] {
  return steps
    .filter((s) => s.type.endsWith(":FingerprintLibrary"))
    .map((s) => `${s.name} ${s.op}${s.endOp ? `->${s.endOp}` : ""} ${preview ? "ok" : s.result}`);
}

function harnessSide(emulator: RunningEmulator, work: string): Side {
  const stackFile = path.join(work, "harness-state.json");
  let secretKey = fastConfig(emulator.endpoint)["alicloud:secretKey"];
  let gets: { name: string; id: string }[] = [];
  const options = (libraries: LibrarySpec[], extra: RunExtra = {}): StackRunOptions => {
    if (extra.secretKey !== undefined) secretKey = extra.secretKey;
    if (extra.gets !== undefined) gets = extra.gets;
    return {
      programDir: LIBRARIES_PROGRAM,
      stackFile,
      stackName: STACK,
      config: {
        ...fastConfig(emulator.endpoint),
        "alicloud:secretKey": secretKey,
        [`${PROJECT}:libraries`]: JSON.stringify(libraries),
        [`${PROJECT}:gets`]: JSON.stringify(gets),
      },
      secretKeys: ["alicloud:secretKey"],
      passphrase: "parity",
      env: hostEnv(),
    };
  };
  const observe = (result: RunResult, events: EngineEvent[] = []): Observed => {
    const state = loadState(stackFile, PROJECT, STACK);
    let open = 0;
    let maxConcurrentCreates = 0;
    for (const e of events) {
      if (e.kind === "step-start" && e.op === "create" && e.type.endsWith(":FingerprintLibrary")) {
        maxConcurrentCreates = Math.max(maxConcurrentCreates, ++open);
      }
      if (e.kind === "step-done" && e.step.op === "create" && e.step.type.endsWith(":FingerprintLibrary"))
        open--;
    }
    return {
      ok: result.ok,
      steps: [...harnessSteps(result.steps)].sort(),
      order: harnessSteps(result.steps),
      resources: masked(state.resources as unknown as StackResource[]),
      pending: (state.pendingOperations ?? []).map((p) => `${p.type} ${nameOf(p.resource.urn)}`),
      warnedPending: result.warnings.some((w) => w.includes(PENDING_WARNING)),
      maxConcurrentCreates,
    };
  };
  return {
    emulator,
    async run(op, libraries, extra = {}) {
      const o = options(libraries, extra);
      const flags = extra.flags ?? [];
      const parallel = flags.includes("--parallel")
        ? Number(flags[flags.indexOf("--parallel") + 1])
        : undefined;
      const events: EngineEvent[] = [];
      const result = await harness[op]({
        ...o,
        onEvent: (e) => events.push(e),
        ...(flags.includes("--clear-pending-creates") && { clearPendingCreates: true }),
        ...(parallel !== undefined && { parallel }),
      });
      return observe(result, events);
    },
    async killedUp(libraries, name) {
      const terminate = new AbortController();
      const watch = setInterval(() => {
        if (emulator.admin.state().libraries.some((l) => l.name === name)) terminate.abort();
      }, 10);
      try {
        return observe(await harness.up({ ...options(libraries), terminateSignal: terminate.signal }));
      } finally {
        clearInterval(watch);
        // A terminate in-process ends cleanly; the CLI side is SIGKILLed, which leaves its lock behind, as a
        // killed harness process leaves its own (test/engine/cli-process.test.ts).
        fs.writeFileSync(`${stackFile}.lock`, JSON.stringify({ pid: 0, host: "killed", since: "" }));
      }
    },
    cancel: async () => removeLock(stackFile),
  };
}

function realSide(emulator: RunningEmulator, ws: Workspace): Side {
  const observe = async (result: CliResult, op: Op): Promise<Observed> => {
    const exported = await ws.exportStack();
    return {
      ok: result.code === 0,
      steps: [...realSteps(result.steps, op === "preview")].sort(),
      order: realSteps(result.steps, op === "preview"),
      maxConcurrentCreates: maxConcurrent(result.events, "create"),
      resources: masked(exported.deployment.resources ?? []),
      pending: (exported.deployment.pending_operations ?? []).map(
        (p) => `${p.type} ${nameOf(p.resource.urn)}`,
      ),
      warnedPending: result.output.includes(PENDING_WARNING),
    };
  };
  return {
    emulator,
    async run(op, libraries, extra = {}) {
      if (op === "up" || op === "preview") await setLibraries(ws, libraries);
      if (extra.gets !== undefined) await setGets(ws, extra.gets);
      if (extra.secretKey !== undefined) await ws.setConfig("alicloud:secretKey", extra.secretKey, true);
      const flags = [...(op === "preview" ? [] : ["--skip-preview"]), ...(extra.flags ?? [])];
      return observe(await ws[op](flags, { allowFailure: true }), op);
    },
    async killedUp(libraries, name) {
      await setLibraries(ws, libraries);
      const eventLog = path.join(ws.dir, "killed-up.jsonl");
      const cli = ws.start(["up", "--yes", "--skip-preview", "--event-log", eventLog], {
        allowFailure: true,
      });
      while (!emulator.admin.state().libraries.some((l) => l.name === name)) {
        await new Promise((r) => setTimeout(r, 10));
      }
      cli.signal("SIGKILL");
      return observe(await cli.done, "up");
    },
    async cancel() {
      const result = await ws.run(["cancel", "--yes"], { allowFailure: true });
      if (result.code !== 0) throw new Error(`pulumi cancel failed:\n${result.output}`);
      return true;
    },
  };
}

let work: string;
let sides: { real: Side; harness: Side };
let ws: Workspace;

beforeAll(async () => {
  requireCli();
  work = fs.mkdtempSync(path.join(os.tmpdir(), "harness-parity-"));
  const [realEmulator, harnessEmulator] = await Promise.all([
    startEmulator(EMULATOR),
    startEmulator(EMULATOR),
  ]);
  ws = await librariesWorkspace(realEmulator, []);
  sides = { real: realSide(realEmulator, ws), harness: harnessSide(harnessEmulator, work) };
});

afterAll(async () => {
  await ws?.close();
  await Promise.all([sides?.real.emulator.close(), sides?.harness.emulator.close()]);
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Runs `op` on both sides and expects the same observations. */
async function both(
  op: Op,
  libraries: LibrarySpec[],
  extra?: RunExtra | ((side: Side) => RunExtra),
): Promise<Observed> {
  const extraOf = (side: Side) => (typeof extra === "function" ? extra(side) : extra);
  const real = await sides.real.run(op, libraries, extraOf(sides.real));
  const ours = await sides.harness.run(op, libraries, extraOf(sides.harness));
  const compared = (o: Observed) => ({ ...o, order: undefined, maxConcurrentCreates: undefined });
  if (!real.ok && !ours.ok) {
    // After the first failure the engine starts no new step, but which steps had already started is a race
    // (the engine registers and runs steps concurrently). A `same` step only one side reached before the failure
    // calls nothing; every other step must match.
    const racing = (o: Observed, other: Observed) =>
      o.steps.filter((step) => !other.steps.includes(step) && / same ok$/.test(step));
    const settled = (o: Observed, other: Observed) => ({
      ...compared(o),
      steps: o.steps.filter((step) => !racing(o, other).includes(step)),
    });
    expect(settled(ours, real)).toEqual(settled(real, ours));
    return real;
  }
  expect(compared(ours)).toEqual(compared(real));
  return real;
}

const idOf = (side: Side, name: string) =>
  side.emulator.admin.state().libraries.find((l) => l.name === name && !l.deleted)?.fpDbId ?? "";

/** Deletes a library behind both engines' backs, as someone using the console would. */
async function deleteOutOfBand(name: string): Promise<void> {
  for (const side of [sides.real, sides.harness]) {
    const library = side.emulator.admin.state().libraries.find((l) => l.name === name && !l.deleted);
    if (!library) throw new Error(`no live library ${name}`);
    await sdkCaller({ host: side.emulator.host })("SubmitFpDBDeleteJob", {
      FpDBId: library.fpDbId,
      DelType: "Delete",
    });
    for (
      let i = 0;
      i < 200 && !side.emulator.admin.state().libraries.find((l) => l.fpDbId === library.fpDbId)?.deleted;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

const A: LibrarySpec = { name: "alpha" };
const B: LibrarySpec = { name: "beta" };

test("preview of a new stack: the same plan", async () => {
  const seen = await both("preview", [A, B]);
  expect(seen.steps).toEqual(["alpha create ok", "beta create ok"]);
});

test("up, then a no-change up: the same steps and state", async () => {
  const created = await both("up", [A, B]);
  expect(created.steps).toEqual(["alpha create ok", "beta create ok"]);
  expect(Object.keys(created.resources)).toHaveLength(2);
  const again = await both("up", [A, B]);
  expect(again.steps).toEqual(["alpha same ok", "beta same ok"]);
});

test("a purgeTrigger change and a libraryName change: update and replacement alike", async () => {
  const purged = await both("up", [{ ...A, purgeTrigger: "release-2" }, B]);
  expect(purged.steps).toContain("alpha update ok");
  const replaced = await both("up", [
    { ...A, purgeTrigger: "release-2" },
    { ...B, libraryName: "beta-renamed" },
  ]);
  expect(replaced.steps).toContain("beta replace ok");
});

const B2: LibrarySpec = { ...B, libraryName: "beta-renamed" };
const A2: LibrarySpec = { ...A, purgeTrigger: "release-2" };

test(".get() of an existing library and of a missing one: the same reads and failures", async () => {
  const found = await both("up", [A2, B2], (side) => ({ gets: [{ name: "seen", id: idOf(side, "alpha") }] }));
  expect(found.steps).toContain("seen read ok");
  const missing = await both("up", [A2, B2], {
    gets: [{ name: "ghost", id: "0123456789abcdef0123456789abcdef" }],
  });
  expect(missing.ok).toBe(false);
  const cleared = await both("up", [A2, B2], { gets: [] });
  expect(cleared.ok).toBe(true);
});

test("an up killed while a create waits for active: the same pending CREATE, warning and recovery", async () => {
  for (const side of [sides.real, sides.harness]) side.emulator.admin.setSettings({ activateSeconds: 30 });
  const libraries = [A2, B2, { name: "gamma" }];
  const real = await sides.real.killedUp(libraries, "gamma");
  const ours = await sides.harness.killedUp(libraries, "gamma");
  expect(ours.pending).toEqual(real.pending);
  expect(ours.resources).toEqual(real.resources);
  expect(real.pending).toEqual(["creating gamma"]);
  for (const side of [sides.real, sides.harness]) side.emulator.admin.setSettings({ activateSeconds: 0.2 });

  // The killed run left the stack locked on both sides.
  const locked = await both("up", libraries);
  expect(locked.ok).toBe(false);
  expect(locked.steps).toEqual([]);
  for (const side of [sides.real, sides.harness]) expect(await side.cancel()).toBe(true);
  const next = await both("up", libraries);
  expect(next.warnedPending).toBe(true);
  expect(next.pending).toEqual(["creating gamma"]);
  const cleared = await both("refresh", [], { flags: ["--clear-pending-creates"] });
  expect(cleared.pending).toEqual([]);
});

test("refresh after an out-of-band delete, then destroy: the same steps and an empty state", async () => {
  await deleteOutOfBand("alpha");
  const refreshed = await both("refresh", []);
  expect(refreshed.steps).toContain("alpha refresh->delete ok");
  // A rotated key in stack config is not what destroy uses: it configures the provider from the stored one.
  const destroyed = await both("destroy", [], { secretKey: "rotated-but-not-used" });
  expect(destroyed.ok).toBe(true);
  expect(destroyed.resources).toEqual({});
  expect(destroyed.pending).toEqual([]);
  // The right key back in stack config for what follows (a preview takes it without touching anything).
  const restored = await both("preview", [], { secretKey: fastConfig("")["alicloud:secretKey"] });
  expect(restored.ok).toBe(true);
});

test("a destroy whose Deletes are refused: after the first failure no later Delete starts (fail-fast); the re-run completes", async () => {
  const libraries = ["d1", "d2", "d3", "d4"].map((name) => ({ name }));
  await both("up", libraries);
  for (const side of [sides.real, sides.harness]) {
    side.emulator.admin.setFaults([
      { type: "error", action: "SubmitFpDBDeleteJob", code: "Forbidden.RAM", httpStatus: 403 },
    ]);
    const run = await side.run("destroy", [], { flags: ["--parallel", "1"] });
    side.emulator.admin.clearFaults();
    // Every Delete is refused; one step at a time, the first refusal is the only step that started.
    expect(run.ok).toBe(false);
    expect(run.order).toEqual([expect.stringMatching(/^d\d delete failed$/)]);
    expect(Object.keys(run.resources)).toHaveLength(4);
  }
  // Which libraries the first run got to is the engine's pick; the re-run deletes the rest on both sides.
  for (const side of [sides.real, sides.harness]) {
    const rerun = await side.run("destroy", []);
    expect(rerun.ok).toBe(true);
    expect(rerun.resources).toEqual({});
  }
});

test("protect and deletionProtection on destroy: the same refusals, the rest deleted", async () => {
  const libraries: LibrarySpec[] = [
    { name: "keep", protect: true },
    { name: "guarded", deletionProtection: true },
    { name: "free" },
  ];
  await both("up", libraries);
  const refused = await both("destroy", []);
  expect(refused.ok).toBe(false);
  expect(refused.steps).toEqual(["free delete ok", "guarded delete failed", "keep delete failed"]);
  expect(Object.keys(refused.resources).map(nameOf).sort()).toEqual(["guarded", "keep"]);

  const unprotected = libraries.map((l) => ({ ...l, protect: false, deletionProtection: false }));
  await both("up", unprotected);
  const destroyed = await both("destroy", []);
  expect(destroyed.ok).toBe(true);
  expect(destroyed.resources).toEqual({});
});

test("the default parallelism: as many creates at once in both engines", async () => {
  // Every create must still wait for `active` when the last of the first wave starts, however busy the machine.
  for (const side of [sides.real, sides.harness]) side.emulator.admin.setSettings({ activateSeconds: 3 });
  const libraries = Array.from({ length: 10 }, (_, i) => ({ name: `p${i}` }));
  const real = await sides.real.run("up", libraries);
  const ours = await sides.harness.run("up", libraries);
  for (const side of [sides.real, sides.harness]) side.emulator.admin.setSettings({ activateSeconds: 0.2 });
  expect(ours.steps).toEqual(real.steps);
  expect(ours.maxConcurrentCreates).toBe(real.maxConcurrentCreates);
  expect(real.maxConcurrentCreates).toBe(Math.min(10, 4 * os.availableParallelism()));
  await both("destroy", []);
});
