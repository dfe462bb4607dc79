/**
 * The `mps-fpdb` command as a process: help and exit codes, and `mps-fpdb emulator` started from the command's own
 * entry file (through tsx, so no build is needed), serving signed requests and stopping on a signal.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { outOfBandApi } from "../support/mps";
import { runCli } from "./run";

const ROOT = path.join(__dirname, "..", "..");

describe("help and exit codes", () => {
  it("prints the commands on --help and exits 0", async () => {
    const result = await runCli(["--help"], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: mps-fpdb <command> \[options\]/);
    for (const command of ["emulator", "doctor", "jobs"]) expect(result.stdout).toContain(`\n  ${command} `);
  });

  it("exits 2 with the usage on stderr for no command or an unknown one", async () => {
    expect((await runCli([], {})).code).toBe(2);
    const unknown = await runCli(["doctr"], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^Unknown command "doctr"\.\n\nUsage: mps-fpdb/);
    expect(unknown.stdout).toBe("");
  });

  it("prints the package version", async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      version: string;
    };
    expect((await runCli(["--version"], {})).stdout).toBe(`${version}\n`);
  });
});

describe("mps-fpdb emulator", () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
  });

  function start(args: string[]): ChildProcess {
    child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, "cli", "bin.ts"), "emulator", ...args],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    return child;
  }

  function output(c: ChildProcess): {
    stdout: () => string;
    stderr: () => string;
    exit: Promise<number | null>;
  } {
    let stdout = "";
    let stderr = "";
    c.stdout!.on("data", (b: Buffer) => (stdout += b.toString()));
    c.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
    return {
      stdout: () => stdout,
      stderr: () => stderr,
      exit: new Promise((r) => c.on("exit", (code) => r(code))),
    };
  }

  it("prints its URL, serves the MPS API with the built-in key, and exits 0 on SIGTERM", async () => {
    const c = start(["--port", "0", "--region", "cn-shanghai"]);
    const out = output(c);
    while (!out.stdout().includes("\n")) {
      if (c.exitCode !== null) throw new Error(`exited early: ${out.stderr()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const match = /^MPS emulator listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(out.stdout());
    expect(match).not.toBeNull();
    const answer = await outOfBandApi(match![1]).listFpShotDb(["nothing-here"]);
    expect(answer.nonExistIds).toEqual(["nothing-here"]);
    c.kill("SIGTERM");
    expect(await out.exit).toBe(0);
    expect(out.stderr()).toContain("Region cn-shanghai; accepting only the built-in test AccessKey");
  });

  it("refuses a bad flag with exit code 2 and its usage", async () => {
    const out = output(start(["--port", "many"]));
    expect(await out.exit).toBe(2);
    expect(out.stderr()).toContain('--port takes a number, got "many".');
    expect(out.stderr()).toContain("Usage: mps-fpdb emulator [options]");
  });

  it("prints its help and exits 0", async () => {
    const out = output(start(["--help"]));
    expect(await out.exit).toBe(0);
    expect(out.stdout()).toMatch(/^Usage: mps-fpdb emulator \[options\]/);
  });
});
