import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Checkpointer, writeAtomically } from "../../harness/checkpoint";
import { Deployment } from "../../harness/deployment";
import type { ProviderHost } from "../../harness/host-client";
import { SecretBox } from "../../harness/secrets";
import { emptyState, unsealState, type ResourceState, type StackState } from "../../harness/state";
import { wrapSecret } from "../../harness/wire";
import { runToy, stepsOf } from "./support/toy-run";
import { toyWorkspaces } from "./support/toy-workspace";

const workspace = toyWorkspaces();

describe("checkpoints", () => {
  it("coalesces the state writes of a 100-resource up and every write is a complete state", async () => {
    const ws = workspace();
    const seen: number[] = [];
    const resources = Array.from({ length: 100 }, (_, i) => ({ name: `r${i}` }));
    const run = await runToy(ws, "up", resources, {
      onEvent: (e) => {
        if (e.kind !== "checkpoint") return;
        // Read the file at every checkpoint: it must always parse and match what was announced.
        const saved = JSON.parse(fs.readFileSync(ws.stackFile, "utf8")) as StackState;
        expect(saved.resources).toHaveLength(e.resources);
        seen.push(e.resources);
      },
    });
    expect(run.errors).toEqual([]);
    expect(run.steps.filter((s) => s.op === "create" && s.ok)).toHaveLength(100);
    expect(run.checkpointWrites).toBe(seen.length);
    expect(run.checkpointWrites).toBeGreaterThanOrEqual(1);
    // The engine writes at least twice per step (operation pending, then done); coalescing shares writes.
    expect(run.checkpointWrites).toBeLessThan(100);
    expect(seen[seen.length - 1]).toBe(100);
    expect(fs.readdirSync(path.dirname(ws.stackFile))).toEqual(["stack.json"]);
  });

  it("keeps what finished when the provider host dies in the middle of an up", async () => {
    const ws = workspace();
    let hostPid = 0;
    const run = await runToy(
      ws,
      "up",
      [{ name: "fast" }, { name: "slow", slowMs: 60_000, dependsOn: ["fast"] }],
      {
        onEvent: (e) => {
          if (e.kind === "host-started") hostPid = e.pid;
          if (e.kind === "diagnostic" && e.line.startsWith("toy create slow.txt"))
            process.kill(hostPid, "SIGKILL");
        },
      },
    );
    expect(run.ok).toBe(false);
    expect(stepsOf(run).sort()).toEqual(["create:fast", "create:slow:failed"]);
    expect(run.errors).toContain(
      `urn:pulumi:dev::toy::pulumi-nodejs:dynamic/toy:Toy::slow: Create failed: provider host (pid ${hostPid}) ` +
        "exited with signal SIGKILL while Create was pending",
    );
    const saved = JSON.parse(fs.readFileSync(ws.stackFile, "utf8")) as StackState;
    expect(saved.resources.map((r) => r.urn.split("::").pop())).toEqual(["fast"]);

    // The next up starts a new host and carries on from the saved state.
    const resumed = await runToy(ws, "up", [{ name: "fast" }, { name: "slow", dependsOn: ["fast"] }]);
    expect(resumed.errors).toEqual([]);
    expect(stepsOf(resumed).sort()).toEqual(["create:slow", "same:fast"]);
  });
});

/** A fresh temp folder for each test of the enclosing describe. */
function eachTempDir(): () => string {
  let dir = "";
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "checkpoint-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

/** A Deployment of `state` that checkpoints to `file`; its host never starts (no step calls it). */
function deploymentWriting(file: string, state: StackState, secrets?: SecretBox): Deployment {
  return new Deployment({
    state,
    preview: false,
    project: "p",
    stack: "dev",
    parallel: 4,
    host: new Promise<ProviderHost>(() => undefined),
    emit: () => undefined,
    stackFile: file,
    secrets,
  });
}

const resource = (name: string, outputs: ResourceState["outputs"]): ResourceState => ({
  urn: `urn:pulumi:dev::p::pulumi-nodejs:dynamic/toy:Toy::${name}`,
  type: "pulumi-nodejs:dynamic/toy:Toy",
  id: `id-${name}`,
  custom: true,
  inputs: { fileName: `${name}.txt` },
  outputs,
  status: "created",
  dependencies: [],
});

describe("the checkpoint a Deployment writes", () => {
  const dir = eachTempDir();

  it("is the state snapshot() holds, secrets sealed, in-flight operations pending, after every change", async () => {
    const file = path.join(dir(), "s.json");
    const box = SecretBox.derive("passphrase", SecretBox.newSalt());
    const state = emptyState("p", "dev");
    const a = resource("a", { size: 1 });
    const b = resource("b", { password: wrapSecret("pw-in-b") });
    state.resources = [a, b];
    state.outputs = { token: wrapSecret("stack-secret"), plain: "x" };
    const d = deploymentWriting(file, state, box);
    const written = () => {
      const text = fs.readFileSync(file, "utf8");
      expect(text).not.toContain("pw-in-b");
      expect(text).not.toContain("stack-secret");
      return unsealState(JSON.parse(text) as StackState, box);
    };

    await d.operation("updating", b, async () => {
      expect(written()).toEqual(d.snapshot());
      expect(written().pendingOperations).toEqual([{ type: "updating", resource: b }]);
      d.resources.put({ ...b, outputs: { password: wrapSecret("pw-in-b"), size: 2 } }, b);
    });
    d.resources.remove(a);
    await d.finish();
    expect(written()).toEqual(d.snapshot());
    expect(written().pendingOperations).toBeUndefined();
    expect(written().resources.map((r) => [r.id, r.outputs])).toEqual([
      ["id-b", { password: wrapSecret("pw-in-b"), size: 2 }],
    ]);
  });
});

describe("a terminated Deployment", () => {
  const dir = eachTempDir();

  it("finishes only once its last checkpoint, with the operation in flight pending, is written", async () => {
    const file = path.join(dir(), "s.json");
    const d = deploymentWriting(file, emptyState("p", "dev"));
    const entry = resource("slow", {});
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const step = d.operation("creating", entry, async () => {
      started();
      return new Promise<never>(() => undefined);
    });
    await running;
    expect(d.checkpointWrites).toBe(1);
    // As the engine's interrupt handler does: terminate without waiting; the step gives up at once and the run
    // goes on to finish.
    void d.terminate();
    await expect(step).rejects.toThrow("terminated");
    await d.finish();
    expect(d.checkpointWrites).toBe(2);
    const saved = JSON.parse(fs.readFileSync(file, "utf8")) as StackState;
    expect(saved.pendingOperations).toEqual([{ type: "creating", resource: entry }]);
  });
});

describe("Checkpointer", () => {
  const tempDir = eachTempDir();
  let dir = "";
  beforeEach(() => {
    dir = tempDir();
  });

  it("writes a burst of changes once, then once more at flush", async () => {
    const file = path.join(dir, "s.json");
    const state = emptyState("p", "dev");
    const cp = new Checkpointer(file, () => JSON.stringify(state), 10_000);
    for (let i = 0; i < 50; i++) {
      state.outputs = { i };
      cp.markDirty();
    }
    await cp.idle();
    expect(cp.writes).toBe(1);
    expect(JSON.parse(fs.readFileSync(file, "utf8")).outputs).toEqual({ i: 49 });
    state.outputs = { i: 50 };
    cp.markDirty();
    expect(cp.writes).toBe(1);
    await cp.flush();
    expect(cp.writes).toBe(2);
    expect(JSON.parse(fs.readFileSync(file, "utf8")).outputs).toEqual({ i: 50 });
  });

  it("does not write at flush when nothing changed", async () => {
    const cp = new Checkpointer(path.join(dir, "s.json"), () => JSON.stringify(emptyState("p", "dev")));
    await cp.flush();
    expect(cp.writes).toBe(0);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("replaces the file by rename, leaving no temp file and the old content until the rename", async () => {
    const file = path.join(dir, "nested", "s.json");
    await writeAtomically(file, "old");
    const inode = fs.statSync(file).ino;
    await writeAtomically(file, "new");
    expect(fs.readFileSync(file, "utf8")).toBe("new");
    expect(fs.statSync(file).ino).not.toBe(inode);
    expect(fs.readdirSync(path.dirname(file))).toEqual(["s.json"]);
  });

  it("writes content given in pieces, more of them than one gathering write takes, in order", async () => {
    const file = path.join(dir, "s.json");
    const pieces = Array.from({ length: 3000 }, (_, i) => Buffer.from(i % 7 === 0 ? "" : `${i},`));
    await writeAtomically(file, pieces);
    expect(fs.readFileSync(file, "utf8")).toBe(Buffer.concat(pieces).toString("utf8"));
  });

  it("reports a failed write at flush with the file name", async () => {
    fs.writeFileSync(path.join(dir, "blocker"), "");
    const file = path.join(dir, "blocker", "s.json");
    const cp = new Checkpointer(file, () => JSON.stringify(emptyState("p", "dev")));
    cp.markDirty();
    await expect(cp.flush()).rejects.toThrow(`could not write the state file ${file}: `);
  });
});
