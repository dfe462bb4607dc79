import { execFile } from "node:child_process";
import { main, parsePairs } from "../../harness/cli";
import { HARNESS_CLI_NODE_ARGS, toyStackFlags } from "./support/harness-cli";
import { makeToyWorkspace, type ToyWorkspace } from "./support/toy-workspace";

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...HARNESS_CLI_NODE_ARGS, ...args], (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    );
  });
}

let ws: ToyWorkspace;
beforeAll(() => {
  ws = makeToyWorkspace();
});
afterAll(() => ws.remove());

describe("harness CLI", () => {
  it("prints the plan of a preview and returns exit code 0", async () => {
    const out: string[] = [];
    const code = await main(
      ["preview", ...toyStackFlags(ws, [{ name: "a" }, { name: "b", dependsOn: ["a"] }])],
      (line) => out.push(...line.split("\n")),
    );
    expect(code).toBe(0);
    expect(out[0]).toBe("Previewing update (dev):");
    expect(out).toEqual(
      expect.arrayContaining([
        " +  pulumi-nodejs:dynamic/toy:Toy a create",
        " +  pulumi-nodejs:dynamic/toy:Toy b create",
        "    [provider] toy configure v1 dir-set=true token-length=0",
        "Resources:",
        "    + 2 to create",
      ]),
    );
    expect(ws.files()).toEqual([]);
  });

  it("as a process, prints results and errors of a failed up, never the secret, and exits 1", async () => {
    const res = await runCli([
      "up",
      ...toyStackFlags(ws, [{ name: "a" }, { name: "y", failCreate: true }]),
      "--secret",
      "toy:token=very-secret-value",
      "--parallel",
      "1",
    ]);
    expect(res.code).toBe(1);
    expect(res.stdout).not.toContain("very-secret-value");
    const lines = res.stdout.split("\n");
    expect(lines[0]).toBe("Updating (dev):");
    expect(lines).toEqual(
      expect.arrayContaining([
        " +  pulumi-nodejs:dynamic/toy:Toy a creating...",
        expect.stringMatching(/^ \+ {2}pulumi-nodejs:dynamic\/toy:Toy a created \(\d+\.\d\ds\)$/),
        " +  pulumi-nodejs:dynamic/toy:Toy y **creating failed** error: Create failed: toy create of y.txt failed on purpose",
        "Errors:",
        "    error: urn:pulumi:dev::toy::pulumi-nodejs:dynamic/toy:Toy::y: Create failed: toy create of y.txt failed on purpose",
        "    + 1 created",
        "    1 failed",
      ]),
    );
    expect(ws.files()).toEqual(["a.txt"]);
  });

  it("prints what is wrong and the usage, and returns 2, on a bad command line", async () => {
    const out: string[] = [];
    await expect(main(["deploy", "--program", "x", "--stack-file", "y"], (l) => out.push(l))).resolves.toBe(
      2,
    );
    expect(out[0]).toBe('expected one operation (up, preview, refresh or destroy), got "deploy"');
    expect(out[1]).toMatch(/^usage: tsx harness\/cli.ts up\|preview\|refresh\|destroy --program DIR/);
    out.length = 0;
    await expect(
      main(["up", "--program", "x", "--stack-file", "y", "--parallel", "few"], (l) => out.push(l)),
    ).resolves.toBe(2);
    expect(out[0]).toBe('--parallel must be an integer, got "few"');
    out.length = 0;
    await expect(main(["up", "--program", "x"], (l) => out.push(l))).resolves.toBe(2);
    expect(out[0]).toBe("--program and --stack-file are required");
  });

  it("rejects a config pair without =", () => {
    expect(() => parsePairs(["alicloud:region"], "config")).toThrow(
      '--config "alicloud:region" is not key=value (e.g. --config alicloud:region=cn-hangzhou)',
    );
  });
});
