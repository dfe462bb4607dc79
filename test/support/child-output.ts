import type { ChildProcess } from "node:child_process";
import * as readline from "node:readline";

/**
 * The first line a child prints on stdout (a port, a URL), or a rejection with its stderr if it exits first:
 * how every process this project starts announces that it is ready.
 */
export function firstLine(child: ChildProcess): Promise<string> {
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => (stderr += chunk));
  return new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`exited with ${code} before printing a line: ${stderr}`)));
  });
}
