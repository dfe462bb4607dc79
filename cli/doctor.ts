/**
 * `mps-fpdb doctor`: resolves credentials, region and endpoint with the provider's own functions (nothing here
 * decides a source or an order), then checks with read-only calls that the endpoint answers, accepts the signature
 * and permits the reads the provider makes. Every failure carries its fix.
 */
import { parseArgs } from "node:util";
import { createMpsClient } from "../core/client/mps-client";
import { isAuthenticationCode } from "../core/client/error-mapping";
import type { MpsApi } from "../core/client/types";
import { resolveCredentials, type ResolvedCredentials } from "../core/config/credentials";
import { proxyWithoutCredentials, resolveProxy, type EndpointChoice } from "../core/config/endpoint";
import { chooseRegion } from "../core/config/region";
import { misspeltRegionText, regionFinding, unlistedRegionText } from "../core/config/regions";
import { clientTuning, resolveSettings, type Settings } from "../core/config/settings";
import { libraryEndpoint } from "../core/context";
import { MpsApiError } from "../core/errors";
import { messageOf } from "../core/text";
import { type CliIo, EXIT_FAILED, EXIT_OK, styleFor } from "./io";
import {
  NO_STACK_CONFIG,
  readStackConfig,
  TARGET_OPTIONS,
  TARGET_USAGE,
  targetFlags,
  type StackConfig,
} from "./target";
import {
  inRange,
  MIN_PULUMI_CLI,
  ownPackage,
  pulumiCliVersion,
  pulumiSdk,
  versionParts,
  compareVersions,
} from "./versions";

export const DOCTOR_USAGE = `Usage: mps-fpdb doctor [options]

Resolves credentials, region and endpoint exactly as the FingerprintLibrary provider would, says which source
won for each (never a secret), then checks with read-only calls that the endpoint answers, that it accepts the
signature, and that the reads the provider makes are permitted (ListFpShotDB with a dummy id,
QueryFpDBDeleteJobList without ids). CreateFpShotDB and SubmitFpDBDeleteJob cannot be checked without a write
and are named as such. Also reports Node.js, @pulumi/pulumi and the Pulumi CLI on PATH.

Results go to stdout, progress to stderr. Exit code 0 when nothing failed (warnings allowed), 1 when a check
failed, 2 for a bad command line. Each call is tried once, so a dead endpoint fails in milliseconds.

Options:
${TARGET_USAGE}  --json                  one JSON object on stdout: {"ok", "checks": [{"name", "status", "detail",
                          "source"?, "fix"?, "ms"?}]}; status is ok, warn, fail or skip
  --help                  print this text
`;

/** The outcome of one check. `skip` is a check that was not (or cannot be) made. */
export type CheckStatus = "ok" | "warn" | "fail" | "skip";

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  /** Which source won, for the resolved values. */
  source?: string;
  fix?: string;
  /** Duration of the call, for the network checks. */
  ms?: number;
}

/** A syntactically plain library id no library has: ListFpShotDB answers it in NonExistIds, changing nothing. */
const PROBE_FP_DB_ID = "mps-fpdb-doctor-probe-0000000000";

const RAM_FIX =
  "Grant the RAM identity the actions of the README's 'Least-privilege RAM policy' (mts:ListFpShotDB, " +
  "mts:QueryFpDBDeleteJobList, mts:CreateFpShotDB, mts:SubmitFpDBDeleteJob), or the AliyunMTSFullAccess policy.";

export async function doctor(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: { ...TARGET_OPTIONS, json: { type: "boolean" }, help: { type: "boolean" } },
  });
  if (values.help) {
    io.stdout(DOCTOR_USAGE);
    return EXIT_OK;
  }
  const flags = targetFlags(values);
  const progress = (line: string): void => io.stderr(`${line}\n`);
  const checks: Check[] = [];
  const add = (check: Check): Check => {
    checks.push(check);
    return check;
  };

  progress("Checking Node.js, @pulumi/pulumi and the Pulumi CLI");
  checks.push(...(await toolChecks(io)));

  let config: StackConfig = NO_STACK_CONFIG;
  if (flags.stack !== undefined) {
    progress(`Reading the config of stack ${flags.stack} through the Pulumi CLI`);
    try {
      config = await readStackConfig(flags.stack, io);
      add({ name: "stack config", status: "ok", detail: config.description });
    } catch (e) {
      add({ name: "stack config", status: "fail", detail: "could not be read", fix: messageOf(e) });
    }
  } else {
    add({ name: "stack config", status: "skip", detail: NO_STACK_CONFIG.description });
  }

  let settings: Settings | undefined;
  try {
    settings = resolveSettings(config, io.env);
    add({ name: "settings", status: "ok", detail: "pulumi-mps-fpdb:* settings are valid" });
  } catch (e) {
    add({
      name: "settings",
      status: "fail",
      detail: "the provider would refuse to start",
      fix: messageOf(e),
    });
  }

  let region: string | undefined;
  let regionUsable = false;
  try {
    const choice = chooseRegion(flags.region, config, io.env);
    region = choice.region;
    add(regionCheck(choice.region, choice.source));
    regionUsable = checks[checks.length - 1].status !== "fail";
  } catch (e) {
    add({ name: "region", status: "fail", detail: "none set", fix: messageOf(e) });
  }

  let endpoint: EndpointChoice | undefined;
  if (settings && region !== undefined) {
    try {
      endpoint = libraryEndpoint(settings, io.env, { ...flags, region });
      const proxy = resolveProxy(endpoint.endpoint);
      const misspeltDefault = endpoint.source.startsWith("the default") && !regionUsable;
      add({
        name: "endpoint",
        status: misspeltDefault ? "skip" : "ok",
        detail:
          (misspeltDefault ? "would be " : "") +
          endpoint.endpoint.url +
          (proxy ? ` through the proxy ${proxyWithoutCredentials(proxy)}` : ""),
        source: endpoint.source,
      });
    } catch (e) {
      add({ name: "endpoint", status: "fail", detail: "unusable", fix: messageOf(e) });
    }
  } else {
    add({
      name: "endpoint",
      status: "skip",
      detail: `not resolved: it needs ${settings ? "a region" : "valid settings"}`,
    });
  }

  let credentials: ResolvedCredentials | undefined;
  progress("Resolving credentials");
  try {
    credentials = await resolveCredentials({ config, env: io.env, profile: flags.profile });
    add({
      name: "credentials",
      status: "ok",
      detail: `AccessKey ${credentials.accessKeyIdHint ?? "(id not shown)"}`,
      source: credentials.source,
    });
  } catch (e) {
    add({ name: "credentials", status: "fail", detail: "none usable", fix: messageOf(e) });
  }

  // The default endpoint of a misspelt region is a host that does not exist: calling it proves nothing.
  const defaultOfBadRegion =
    endpoint !== undefined && endpoint.source.startsWith("the default") && !regionUsable;
  if (settings && endpoint && credentials && !defaultOfBadRegion) {
    const api = createMpsClient({
      endpoint: endpoint.endpoint.url,
      credential: credentials.credential,
      ...clientTuning(settings),
      // One try each: doctor reports what answers now, and a dead endpoint must not take the backoff's seconds.
      maxAttempts: 1,
    });
    checks.push(...(await callChecks(api, endpoint, credentials, progress)));
  } else {
    const why = defaultOfBadRegion
      ? "the region is misspelt, so its default endpoint does not exist"
      : `it needs ${[!settings && "valid settings", !endpoint && "an endpoint", !credentials && "credentials"].filter(Boolean).join(", ")}`;
    for (const name of ["endpoint answers", "signature accepted", "ListFpShotDB", "QueryFpDBDeleteJobList"]) {
      add({ name, status: "skip", detail: `not called: ${why}` });
    }
  }
  for (const action of ["CreateFpShotDB", "SubmitFpDBDeleteJob"]) {
    add({
      name: action,
      status: "skip",
      detail: "cannot be checked without a write (it would create a library or submit a job)",
      fix:
        "Make sure the RAM policy grants mts:" +
        action +
        "; the README's 'Least-privilege RAM policy' lists it.",
    });
  }

  const ok = !checks.some((c) => c.status === "fail");
  if (values.json) io.stdout(`${JSON.stringify({ ok, checks }, null, 2)}\n`);
  else io.stdout(render(checks, io));
  return ok ? EXIT_OK : EXIT_FAILED;
}

async function toolChecks(io: CliIo): Promise<Check[]> {
  const pkg = ownPackage();
  const checks: Check[] = [];
  const nodeRange = pkg.engines?.node ?? ">=20";
  const nodeOk = inRange(process.versions.node, nodeRange);
  checks.push({
    name: "Node.js",
    status: nodeOk === false ? "fail" : "ok",
    detail: `v${process.versions.node} (pulumi-mps-fpdb ${pkg.version} needs ${nodeRange})`,
    fix: nodeOk === false ? `Install Node.js ${nodeRange} (https://nodejs.org).` : undefined,
  });

  const sdkRange = pkg.peerDependencies?.["@pulumi/pulumi"] ?? "";
  const sdk = pulumiSdk(io.cwd);
  if (!sdk) {
    checks.push({
      name: "@pulumi/pulumi",
      status: "fail",
      detail: "not installed",
      fix: `Install it in the project: npm install @pulumi/pulumi (a peer dependency, ${sdkRange}).`,
    });
  } else {
    const sdkOk = inRange(sdk.version, sdkRange);
    checks.push({
      name: "@pulumi/pulumi",
      status: sdkOk === false ? "fail" : "ok",
      detail: `${sdk.version} ${sdk.where} (needs ${sdkRange})`,
      fix: sdkOk === false ? `npm install "@pulumi/pulumi@${sdkRange}"` : undefined,
    });
  }

  const cli = await pulumiCliVersion(io.env, io.cwd);
  const parts = cli === undefined ? undefined : versionParts(cli);
  if (cli === undefined || parts === undefined) {
    checks.push({
      name: "Pulumi CLI",
      status: "warn",
      detail: cli === undefined ? "no `pulumi` on PATH" : `\`pulumi version\` printed "${cli}"`,
      fix: `Install Pulumi CLI ${MIN_PULUMI_CLI} or later (https://www.pulumi.com/docs/install/) to run stacks.`,
    });
  } else if (compareVersions(parts, versionParts(MIN_PULUMI_CLI)!) < 0) {
    checks.push({
      name: "Pulumi CLI",
      status: "warn",
      detail: `${cli}: older than ${MIN_PULUMI_CLI}, it hides the provider's log lines (progress, Delete JobIds)`,
      fix: `Upgrade to Pulumi CLI ${MIN_PULUMI_CLI} or later (https://www.pulumi.com/docs/install/).`,
    });
  } else {
    checks.push({ name: "Pulumi CLI", status: "ok", detail: `${cli} (needs ${MIN_PULUMI_CLI} or later)` });
  }
  return checks;
}

/** The provider's region rule: a misspelling is refused before anything is created; an unlisted region warned. */
function regionCheck(region: string, source: string): Check {
  const finding = regionFinding(region);
  if (!finding) return { name: "region", status: "ok", detail: region, source };
  if (finding.kind === "misspelt") {
    return {
      name: "region",
      status: "fail",
      detail: misspeltRegionText("The region", region, finding.suggestion),
      source,
      fix: `Fix it where it comes from (${source}); the provider refuses it before creating anything.`,
    };
  }
  return {
    name: "region",
    status: "warn",
    detail: unlistedRegionText("The region", region, finding),
    source,
  };
}

type Probe = { ok: true; ms: number } | { ok: false; ms: number; error: MpsApiError | Error };

async function probe(call: () => Promise<unknown>): Promise<Probe> {
  const started = Date.now();
  try {
    await call();
    return { ok: true, ms: Date.now() - started };
  } catch (e) {
    return { ok: false, ms: Date.now() - started, error: e instanceof Error ? e : new Error(String(e)) };
  }
}

async function callChecks(
  api: MpsApi,
  endpoint: EndpointChoice,
  credentials: ResolvedCredentials,
  progress: (line: string) => void,
): Promise<Check[]> {
  const url = endpoint.endpoint.url;
  progress(`Calling ListFpShotDB at ${url} with a dummy library id`);
  const list = await probe(() => api.listFpShotDb([PROBE_FP_DB_ID]));
  const checks: Check[] = [];
  const skipRest = (why: string): Check[] => {
    for (const name of ["endpoint answers", "signature accepted", "ListFpShotDB", "QueryFpDBDeleteJobList"]) {
      if (!checks.some((c) => c.name === name))
        checks.push({ name, status: "skip", detail: `not checked: ${why}` });
    }
    return checks;
  };

  if (!list.ok) {
    const error = list.error;
    const code = error instanceof MpsApiError ? error.code : "";
    const answered = error instanceof MpsApiError && error.statusCode !== undefined;
    if (!answered) {
      checks.push({
        name: "endpoint answers",
        status: "fail",
        detail: `no answer from ${url} (tried once)`,
        ms: list.ms,
        fix: messageOf(error) + (endpoint.endpoint.loopback ? emulatorHint(endpoint) : ""),
      });
      return skipRest("the endpoint did not answer");
    }
    checks.push({ name: "endpoint answers", status: "ok", detail: `${url} answered`, ms: list.ms });
    if (isAuthenticationCode(code) || code.startsWith("InvalidTimeStamp")) {
      checks.push({
        name: "signature accepted",
        status: "fail",
        detail: `refused: ${code}`,
        fix: code.startsWith("InvalidTimeStamp")
          ? messageOf(error)
          : `MPS refused the AccessKey ${credentials.accessKeyIdHint ?? ""} from ${credentials.source}. Check that ` +
            "the AccessKey id and secret belong together and are active (the RAM console lists them), or give " +
            "another pair there.",
      });
      return skipRest("the signature was refused");
    }
    if (code === "InvalidAction.NotFound") {
      checks[0] = {
        ...checks[0],
        status: "fail",
        detail: `${url} answered, but does not serve MPS`,
        fix: messageOf(error),
      };
      return skipRest("the endpoint is not MPS");
    }
    checks.push({ name: "signature accepted", status: "ok", detail: `as ${credentials.source}` });
    checks.push(actionCheck("ListFpShotDB", list));
  } else {
    checks.push({ name: "endpoint answers", status: "ok", detail: `${url} answered`, ms: list.ms });
    checks.push({ name: "signature accepted", status: "ok", detail: `as ${credentials.source}` });
    checks.push(actionCheck("ListFpShotDB", list));
  }

  progress(`Calling QueryFpDBDeleteJobList at ${url} without ids`);
  checks.push(actionCheck("QueryFpDBDeleteJobList", await probe(() => api.queryFpDbDeleteJobList())));
  return checks;
}

function actionCheck(action: string, result: Probe): Check {
  if (result.ok) return { name: action, status: "ok", detail: "permitted (read-only call)", ms: result.ms };
  const code = result.error instanceof MpsApiError ? result.error.code : "";
  if (/^(Forbidden|PermissionDenied|InvalidIdentity|NoPermission)/.test(code)) {
    return { name: action, status: "fail", detail: `not permitted: ${code}`, ms: result.ms, fix: RAM_FIX };
  }
  const throttled = result.error instanceof MpsApiError && result.error.kind === "throttling";
  return {
    name: action,
    status: throttled ? "warn" : "fail",
    detail: throttled ? `throttled (${code}): permission not known` : `failed: ${code || "error"}`,
    ms: result.ms,
    fix: messageOf(result.error),
  };
}

function emulatorHint(endpoint: EndpointChoice): string {
  return (
    ` If this is the emulator, start it (\`npx mps-fpdb emulator --port 0\`) and point ${endpoint.source} at ` +
    "the URL it prints."
  );
}

const LABELS: Record<CheckStatus, string> = { ok: "ok  ", warn: "warn", fail: "FAIL", skip: "skip" };

function render(checks: Check[], io: CliIo): string {
  const style = styleFor(io);
  const paint: Record<CheckStatus, (t: string) => string> = {
    ok: style.ok,
    warn: style.warn,
    fail: style.fail,
    skip: style.dim,
  };
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines: string[] = [];
  for (const c of checks) {
    const extra = [c.source ? `from ${c.source}` : "", c.ms !== undefined ? `${c.ms} ms` : ""].filter(
      Boolean,
    );
    lines.push(
      `${paint[c.status](LABELS[c.status])}  ${c.name.padEnd(width)}  ${c.detail}` +
        (extra.length > 0 ? style.dim(` (${extra.join(", ")})`) : ""),
    );
    if (c.fix && c.status !== "ok") {
      const indent = " ".repeat(width + 8);
      const label = c.status === "skip" ? "note: " : "fix: ";
      lines.push(
        indent +
          label +
          c.fix
            .split("\n")
            .map((l) => l.trim())
            .join(`\n${indent}${" ".repeat(label.length)}`),
      );
    }
  }
  const failed = checks.filter((c) => c.status === "fail").length;
  const warned = checks.filter((c) => c.status === "warn").length;
  lines.push(
    "",
    failed > 0
      ? style.fail(`${failed} check${failed === 1 ? "" : "s"} failed`) +
          (warned ? `, ${warned} warning(s)` : "") +
          "."
      : style.ok("No check failed") + (warned ? `, ${warned} warning(s)` : "") + ".",
  );
  return `${lines.join("\n")}\n`;
}
