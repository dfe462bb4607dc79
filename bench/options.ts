/**
 * Command line of `npm run bench`: `--libraries N` (or env `BENCH_LIBRARIES`) for the bulk scenarios, and
 * `--only a,b` to run a subset of the scenarios while investigating.
 */

/** The scenarios, in the order they run. */
export const SCENARIOS = [
  "planner-sim",
  "single",
  "lone-wait",
  "waves",
  "purge-all",
  "teardown",
  "teardown-naive",
  "teardown-sweep",
  "overhead",
  "real-engine",
  "plugin-host",
  "plugin",
  "plugin-waves",
  "destroy-checkpoint",
] as const;

/** Scenarios that run only when `--only` names them: too slow for every `npm run bench`. */
export const OPT_IN_SCENARIOS: readonly ScenarioName[] = ["destroy-checkpoint"];

/** One scenario name. */
export type ScenarioName = (typeof SCENARIOS)[number];

/** Libraries per stack when nothing says otherwise. */
export const DEFAULT_LIBRARIES = 1000;

/** What the command line asked for. */
export interface BenchOptions {
  libraries: number;
  scenarios: ScenarioName[];
}

/** Thrown for a bad command line; the message says what to pass instead. */
export class UsageError extends Error {}

/** Parses `argv` (without node and the script) and `env`. Throws {@link UsageError}. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  let libraries = env.BENCH_LIBRARIES
    ? parseCount(env.BENCH_LIBRARIES, "BENCH_LIBRARIES")
    : DEFAULT_LIBRARIES;
  let scenarios: ScenarioName[] = SCENARIOS.filter((s) => !OPT_IN_SCENARIOS.includes(s));
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === "--libraries") libraries = parseCount(value(), "--libraries");
    else if (flag === "--only") scenarios = parseScenarios(value());
    else {
      throw new UsageError(
        `unknown argument ${JSON.stringify(argv[i])}; use --libraries N and --only ${SCENARIOS.join(",")}`,
      );
    }
  }
  return { libraries, scenarios };
}

function parseCount(text: string, origin: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1) {
    throw new UsageError(
      `${origin} is ${JSON.stringify(text)}; expected a whole number of libraries, 1 or more`,
    );
  }
  return n;
}

function parseScenarios(text: string): ScenarioName[] {
  const names = text.split(",").map((s) => s.trim());
  const unknown = names.find((n) => !(SCENARIOS as readonly string[]).includes(n));
  if (unknown !== undefined) {
    throw new UsageError(
      `unknown scenario ${JSON.stringify(unknown)}; the scenarios are ${SCENARIOS.join(", ")}`,
    );
  }
  return SCENARIOS.filter((s) => names.includes(s));
}
