/**
 * The stack lock of Pulumi's file backend (pkg/backend/diy/lock.go): up, refresh and destroy hold a lock file
 * next to the state while they run, so two runs never write one state file at once. A run that is killed leaves
 * it behind, and the next run refuses to start until it is removed (`cancel`, as `pulumi cancel` does).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The lock file of a state file. */
export function lockFileOf(stackFile: string): string {
  return `${stackFile}.lock`;
}

/** Takes the lock of `stackFile` or throws saying who holds it; returns the release function. */
export function acquireLock(stackFile: string): () => void {
  const file = lockFileOf(stackFile);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let fd: number;
  try {
    fd = fs.openSync(file, "wx");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    let holder = "";
    try {
      const held = JSON.parse(fs.readFileSync(file, "utf8")) as {
        pid?: number;
        host?: string;
        since?: string;
      };
      holder = ` (pid ${held.pid} on ${held.host} since ${held.since})`;
    } catch {
      // An unreadable lock is still a lock.
    }
    throw new Error(
      `the stack is currently locked by 1 lock(s)${holder}. Either wait for the other process to end or delete ` +
        `the lock file with \`cancel\` (npx tsx harness/cli.ts cancel --stack-file ${stackFile}; ` +
        "`pulumi cancel` with the Pulumi CLI)",
    );
  }
  fs.writeSync(
    fd,
    JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() }),
  );
  fs.closeSync(fd);
  return () => fs.rmSync(file, { force: true });
}

/** Removes the lock a killed run left (`pulumi cancel` on a file backend). Returns whether there was one. */
export function removeLock(stackFile: string): boolean {
  const file = lockFileOf(stackFile);
  if (!fs.existsSync(file)) return false;
  fs.rmSync(file, { force: true });
  return true;
}
