import { main, parseCommandLine } from "../../harness/cli";

describe("harness CLI flags (the Pulumi CLI's, where it has them)", () => {
  it("--help prints the usage and exits 0", async () => {
    const out: string[] = [];
    await expect(main(["--help"], (l) => out.push(l))).resolves.toBe(0);
    const text = out.join("\n");
    expect(text).toMatch(/^usage: tsx harness\/cli.ts up\|preview\|refresh\|destroy --program DIR/);
    for (const flag of ["--continue-on-error", "--run-program", "--clear-pending-creates", "--parallel"]) {
      expect(text).toContain(flag);
    }
  });

  it("maps the flags to run options with the CLI's meaning of --parallel", () => {
    const base = ["--program", "p", "--stack-file", "s.json"];
    expect(parseCommandLine(["up", ...base]).options).toMatchObject({
      parallel: undefined,
      continueOnError: false,
    });
    expect(parseCommandLine(["up", ...base, "--continue-on-error", "--parallel", "3"]).options).toMatchObject(
      {
        continueOnError: true,
        parallel: 3,
      },
    );
    // deployment.go DegreeOfParallelism: anything below 2 is 1; MaxInt32 is unbounded.
    expect(parseCommandLine(["up", ...base, "--parallel", "0"]).options.parallel).toBe(1);
    expect(parseCommandLine(["up", ...base, "--parallel", "2147483647"]).options.parallel).toBe(Infinity);
    expect(parseCommandLine(["destroy", ...base, "--run-program"]).options.runProgram).toBe(true);
    expect(
      parseCommandLine(["refresh", ...base, "--clear-pending-creates"]).options.clearPendingCreates,
    ).toBe(true);
  });

  it("refuses flags that the operation does not have, or that cannot work with dynamic providers", () => {
    const base = ["--program", "p", "--stack-file", "s.json"];
    expect(() => parseCommandLine(["up", ...base, "--run-program"])).toThrow(
      "--run-program is a flag of destroy and refresh",
    );
    expect(() => parseCommandLine(["up", ...base, "--clear-pending-creates"])).toThrow(
      "--clear-pending-creates is a flag of refresh",
    );
    expect(() => parseCommandLine(["refresh", ...base, "--import-pending-creates", "urn", "id"])).toThrow(
      /--import-pending-creates cannot work with dynamic providers/,
    );
    expect(() => parseCommandLine(["up", ...base, "--parallel", "x"])).toThrow(
      '--parallel must be an integer, got "x"',
    );
  });
});
