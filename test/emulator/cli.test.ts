import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAdminClient } from "../../emulator";
import { parseCliArgs } from "../../emulator/cli-args";
import { firstLine } from "../support/child-output";
import { sdkCaller } from "../support/emulator";

const ROOT = join(__dirname, "..", "..");

/** Runs the CLI from source (through tsx), so the test does not depend on a prior `npm run build`. */
function runCli(args: string[]): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", join(ROOT, "emulator", "cli.ts"), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("emulator CLI", () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  });

  it("says on stderr which region it serves and that the built-in test key is in force", async () => {
    const child = runCli(["--port", "0", "--region", "cn-shanghai"]);
    children.push(child);
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    await firstLine(child);
    for (let i = 0; i < 200 && !stderr.includes("\n"); i++) await new Promise((r) => setTimeout(r, 10));
    expect(stderr).toBe(
      "Region cn-shanghai; accepting only the built-in test AccessKey LTAI5tEmulatorDefaultKey (its secret is in " +
        "the README), for tests and demos only.\n",
    );
  });

  it.each([["SIGTERM" as const], ["SIGINT" as const]])(
    "prints exactly the listening line, serves signed requests with the given keys, and exits 0 on %s",
    async (signal) => {
      const child = runCli([
        "--port",
        "0",
        "--access-key-id",
        "LTAI5tCliKey",
        "--access-key-secret",
        "cli-secret",
        "--qps",
        "7",
        "--job-seconds",
        "0.5",
        "--fault",
        '{"type":"error","action":"QueryFpDBDeleteJobList","code":"InternalError","httpStatus":500}',
      ]);
      children.push(child);
      const line = await firstLine(child);
      const match = /^MPS emulator listening on http:\/\/127\.0\.0\.1:(\d+)$/.exec(line);
      expect(match).not.toBeNull();
      const host = `127.0.0.1:${match![1]}`;

      const call = sdkCaller({ host, accessKeyId: "LTAI5tCliKey", accessKeySecret: "cli-secret" });
      const created = await call("CreateFpShotDB", { Name: "from-cli" });
      expect(created.statusCode).toBe(200);
      const admin = createAdminClient(`http://${host}`);
      expect(await admin.settings()).toMatchObject({ qps: 7, jobSeconds: 0.5 });
      expect((await admin.state()).faults).toHaveLength(1);

      const done = exited(child);
      child.kill(signal);
      expect((await done).code).toBe(0);
    },
  );

  it("prints usage for --help and exits 0", async () => {
    const child = runCli(["--help"]);
    children.push(child);
    const { code, stdout } = await exited(child);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: mps-fpdb emulator \[options\]/);
    expect(stdout).toContain("--accounts-file FILE");
  });

  it("refuses an unknown flag with exit code 2 and usage on stderr", async () => {
    const child = runCli(["--port", "0", "--colour", "blue"]);
    children.push(child);
    const { code, stdout, stderr } = await exited(child);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("Unknown option '--colour'");
    expect(stderr).toContain("Usage:");
  });

  describe("argument parsing", () => {
    it("pairs repeated --access-key-id/--access-key-secret into one account", () => {
      const parsed = parseCliArgs([
        "--access-key-id",
        "A",
        "--access-key-secret",
        "a",
        "--access-key-id",
        "B",
        "--access-key-secret",
        "b",
        "--account-id",
        "42",
      ]);
      expect(parsed).toEqual({
        help: false,
        options: {
          accounts: [
            {
              accountId: "42",
              accessKeys: [
                { accessKeyId: "A", accessKeySecret: "a" },
                { accessKeyId: "B", accessKeySecret: "b" },
              ],
            },
          ],
        },
      });
    });

    it("reads --accounts-file and numeric options, fractions included", () => {
      const dir = mkdtempSync(join(tmpdir(), "mps-emu-"));
      const file = join(dir, "accounts.json");
      const accounts = [
        { accountId: "1", accessKeys: [{ accessKeyId: "K1", accessKeySecret: "s1" }] },
        { accountId: "2", accessKeys: [{ accessKeyId: "K2", accessKeySecret: "s2" }] },
      ];
      writeFileSync(file, JSON.stringify(accounts));
      const parsed = parseCliArgs([
        "--accounts-file",
        file,
        "--region",
        "cn-beijing",
        "--qps",
        "2.5",
        "--quota",
        "9",
        "--activate-seconds",
        "0.25",
        "--job-seconds",
        "1.5",
        "--max-skew-seconds",
        "60",
        "--throttle",
        "fixed-window",
        "--seed",
        "3",
        "--port",
        "0",
      ]);
      expect(parsed).toEqual({
        help: false,
        options: {
          accounts,
          region: "cn-beijing",
          qps: 2.5,
          quota: 9,
          activateSeconds: 0.25,
          jobSeconds: 1.5,
          maxSkewSeconds: 60,
          throttleAlgorithm: "fixed-window",
          seed: 3,
          port: 0,
        },
      });
    });

    it.each([
      [["--qps", "fast"], '--qps takes a number, got "fast".'],
      [
        ["--access-key-id", "A"],
        "Every --access-key-id needs a matching --access-key-secret (got 1 ids and 0 secrets).",
      ],
      [["--fault", "{oops"], "--fault takes a JSON fault rule, got {oops."],
      [
        ["--fault", '{"type":"drop"}'],
        'Invalid emulator fault rule {"type":"drop"}: `action` must be an action name or "*".',
      ],
    ])("refuses %j with a message naming the flag", (args, message) => {
      expect(() => parseCliArgs(args)).toThrow(message);
    });
  });
});
