/**
 * Configuration as the Pulumi CLI handles it: destroy and refresh configure the provider from the config stored
 * at the last update (providers/registry.go, deployment.go EnsureProvider), `runProgram` takes the current one,
 * plain config comes from `Pulumi.<stack>.yaml`, and the default parallelism is 4 x GOMAXPROCS (up.go).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as engine from "../../harness/engine";
import { defaultParallelism } from "../../harness/parallelism";
import { SECRET_SIG, SIG_KEY } from "../../harness/wire";
import { runToy, stepsOf } from "./support/toy-run";
import { toyWorkspaces } from "./support/toy-workspace";

const workspace = toyWorkspaces();

const TOKEN = "tok-7f3a9c2e";
const ROTATED = "rotated-token-value";
const secret = (value: string) => ({ config: { "toy:token": value }, secretKeys: ["toy:token"] });
const configureLine = (value: string) => `toy configure v1 dir-set=true token-length=${value.length}`;

describe("destroy and refresh use the config stored at the last update", () => {
  it("stores secret config encrypted under the passphrase and ignores current values, secret or not", async () => {
    const ws = workspace();
    const up = await runToy(ws, "up", [{ name: "s" }], { ...secret(TOKEN), passphrase: "pass-1" });
    expect(up.errors).toEqual([]);
    const text = fs.readFileSync(ws.stackFile, "utf8");
    expect(text).not.toContain(TOKEN);

    const noPassphrase = await runToy(ws, "destroy", [], secret(ROTATED));
    expect(noPassphrase.ok).toBe(false);
    expect(noPassphrase.errors).toEqual([
      "secret config `toy:token` is stored encrypted in the state file; set PULUMI_CONFIG_PASSPHRASE (or pass " +
        "the passphrase) to the one the last update used",
    ]);
    const wrong = await runToy(ws, "destroy", [], { ...secret(ROTATED), passphrase: "not-it" });
    expect(wrong.errors).toEqual([
      "the passphrase does not decrypt the secret config stored in the state file; use the one the last update used",
    ]);
    expect(ws.files()).toEqual(["s.txt"]);

    // A rotated token and another folder are given now; the provider still gets what the last up stored.
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "toy-elsewhere-"));
    const run = await runToy(ws, "destroy", [], {
      config: { "toy:dir": elsewhere, "toy:token": ROTATED },
      secretKeys: ["toy:token"],
      passphrase: "pass-1",
    });
    fs.rmSync(elsewhere, { recursive: true, force: true });
    expect(run.errors).toEqual([]);
    expect(run.diagnostics).toContain(configureLine(TOKEN));
    expect(run.warnings).toEqual([
      "destroy configures the provider with the config stored at the last update; the values given now for " +
        "`toy:dir`, `toy:resources`, `toy:token` are not used (run up first, or use runProgram / --run-program)",
    ]);
    expect(ws.files()).toEqual([]);
  });

  it("without a passphrase keeps only the names of secret keys, and a value given now fills in but never overrides a stored one", async () => {
    const ws = workspace();
    expect((await runToy(ws, "up", [{ name: "s" }], secret(TOKEN))).errors).toEqual([]);
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "toy-elsewhere-"));
    const run = await runToy(ws, "refresh", [], {
      ...secret(ROTATED),
      config: { "toy:dir": elsewhere, "toy:token": ROTATED },
    });
    fs.rmSync(elsewhere, { recursive: true, force: true });
    expect(run.errors).toEqual([]);
    expect(run.diagnostics).toContain(configureLine(ROTATED));
    expect(run.warnings[0]).toMatch(/values given now for `toy:dir`, `toy:resources` are not used/);
  });

  it("runProgram configures from the current config and runs the program first", async () => {
    const ws = workspace();
    expect(
      (await runToy(ws, "up", [{ name: "s" }], { ...secret(TOKEN), passphrase: "pass-1" })).errors,
    ).toEqual([]);
    const run = await runToy(ws, "destroy", [{ name: "s" }], {
      ...secret(ROTATED),
      passphrase: "pass-1",
      runProgram: true,
    });
    expect(run.errors).toEqual([]);
    expect(run.diagnostics).toContain(configureLine(ROTATED));
    expect(run.warnings).toEqual([]);
    expect(stepsOf(run)).toEqual(["same:s", "delete:s"]);
    expect(ws.files()).toEqual([]);
  });
});

describe("secret property values in the state file", () => {
  it("are encrypted under the passphrase, as the engine's checkpoints keep them, and need it to be read", async () => {
    const ws = workspace();
    const password = { config: { "toy:password": "pw-92b1c7d4" }, secretKeys: ["toy:password"] };
    const up = await runToy(ws, "up", [{ name: "s", withPassword: true }], {
      ...password,
      passphrase: "pass-2",
    });
    expect(up.errors).toEqual([]);
    expect(up.outputs.passwords).toEqual({ s: "pw-92b1c7d4" });
    const text = fs.readFileSync(ws.stackFile, "utf8");
    expect(text).not.toContain("pw-92b1c7d4");
    const saved = JSON.parse(text);
    expect(saved.resources[0].outputs.password).toEqual({
      [SIG_KEY]: SECRET_SIG,
      ciphertext: expect.stringMatching(/^v1:/),
    });

    const without = await runToy(ws, "up", [{ name: "s", withPassword: true }], password);
    expect(without.errors).toEqual([
      "the state file holds secret values encrypted under a passphrase; set PULUMI_CONFIG_PASSPHRASE (or pass " +
        "the passphrase) to the one the last update used",
    ]);
    const again = await runToy(ws, "up", [{ name: "s", withPassword: true }], {
      ...password,
      passphrase: "pass-2",
    });
    expect(again.errors).toEqual([]);
    expect(stepsOf(again)).toEqual(["same:s"]);
    const destroyed = await runToy(ws, "destroy", [], { passphrase: "pass-2" });
    expect(destroyed.errors).toEqual([]);
    expect(ws.files()).toEqual([]);
  });
});

describe("Pulumi.<stack>.yaml", () => {
  it("supplies plain config from the program folder; a secure value must be given as a secret", async () => {
    const ws = workspace();
    fs.writeFileSync(
      path.join(ws.programDir, "Pulumi.dev.yaml"),
      [
        "config:",
        `  toy:dir: ${JSON.stringify(ws.dataDir)}`,
        `  resources: '[{"name":"k","withPassword":true}]'`,
        "  toy:password:",
        "    secure: v1:AAAABBBBCCCC",
        "",
      ].join("\n"),
    );
    const base = { programDir: ws.programDir, stackFile: ws.stackFile };
    const missing = await engine.up(base);
    expect(missing.ok).toBe(false);
    expect(missing.errors).toEqual([
      "config `toy:password` is a secure value in Pulumi.dev.yaml, which only the Pulumi CLI can decrypt; " +
        "supply it as a secret (--secret toy:password=...)",
    ]);
    const run = await engine.up({
      ...base,
      config: { "toy:password": "pw-1234" },
      secretKeys: ["toy:password"],
    });
    expect(run.errors).toEqual([]);
    expect(ws.files()).toEqual(["k.txt"]);
    expect(run.secretOutputs).toEqual(["passwords"]);
  });
});

describe("parallelism (up.go defaultParallel)", () => {
  it("defaults to 4 x the CPUs Go would use, GOMAXPROCS and PULUMI_PARALLEL respected", () => {
    expect(defaultParallelism({})).toBe(4 * os.availableParallelism());
    expect(defaultParallelism({ GOMAXPROCS: "3" })).toBe(12);
    expect(defaultParallelism({ GOMAXPROCS: "none" })).toBe(4 * os.availableParallelism());
    expect(defaultParallelism({ GOMAXPROCS: "3", PULUMI_PARALLEL: "5" })).toBe(5);
  });

  it("runs at most the default number of steps at once, and Infinity means unbounded", async () => {
    const ws = workspace();
    const maxInflight = (lines: string[]) =>
      Math.max(
        ...lines.filter((l) => l.startsWith("toy create")).map((l) => Number(/inflight=(\d+)/.exec(l)![1])),
      );
    const five = (prefix: string) => [1, 2, 3, 4, 5].map((i) => ({ name: `${prefix}${i}`, slowMs: 2000 }));
    const bounded = await runToy(ws, "up", five("p"), { env: { GOMAXPROCS: "1" } });
    expect(bounded.errors).toEqual([]);
    expect(maxInflight(bounded.diagnostics)).toBe(4);
    const unbounded = await runToy(ws, "up", five("q"), { parallel: Infinity });
    expect(unbounded.errors).toEqual([]);
    expect(maxInflight(unbounded.diagnostics)).toBe(5);
  });
});
