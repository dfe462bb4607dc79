/**
 * Interrupted runs as the Pulumi CLI has them (backend/cancellation_scope.go, backend/snapshot.go,
 * deploy/deployment_executor.go): a first interrupt cancels (running steps finish and are recorded, no new step
 * starts), a second terminates, leaving the operations in flight as pending operations in the checkpoint. Each
 * later update warns about them; pending CREATEs stay until `refresh --clear-pending-creates`.
 */
import * as fs from "node:fs";
import type { EngineEvent } from "../../harness/engine";
import { loadState } from "../../harness/state";
import { runToy, stepsOf } from "./support/toy-run";
import { toyWorkspaces } from "./support/toy-workspace";

const workspace = toyWorkspaces();

const urn = (name: string) => `urn:pulumi:dev::toy::pulumi-nodejs:dynamic/toy:Toy::${name}`;

/** Calls `then` once the provider has logged `line` (the operation is in flight inside the host). */
function onProviderLine(prefix: string, then: () => void): (e: EngineEvent) => void {
  let fired = false;
  return (e) => {
    if (!fired && e.kind === "diagnostic" && e.source === "host" && e.line.startsWith(prefix)) {
      fired = true;
      then();
    }
  };
}

describe("interrupting a run", () => {
  it("cancel lets the running step finish and records it; no new step starts", async () => {
    const ws = workspace();
    const cancel = new AbortController();
    // b registers once a is created: after the cancel.
    const run = await runToy(
      ws,
      "up",
      [
        { name: "a", slowMs: 1500 },
        { name: "b", dependsOn: ["a"] },
      ],
      {
        cancelSignal: cancel.signal,
        onEvent: onProviderLine("toy create a.txt", () => cancel.abort()),
      },
    );
    expect(run.ok).toBe(false);
    expect(stepsOf(run)).toEqual(["create:a"]);
    expect(run.errors).toEqual(["update canceled: interrupted before every step had run"]);
    expect(ws.files()).toEqual(["a.txt"]);
    const saved = loadState(ws.stackFile, "toy", "dev");
    expect(saved.resources.map((r) => r.urn)).toEqual([urn("a")]);
    expect(saved.pendingOperations ?? []).toEqual([]);
  });

  it("terminate leaves the CREATE in flight pending in the checkpoint; later ups warn until refresh clears it", async () => {
    const ws = workspace();
    const terminate = new AbortController();
    const run = await runToy(ws, "up", [{ name: "slow", slowMs: 5000 }], {
      terminateSignal: terminate.signal,
      onEvent: onProviderLine("toy create slow.txt", () => terminate.abort()),
    });
    expect(run.ok).toBe(false);
    expect(run.stillRunning).toEqual([{ type: "creating", urn: urn("slow"), id: undefined }]);
    expect(run.errors[0]).toContain(`creating ${urn("slow")}`);
    expect(run.errors[0]).toContain("--clear-pending-creates");
    const saved = loadState(ws.stackFile, "toy", "dev");
    expect(saved.resources).toEqual([]);
    expect(saved.pendingOperations).toEqual([
      { type: "creating", resource: expect.objectContaining({ urn: urn("slow"), custom: true }) },
    ]);

    const next = await runToy(ws, "up", [{ name: "slow" }]);
    expect(next.errors).toEqual([]);
    expect(next.warnings[0]).toMatch(
      /^Attempting to deploy or update resources with 1 pending operations from previous deployment\.\n {2}\* urn:pulumi:dev::toy::pulumi-nodejs:dynamic\/toy:Toy::slow, interrupted while creating\n/,
    );
    expect(loadState(ws.stackFile, "toy", "dev").pendingOperations).toHaveLength(1);

    const kept = await runToy(ws, "refresh", []);
    expect(kept.errors).toEqual([]);
    expect(loadState(ws.stackFile, "toy", "dev").pendingOperations).toHaveLength(1);
    const cleared = await runToy(ws, "refresh", [], { clearPendingCreates: true });
    expect(cleared.errors).toEqual([]);
    expect(loadState(ws.stackFile, "toy", "dev").pendingOperations ?? []).toEqual([]);
  });

  it("terminate during a delete leaves it pending; the next up warns once, and the resource is still in state", async () => {
    const ws = workspace();
    expect((await runToy(ws, "up", [{ name: "d", slowMs: 2500 }])).errors).toEqual([]);
    const terminate = new AbortController();
    const run = await runToy(ws, "destroy", [], {
      terminateSignal: terminate.signal,
      onEvent: onProviderLine("toy delete d.txt", () => terminate.abort()),
    });
    expect(run.stillRunning).toEqual([{ type: "deleting", urn: urn("d"), id: `${ws.dataDir}/d.txt` }]);
    const saved = loadState(ws.stackFile, "toy", "dev");
    expect(saved.resources.map((r) => r.urn)).toEqual([urn("d")]);
    expect(saved.pendingOperations?.map((o) => o.type)).toEqual(["deleting"]);
    expect(fs.existsSync(`${ws.dataDir}/d.txt`)).toBe(true);

    const next = await runToy(ws, "up", [{ name: "d" }]);
    expect(next.errors).toEqual([]);
    expect(next.warnings[0]).toContain(`* ${urn("d")}, interrupted while deleting`);
    expect(loadState(ws.stackFile, "toy", "dev").pendingOperations ?? []).toEqual([]);
  });
});
