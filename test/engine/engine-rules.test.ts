/**
 * The step rules of Pulumi's engine (pkg/resource/deploy: step_generator.go, step_executor.go, step.go at
 * v3.248) as the harness must follow them: one registration generated at a time, fail-fast, replaceOnChanges, refresh diffs and init errors, reads of
 * missing resources, managed <-> get transitions, aliases and protect on replacement.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { providerOps, runToy, stepsOf, type ToySpec } from "./support/toy-run";
import { toyWorkspaces } from "./support/toy-workspace";

const workspace = toyWorkspaces();

const urn = (name: string) => `urn:pulumi:dev::toy::pulumi-nodejs:dynamic/toy:Toy::${name}`;
const sorted = (xs: string[]) => [...xs].sort();

describe("step generation (deployment_executor.go: one source event at a time)", () => {
  it("makes one Check or Diff call at a time, in registration order, while the steps run in parallel", async () => {
    const ws = workspace();
    const names = ["g1", "g2", "g3", "g4"];
    const specs = (content: string): ToySpec[] =>
      names.map((name) => ({ name, content, slowCheckMs: 150, slowMs: 600 }));
    const generated = (lines: string[], op: string) =>
      lines.filter((l) => l.startsWith(`toy generating ${op} `));

    const created = await runToy(ws, "up", specs("one"), { parallel: Infinity });
    expect(created.errors).toEqual([]);
    const checks = generated(created.diagnostics, "check");
    expect(checks).toEqual(names.map((n) => `toy generating check ${n}.txt in-flight=1`));
    // g1's Create started before g4 was checked, and the Creates overlapped: the steps did not wait for the
    // generator, nor the generator for them.
    const lines = created.diagnostics;
    expect(lines.findIndex((l) => l.startsWith("toy create g1.txt"))).toBeLessThan(
      lines.indexOf("toy generating check g4.txt in-flight=1"),
    );
    const inflight = lines
      .filter((l) => l.startsWith("toy create"))
      .map((l) => Number(/inflight=(\d+)/.exec(l)![1]));
    expect(Math.max(...inflight)).toBeGreaterThan(1);

    const updated = await runToy(ws, "up", specs("two"), { parallel: Infinity });
    expect(updated.errors).toEqual([]);
    expect(generated(updated.diagnostics, "diff")).toEqual(
      names.map((n) => `toy generating diff ${n}.txt in-flight=1`),
    );
    expect(generated(updated.diagnostics, "check")).toEqual(
      names.map((n) => `toy generating check ${n}.txt in-flight=1`),
    );
  });
});

describe("fail-fast (step_executor.go cancelDueToError)", () => {
  it("the first failed step stops the deployment: no later step starts, unless continueOnError", async () => {
    const ws = workspace();
    // b and c register only once `first` is created, so they queue behind `a` whichever of `a` and `first`
    // the program registers first.
    const specs: ToySpec[] = [
      { name: "first" },
      { name: "a", failCreate: true },
      { name: "b", dependsOn: ["first"] },
      { name: "c", dependsOn: ["first"] },
    ];
    const run = await runToy(ws, "up", specs, { parallel: 1 });
    expect(run.ok).toBe(false);
    expect(stepsOf(run).pop()).toBe("create:a:failed");
    expect(stepsOf(run)).not.toEqual(expect.arrayContaining(["create:b"]));
    expect(stepsOf(run)).not.toEqual(expect.arrayContaining(["create:c"]));
    expect(run.errors).toEqual([`${urn("a")}: Create failed: toy create of a.txt failed on purpose`]);
    expect(ws.files().filter((f) => f !== "first.txt")).toEqual([]);

    const continued = await runToy(ws, "up", specs, { parallel: 1, continueOnError: true });
    expect(continued.ok).toBe(false);
    expect(stepsOf(continued)).toEqual(expect.arrayContaining(["create:a:failed", "create:b", "create:c"]));
    expect(ws.files()).toEqual(["b.txt", "c.txt", "first.txt"]);
  });

  it("a protect refusal is always continued past; what the protected resource depends on is kept", async () => {
    const ws = workspace();
    const up = await runToy(ws, "up", [
      { name: "base" },
      { name: "p", protect: true, dependsOn: ["base"] },
      { name: "n" },
    ]);
    expect(up.errors).toEqual([]);
    const run = await runToy(ws, "destroy", [], { parallel: 1 });
    expect(run.ok).toBe(false);
    // The engine skips the dependencies of a failed delete without a step of their own.
    expect(sorted(stepsOf(run))).toEqual(["delete:n", "delete:p:failed"]);
    expect(ws.files()).toEqual(["base.txt", "p.txt"]);
    expect(run.state.resources.map((r) => r.urn)).toEqual([urn("base"), urn("p")]);
  });
});

describe("replaceOnChanges (applyReplaceOnChanges: only changed keys the engine computed itself)", () => {
  it("has no effect when the dynamic provider's diff answers, and replaces when it leaves the diff to the engine", async () => {
    const ws = workspace();
    const decided: ToySpec = { name: "r", definiteDiff: true, replaceOnChanges: ["content"] };
    const undecided: ToySpec = { name: "u", replaceOnChanges: ["content"], dbrOption: true };
    expect((await runToy(ws, "up", [decided, undecided])).errors).toEqual([]);
    const run = await runToy(ws, "up", [
      { ...decided, content: "r2" },
      { ...undecided, content: "u2" },
    ]);
    expect(run.errors).toEqual([]);
    expect(sorted(stepsOf(run))).toEqual(["replace:u", "update:r"]);
    expect(run.steps.find((s) => s.name === "u")?.replaces).toEqual(["content"]);
  });
});

describe("refresh (step.go RefreshStep.Apply)", () => {
  it("asks the provider's Diff whether a resource changed, clears init errors after a clean Read, keeps the old state on a Diff error", async () => {
    const ws = workspace();
    const specs: ToySpec[] = [
      { name: "d", definiteDiff: true },
      { name: "n" },
      { name: "x", failInit: true },
      { name: "f", failDiff: true },
    ];
    const up = await runToy(ws, "up", specs, { continueOnError: true });
    expect(up.errors).toEqual([`${urn("x")}: toy x.txt was created but did not initialize`]);
    for (const name of ["d", "n", "f"]) fs.writeFileSync(path.join(ws.dataDir, `${name}.txt`), "out of band");

    const run = await runToy(ws, "refresh", specs);
    expect(run.ok).toBe(false);
    const outcome = Object.fromEntries(run.steps.map((s) => [s.name, s.ok ? s.refresh : "failed"]));
    // n's outputs changed too, but its provider left the diff to the engine, whose inputs did not change.
    expect(outcome).toEqual({ d: "changed", n: "unchanged", x: "unchanged", f: "failed" });
    expect(run.errors).toEqual([`${urn("f")}: Diff failed: toy diff of f.txt failed on purpose`]);
    // Diff got the refreshed outputs as olds and the old inputs as news.
    expect(run.diagnostics).toContain('toy diff d.txt v1 olds="out of band" news="d"');
    const byName = new Map(run.state.resources.map((r) => [r.urn.split("::").pop(), r]));
    expect(byName.get("x")?.status).toBe("created");
    expect(byName.get("x")?.initErrors).toBeUndefined();
    expect(byName.get("n")?.outputs.content).toBe("out of band");
    expect(byName.get("f")?.outputs.content).toBe("f");

    // With the init error gone, x takes the Same path; d's diff reports the drift and updates it back.
    const next = await runToy(ws, "up", specs.slice(0, 3));
    expect(next.errors).toEqual([]);
    expect(sorted(stepsOf(next))).toEqual(["delete:f", "same:n", "same:x", "update:d"]);
    expect(fs.readFileSync(path.join(ws.dataDir, "d.txt"), "utf8")).toBe("d");
  });
});

describe("refresh errors (deployment_executor.go refresh: a step executor that ignores errors)", () => {
  it("a failed refresh does not stop the others, one step at a time", async () => {
    const ws = workspace();
    const specs: ToySpec[] = [
      { name: "f1", failDiff: true },
      { name: "f2", failDiff: true },
    ];
    expect((await runToy(ws, "up", specs)).errors).toEqual([]);
    const run = await runToy(ws, "refresh", specs, { parallel: 1 });
    expect(sorted(stepsOf(run))).toEqual(["refresh:f1:failed", "refresh:f2:failed"]);
  });
});

describe("reads (.get) and managed <-> read transitions (GenerateReadSteps, continueStepsFromImport)", () => {
  it("a Read that finds nothing still succeeds with empty outputs; a Read that throws fails", async () => {
    const ws = workspace();
    const missing = path.join(ws.dataDir, "missing.txt");
    const run = await runToy(ws, "up", [{ name: "m", getId: missing }]);
    expect(run.errors).toEqual([]);
    expect(stepsOf(run)).toEqual(["read:m"]);
    expect(run.outputs.paths).toEqual({});
    expect(run.state.resources).toEqual([
      expect.objectContaining({ urn: urn("m"), id: missing, external: true }),
    ]);

    const thrown = await runToy(ws, "up", [{ name: "t", getId: "/nowhere/t.throw" }]);
    expect(thrown.ok).toBe(false);
    expect(thrown.errors).toEqual([
      `${urn("t")}: Read failed: toy read of /nowhere/t.throw failed on purpose`,
    ]);
  });

  it("managed -> read of another id deletes the old resource; read -> managed creates without deleting what was read; same id relinquishes", async () => {
    const ws = workspace();
    const file = (name: string) => path.join(ws.dataDir, name);
    expect((await runToy(ws, "up", [{ name: "a" }, { name: "b" }])).errors).toEqual([]);

    const toRead = await runToy(ws, "up", [{ name: "a", getId: file("b.txt") }, { name: "b" }]);
    expect(toRead.errors).toEqual([]);
    expect(sorted(stepsOf(toRead))).toEqual(["delete:a", "read:a", "same:b"]);
    expect(toRead.steps.find((s) => s.op === "delete")?.replaced).toBe(true);
    expect(ws.files()).toEqual(["b.txt"]);

    const toManaged = await runToy(ws, "up", [{ name: "a" }, { name: "b" }]);
    expect(toManaged.errors).toEqual([]);
    expect(sorted(stepsOf(toManaged))).toEqual(["discard:a", "replace:a", "same:b"]);
    expect(providerOps(toManaged)).toEqual(["toy create a.txt v1"]);
    expect(ws.files()).toEqual(["a.txt", "b.txt"]);

    const relinquished = await runToy(ws, "up", [{ name: "a", getId: file("a.txt") }, { name: "b" }]);
    expect(relinquished.errors).toEqual([]);
    expect(sorted(stepsOf(relinquished))).toEqual(["read:a", "same:b"]);
    expect(ws.files()).toEqual(["a.txt", "b.txt"]);
    expect(relinquished.state.resources.find((r) => r.urn === urn("a"))).toMatchObject({
      external: true,
      id: file("a.txt"),
    });
  });
});

describe("aliases and protect (getOldResource, continueStepsFromDiff)", () => {
  it("a rename with an alias is the same resource", async () => {
    const ws = workspace();
    expect((await runToy(ws, "up", [{ name: "x" }])).errors).toEqual([]);
    const run = await runToy(ws, "up", [{ name: "y", fileName: "x.txt", content: "x", aliases: ["x"] }]);
    expect(run.errors).toEqual([]);
    expect(stepsOf(run)).toEqual(["same:y"]);
    expect(ws.files()).toEqual(["x.txt"]);
    expect(run.state.resources.map((r) => [r.urn, r.id])).toEqual([
      [urn("y"), path.join(ws.dataDir, "x.txt")],
    ]);
  });

  it("protect blocks a replacement only when both the old and the new resource are protected", async () => {
    const ws = workspace();
    expect((await runToy(ws, "up", [{ name: "p", protect: true }])).errors).toEqual([]);
    const blocked = await runToy(ws, "up", [{ name: "p", fileName: "p2.txt", protect: true }]);
    expect(blocked.ok).toBe(false);
    expect(blocked.errors).toEqual([
      `${urn("p")}: unable to replace resource "${urn("p")}" as it is currently marked for protection; ` +
        "remove `protect` from the resource in the program and run up",
    ]);
    expect(ws.files()).toEqual(["p.txt"]);

    const unprotected = await runToy(ws, "up", [{ name: "p", fileName: "p2.txt" }]);
    expect(unprotected.errors).toEqual([]);
    expect(sorted(stepsOf(unprotected))).toEqual(["delete:p", "replace:p"]);
    expect(ws.files()).toEqual(["p2.txt"]);
  });
});
