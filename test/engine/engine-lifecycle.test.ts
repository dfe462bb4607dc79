import * as fs from "node:fs";
import * as path from "node:path";
import { serializeProvider } from "../../harness/serialize-provider";
import { UNKNOWN } from "../../harness/wire";
import { providerOps, runToy, stepsOf, type ToySpec } from "./support/toy-run";
import { makeToyWorkspace, type ToyWorkspace } from "./support/toy-workspace";

// One stack taken through its whole life; each test builds on the state the previous one left.
let ws: ToyWorkspace;
const A: ToySpec = { name: "a" };
const B: ToySpec = { name: "b", dependsOn: ["a"] };
const C: ToySpec = { name: "c", dependsOn: ["b"] };
const urn = (name: string) => `urn:pulumi:dev::toy::pulumi-nodejs:dynamic/toy:Toy::${name}`;
const file = (name: string) => path.join(ws.dataDir, name);

beforeAll(() => {
  ws = makeToyWorkspace();
});
afterAll(() => ws.remove());

describe("a stack's life under the engine harness", () => {
  it("preview plans the creates without creating anything or writing state", async () => {
    const run = await runToy(ws, "preview", [A, B, C]);
    expect(run.ok).toBe(true);
    expect(stepsOf(run)).toEqual(["create:a", "create:b", "create:c"]);
    expect(run.steps.every((s) => s.preview)).toBe(true);
    const plans = run.events.flatMap((e) => (e.kind === "plan" ? [`${e.op}:${e.name}`] : []));
    expect(plans).toEqual(["create:a", "create:b", "create:c"]);
    expect(providerOps(run)).toEqual([]);
    expect(ws.files()).toEqual([]);
    expect(fs.existsSync(ws.stackFile)).toBe(false);
    expect(run.outputs.paths).toEqual({ a: UNKNOWN, b: UNKNOWN, c: UNKNOWN });
  });

  it("up creates the resources in dependency order and dependents receive real outputs", async () => {
    const run = await runToy(ws, "up", [A, B, C]);
    expect(run.errors).toEqual([]);
    expect(stepsOf(run)).toEqual(["create:a", "create:b", "create:c"]);
    expect(ws.files()).toEqual(["a.txt", "b.txt", "c.txt"]);
    expect(run.outputs.paths).toEqual({ a: file("a.txt"), b: file("b.txt"), c: file("c.txt") });
    expect(run.outputs.upstreams).toEqual({ b: file("a.txt"), c: file("b.txt") });
    const saved = JSON.parse(fs.readFileSync(ws.stackFile, "utf8"));
    type Saved = { urn: string; status: string; dependencies: string[] };
    expect(saved.resources.map((r: Saved) => [r.urn, r.status, r.dependencies])).toEqual([
      [urn("a"), "created", []],
      [urn("b"), "created", [urn("a")]],
      [urn("c"), "created", [urn("b")]],
    ]);
    expect(saved.resources[1].inputs.upstream).toBe(file("a.txt"));
  });

  it("stores the same __provider text that plain tsx serializes (not jest's)", async () => {
    const saved = JSON.parse(fs.readFileSync(ws.stackFile, "utf8"));
    const expected = await serializeProvider(path.join(ws.programDir, "shim.ts"), "toyShim", ws.programDir);
    expect(saved.resources[0].inputs.__provider).toBe(expected.text);
    expect(saved.resources[0].outputs.__provider).toBe(expected.text);
  });

  it("updates an input changed through config in place and replaces on a create-only change, new copy first", async () => {
    const run = await runToy(ws, "up", [{ ...A, content: "A2" }, { ...B, fileName: "b2.txt" }, C]);
    expect(run.errors).toEqual([]);
    // b depends on a and c on b, so the steps run in this order; c's input `upstream` is b's new path, so c
    // updates too; the replaced copy of b is deleted at the end.
    expect(stepsOf(run)).toEqual(["update:a", "replace:b", "update:c", "delete:b"]);
    expect(run.steps[1]).toMatchObject({ replaces: ["fileName"], deleteBeforeReplace: false });
    expect(run.steps[3]).toMatchObject({ replaced: true, id: file("b.txt") });
    expect(providerOps(run)).toEqual([
      "toy update a.txt v1",
      "toy create b2.txt v1",
      "toy update c.txt v1",
      "toy delete b.txt v1",
    ]);
    expect(run.outputs.upstreams).toEqual({ b: file("a.txt"), c: file("b2.txt") });
    expect(fs.readFileSync(file("a.txt"), "utf8")).toBe("A2");
    expect(ws.files()).toEqual(["a.txt", "b2.txt", "c.txt"]);
    expect(run.state.resources.map((r) => r.id)).toEqual([file("a.txt"), file("b2.txt"), file("c.txt")]);
  });

  it("with deleteBeforeReplace deletes the old copy first; a resource removed from the program is deleted", async () => {
    const run = await runToy(ws, "up", [
      { ...A, content: "A2" },
      { ...B, fileName: "b3.txt", deleteBeforeReplace: true },
    ]);
    expect(run.errors).toEqual([]);
    expect(stepsOf(run)).toEqual(["same:a", "replace:b", "delete:c"]);
    expect(run.steps[1]).toMatchObject({ replaces: ["fileName"], deleteBeforeReplace: true });
    expect(providerOps(run)).toEqual(["toy delete b2.txt v1", "toy create b3.txt v1", "toy delete c.txt v1"]);
    expect(ws.files()).toEqual(["a.txt", "b3.txt"]);
    expect(run.state.resources.map((r) => r.urn)).toEqual([urn("a"), urn("b")]);
  });

  it("destroy deletes dependents first, running code installed after the state was written", async () => {
    const up = await runToy(ws, "up", [A, B, C]);
    expect(up.errors).toEqual([]);
    ws.setProviderVersion("v2");
    const run = await runToy(ws, "destroy", []);
    expect(run.errors).toEqual([]);
    expect(stepsOf(run)).toEqual(["delete:c", "delete:b", "delete:a"]);
    expect(providerOps(run)).toEqual(["toy delete c.txt v2", "toy delete b.txt v2", "toy delete a.txt v2"]);
    expect(ws.files()).toEqual([]);
    expect(run.state.resources).toEqual([]);
  });
});
