/**
 * `npm run demo` with the built CLI on PATH takes its real-CLI branch (demo/cli-driver.ts): the quickstart's up,
 * purge and destroy through Pulumi's engine, checked by the demo's own summary against the emulator's records.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { hostEnv } from "../support/lifecycle";
import { CLI_DIR, REPO_ROOT, requireCli } from "./support/cli";

jest.setTimeout(300_000);

test("npm run demo drives the real CLI and ends OK", async () => {
  requireCli();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "mps-fpdb-demo-home-"));
  // The demo runs the quickstart in place; a demo that fails before `pulumi stack rm` leaves this file behind.
  const stackFile = path.join(REPO_ROOT, "examples", "quickstart", "Pulumi.demo.yaml");
  const hadStackFile = fs.existsSync(stackFile);
  try {
    // --ignore-scripts skips predemo's rebuild of dist/ (npm test has just built it, and other test files load it).
    const child = spawn("npm", ["run", "demo", "--ignore-scripts"], {
      cwd: REPO_ROOT,
      env: hostEnv({
        PATH: `${CLI_DIR}${path.delimiter}${process.env.PATH ?? ""}`,
        PULUMI_HOME: home,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect({ code, output }).toEqual({ code: 0, output: expect.stringMatching(/Finished in [\d.]+ s: OK/) });
    expect(output).toMatch(/Engine: the Pulumi CLI v3\.248\.0/);
    expect(output).toMatch(/Library \w+: created, purged, deleted/);
    expect(fs.existsSync(stackFile)).toBe(hadStackFile);
  } finally {
    if (!hadStackFile) fs.rmSync(stackFile, { force: true });
    fs.rmSync(home, { recursive: true, force: true });
  }
});
