/**
 * The harness CLI as a process: its provider host dies with it (even on SIGKILL), and interrupts behave like the
 * Pulumi CLI's (first: cancel, second: terminate, with the operations still running named).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { main } from "../../harness/cli";
import * as engine from "../../harness/engine";
import { loadState } from "../../harness/state";
import { HARNESS_CLI_NODE_ARGS, toyStackFlags } from "./support/harness-cli";
import type { ToySpec } from "./support/toy-run";
import { toyWorkspaces, type ToyWorkspace } from "./support/toy-workspace";

const urn = (name: string) => `urn:pulumi:dev::toy::pulumi-nodejs:dynamic/toy:Toy::${name}`;

const workspace = toyWorkspaces();

interface CliProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves once stdout contains `text`. */
  waitFor(text: string): Promise<void>;
  exited: Promise<number | null>;
}

function startCli(ws: ToyWorkspace, resources: ToySpec[], extraEnv: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(
    process.execPath,
    [...HARNESS_CLI_NODE_ARGS, "up", ...toyStackFlags(ws, resources), "--parallel", "1"],
    { env: { ...process.env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  const onData = (chunk: string) => {
    out += chunk;
    for (const w of [...waiters]) {
      if (out.includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.setEncoding("utf8").on("data", onData);
  child.stderr!.setEncoding("utf8").on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return {
    child,
    output: () => out,
    waitFor: (text) =>
      new Promise<void>((resolve, reject) => {
        if (out.includes(text)) return resolve();
        waiters.push({ text, resolve });
        void exited.then(() =>
          reject(new Error(`the CLI exited before printing ${JSON.stringify(text)}:\n${out}`)),
        );
      }),
    exited,
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until `pid` is gone; fails the test with the pid if it is still there after many tries. */
async function waitUntilGone(pid: number): Promise<void> {
  for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) {
    process.kill(pid, "SIGKILL");
    throw new Error(`provider host ${pid} outlived the harness`);
  }
}

describe("harness CLI process", () => {
  it("a SIGKILL of the harness takes its provider host along and leaves the CREATE in flight pending", async () => {
    const ws = workspace();
    const pidFile = `${ws.root}/host.pid`;
    const cli = startCli(ws, [{ name: "slow", slowMs: 10_000 }], { TOY_PID_FILE: pidFile });
    await cli.waitFor("[provider] toy create slow.txt");
    const hostPid = Number(fs.readFileSync(pidFile, "utf8"));
    expect(alive(hostPid)).toBe(true);
    cli.child.kill("SIGKILL");
    await cli.exited;
    await waitUntilGone(hostPid);
    const saved = loadState(ws.stackFile, "toy", "dev");
    expect(saved.pendingOperations?.map((o) => [o.type, o.resource.urn])).toEqual([
      ["creating", urn("slow")],
    ]);

    // Like the Pulumi CLI's file backend, the killed run left its lock: the next run refuses until `cancel`.
    const config = { "toy:dir": ws.dataDir, "toy:resources": "[]" };
    const locked = await engine.refresh({ programDir: ws.programDir, stackFile: ws.stackFile, config });
    expect(locked.ok).toBe(false);
    expect(locked.errors[0]).toMatch(
      /^the stack is currently locked by 1 lock\(s\) \(pid \d+ on .+\)\. Either wait/,
    );
    const out: string[] = [];
    await expect(main(["cancel", "--stack-file", ws.stackFile], (l) => out.push(l))).resolves.toBe(0);
    expect(out).toEqual([`removed the lock of ${ws.stackFile}`]);
    const refreshed = await engine.refresh({ programDir: ws.programDir, stackFile: ws.stackFile, config });
    expect(refreshed.errors).toEqual([]);
  });

  it("a first SIGINT cancels, a second terminates and names what is still running", async () => {
    const ws = workspace();
    const pidFile = `${ws.root}/host.pid`;
    const cli = startCli(
      ws,
      [
        { name: "a", slowMs: 10_000 },
        { name: "b", dependsOn: ["a"] },
      ],
      {
        TOY_PID_FILE: pidFile,
      },
    );
    await cli.waitFor("[provider] toy create a.txt");
    const hostPid = Number(fs.readFileSync(pidFile, "utf8"));
    cli.child.kill("SIGINT");
    await cli.waitFor("^C received; cancelling. If you would like to terminate immediately, press ^C again.");
    cli.child.kill("SIGINT");
    await cli.waitFor("^C received; terminating");
    expect(await cli.exited).toBe(1);
    await waitUntilGone(hostPid);
    const out = cli.output();
    expect(out).toContain(`still running: creating ${urn("a")}`);
    expect(out).not.toContain("Toy b creating");
    expect(loadState(ws.stackFile, "toy", "dev").pendingOperations?.map((o) => o.type)).toEqual(["creating"]);
  });
});
