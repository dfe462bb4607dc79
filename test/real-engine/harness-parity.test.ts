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
import type { StackRunOptions, StepResult } from "../../harness/engine";
import { loadState } from "../../harness/state";
import { SECRET_SIG, SIG_KEY } from "../../harness/wire";
import { sdkCaller } from "../support/emulator";
import { fastConfig, hostEnv } from "../support/lifecycle";
import { LIBRARY_TYPE, requireCli, type StackResource, type Step, type Workspace } from "./support/cli";
import { LIBRARIES_PROGRAM, librariesWorkspace, setLibraries, type LibrarySpec } from "./support/fixture";

jest.setTimeout(300_000);

const PROJECT = "mps-fpdb-real-engine";
const STACK = "test";
const EMULATOR = { activateSeconds: 0.2, jobSeconds: 0.3 };

/** What both sides are compared on after each run. */
interface Observed {
  ok: boolean;
  /** `name op[->endOp] result`, sorted: the engine's step kinds. */
  steps: string[];
  /** The libraries in state, masked, by URN. */
  resources: Record<string, { protect: boolean; inputs: unknown; outputs: unknown }>;
  /** `type name` of each pending operation. */
  pending: string[];
}

type Op = "preview" | "up" | "refresh" | "destroy";

interface Side {
  emulator: RunningEmulator;
  run(op: Op, libraries: LibrarySpec[]): Promise<Observed>;
}

// Values that differ between any two runs, whichever engine: ids, job ids, request ids, times, and the serialized
// provider (ts-node under the CLI, tsx under the harness compile the program's modules differently).
const MASKED_KEY = /^(id|__provider)$|Id$|RequestId$|At$|Time$/;

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
  return out.sort();
}

/** The real engine's steps as recorded in its event log. */
function realSteps(steps: Step[], preview: boolean): string[] {
  return steps
    .filter((s) => s.type.endsWith(":FingerprintLibrary"))
    .map((s) => `${s.name} ${s.op}${s.endOp ? `->${s.endOp}` : ""} ${preview ? "ok" : s.result}`)
    .sort();
}

function harnessSide(emulator: RunningEmulator, work: string): Side {
  const stackFile = path.join(work, "harness-state.json");
  const options = (libraries: LibrarySpec[]): StackRunOptions => {
    const { "alicloud:secretKey": secretKey, ...plain } = fastConfig(emulator.endpoint);
    return {
      programDir: LIBRARIES_PROGRAM,
      stackFile,
      stackName: STACK,
      config: {
        ...plain,
        "alicloud:secretKey": secretKey,
        [`${PROJECT}:libraries`]: JSON.stringify(libraries),
      },
      secretKeys: ["alicloud:secretKey"],
      passphrase: "parity",
      env: hostEnv(),
    };
  };
  return {
    emulator,
    async run(op, libraries) {
      const result = await harness[op](options(libraries));
      if (!result.ok) console.log(`harness ${op} failed: ${result.errors.join("\n")}`);
      const state = loadState(stackFile, PROJECT, STACK);
      return {
        ok: result.ok,
        steps: harnessSteps(result.steps),
        resources: masked(state.resources as unknown as StackResource[]),
        pending: (state.pendingOperations ?? []).map((p) => `${p.type} ${nameOf(p.resource.urn)}`),
      };
    },
  };
}

function realSide(emulator: RunningEmulator, ws: Workspace): Side {
  return {
    emulator,
    async run(op, libraries) {
      if (op === "up" || op === "preview") await setLibraries(ws, libraries);
      const flags = op === "preview" ? [] : ["--skip-preview"];
      const result = await ws[op](flags, { allowFailure: true });
      if (result.code !== 0) console.log(`pulumi ${op} failed:\n${result.output}`);
      const exported = await ws.exportStack();
      return {
        ok: result.code === 0,
        steps: realSteps(result.steps, op === "preview"),
        resources: masked(exported.deployment.resources ?? []),
        pending: (exported.deployment.pending_operations ?? []).map(
          (p) => `${p.type} ${nameOf(p.resource.urn)}`,
        ),
      };
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
async function both(op: Op, libraries: LibrarySpec[]): Promise<Observed> {
  const real = await sides.real.run(op, libraries);
  const ours = await sides.harness.run(op, libraries);
  expect(ours).toEqual(real);
  return real;
}

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

test("refresh after an out-of-band delete, then destroy: the same steps and an empty state", async () => {
  await deleteOutOfBand("alpha");
  const refreshed = await both("refresh", []);
  expect(refreshed.steps).toContain("alpha refresh->delete ok");
  const destroyed = await both("destroy", []);
  expect(destroyed.resources).toEqual({});
  expect(destroyed.pending).toEqual([]);
});
