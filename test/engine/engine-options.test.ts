import * as fs from "node:fs";
import * as path from "node:path";
import { SECRET_SIG, SIG_KEY } from "../../harness/wire";
import { providerOps, runToy, stepsOf } from "./support/toy-run";
import { toyWorkspaces } from "./support/toy-workspace";

const workspace = toyWorkspaces();
const partialWs = workspace();

const urn = (name: string) => `urn:pulumi:dev::toy::pulumi-nodejs:dynamic/toy:Toy::${name}`;

describe("resource options and failures", () => {
  it("protect blocks destroy, retainOnDelete forgets without a Delete call", async () => {
    const ws = workspace();
    const up = await runToy(ws, "up", [
      { name: "p", protect: true },
      { name: "r", retainOnDelete: true },
      { name: "n" },
    ]);
    expect(up.errors).toEqual([]);
    expect(up.state.resources.map((r) => [r.protect, r.retainOnDelete])).toEqual([
      [true, undefined],
      [undefined, true],
      [undefined, undefined],
    ]);

    const run = await runToy(ws, "destroy", []);
    expect(run.ok).toBe(false);
    expect(run.errors).toEqual([
      `${urn("p")}: cannot delete ${urn("p")}: it is protected; remove \`protect\` from the program and run up, then try again`,
    ]);
    expect(run.steps.map((s) => [s.op, s.name, s.ok, s.retained])).toEqual(
      expect.arrayContaining([
        ["delete", "p", false, undefined],
        ["delete", "r", true, true],
        ["delete", "n", true, undefined],
      ]),
    );
    expect(providerOps(run)).toEqual(["toy delete n.txt v1"]);
    expect(ws.files()).toEqual(["p.txt", "r.txt"]);
    expect(run.state.resources.map((r) => r.urn)).toEqual([urn("p")]);
  });

  it("records a partial failure with its id, finishes independent steps under continueOnError and deletes nothing after a failed run", async () => {
    const ws = partialWs;
    expect((await runToy(ws, "up", [{ name: "q" }, { name: "i", content: "first" }])).errors).toEqual([]);

    const run = await runToy(
      ws,
      "up",
      [
        { name: "x", failInit: true },
        { name: "y", failCreate: true },
        { name: "z" },
        { name: "w", dependsOn: ["y"] },
      ],
      { continueOnError: true },
    );
    expect(run.ok).toBe(false);
    expect([...run.errors].sort()).toEqual([
      `${urn("x")}: toy x.txt was created but did not initialize`,
      `${urn("y")}: Create failed: toy create of y.txt failed on purpose`,
    ]);
    const x = path.join(ws.dataDir, "x.txt");
    expect(run.steps.find((s) => s.name === "x")).toMatchObject({
      op: "create",
      ok: false,
      partial: true,
      id: x,
    });
    expect(stepsOf(run).sort()).toEqual(["create:x:failed", "create:y:failed", "create:z"]);
    const saved = JSON.parse(fs.readFileSync(ws.stackFile, "utf8"));
    type Saved = { urn: string; status: string; id: string };
    const byUrn = new Map<string, Saved>(saved.resources.map((r: Saved) => [r.urn, r]));
    expect([...byUrn.values()].map((r) => [r.urn, r.status, r.id]).sort()).toEqual([
      [urn("i"), "created", path.join(ws.dataDir, "i.txt")],
      [urn("q"), "created", path.join(ws.dataDir, "q.txt")],
      [urn("x"), "partial", x],
      [urn("z"), "created", path.join(ws.dataDir, "z.txt")],
    ]);
    expect(byUrn.get(urn("x"))).toMatchObject({
      outputs: { path: x, createdBy: "v1" },
      initErrors: ["initialization check failed"],
    });
    expect(ws.files()).toEqual(["i.txt", "q.txt", "x.txt", "z.txt"]);
  });

  it("ignoreChanges keeps the stored value, .get reads without managing, and a partial resource is updated", async () => {
    const ws = partialWs;
    const i = path.join(ws.dataDir, "i.txt");
    const run = await runToy(ws, "up", [
      { name: "x" },
      { name: "z" },
      { name: "i", content: "second", ignoreChanges: ["content"] },
      { name: "seen", getId: i },
    ]);
    expect(run.errors).toEqual([]);
    expect(stepsOf(run).slice(0, 4).sort()).toEqual(["read:seen", "same:i", "same:z", "update:x"]);
    expect(stepsOf(run)[4]).toBe("delete:q");
    expect(fs.readFileSync(i, "utf8")).toBe("first");
    expect(run.state.resources.find((r) => r.urn === urn("seen"))).toMatchObject({ external: true, id: i });
    expect(run.state.resources.find((r) => r.urn === urn("x"))?.status).toBe("created");

    const destroyed = await runToy(ws, "destroy", []);
    expect(destroyed.errors).toEqual([]);
    expect(stepsOf(destroyed).sort()).toEqual(["delete:i", "delete:x", "delete:z", "discard:seen"]);
    expect(providerOps(destroyed).sort()).toEqual([
      "toy delete i.txt v1",
      "toy delete x.txt v1",
      "toy delete z.txt v1",
    ]);
    expect(ws.files()).toEqual([]);
  });

  it("keeps secret config out of the state file and needs it again for destroy", async () => {
    const ws = workspace();
    const token = "tok-7f3a9c2e";
    const secrets = {
      config: { "toy:token": token, "toy:password": "pw-4471" },
      secretKeys: ["toy:token", "toy:password"],
    };
    const up = await runToy(ws, "up", [{ name: "s", withPassword: true }], secrets);
    expect(up.errors).toEqual([]);
    expect(up.diagnostics).toContain(`toy configure v1 dir-set=true token-length=${token.length}`);

    const text = fs.readFileSync(ws.stackFile, "utf8");
    expect(text).not.toContain(token);
    const saved = JSON.parse(text);
    expect(saved.providerConfig).toEqual({
      config: { "toy:dir": ws.dataDir, "toy:resources": JSON.stringify([{ name: "s", withPassword: true }]) },
      secretKeys: ["toy:password", "toy:token"],
    });
    // A secret input is stripped before it reaches the provider (create would fail on an envelope) and its
    // output of the same name is marked secret again.
    expect(saved.resources[0].secretInputKeys).toEqual(["password"]);
    expect(saved.resources[0].outputs.password).toEqual({ [SIG_KEY]: SECRET_SIG, value: "pw-4471" });
    expect(up.secretOutputs).toEqual(["passwords"]);
    expect(up.outputs.passwords).toEqual({ s: "pw-4471" });

    const withoutSecrets = await runToy(ws, "destroy", []);
    expect(withoutSecrets.ok).toBe(false);
    expect(withoutSecrets.errors).toEqual([
      "secret config `toy:password`, `toy:token` was used by the last update but is not stored in the state file; " +
        "supply them again (--secret key=value) to destroy",
    ]);
    expect(ws.files()).toEqual(["s.txt"]);

    const destroyed = await runToy(ws, "destroy", [], secrets);
    expect(destroyed.errors).toEqual([]);
    expect(destroyed.diagnostics).toContain(`toy configure v1 dir-set=true token-length=${token.length}`);
    expect(ws.files()).toEqual([]);
  });
});
