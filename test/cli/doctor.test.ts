/**
 * `mps-fpdb doctor` against the real emulator, through the provider's client and `@alicloud/openapi-client`: what
 * it resolves, which source it names, what each failure says and its exit code.
 */
import * as fs from "node:fs";
import { DEFAULT_ACCESS_KEY_SECRET, startEmulator, type RunningEmulator } from "../../emulator";
import type { Check } from "../../cli/doctor";
import { clearCredentialCache } from "../../core/config/credentials";
import { cleanEnv, emulatorEnv, fakePulumi, runCli, tempDir } from "./run";

let emulator: RunningEmulator;
let work: string;
let pathDir: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  work = tempDir("mps-fpdb-doctor-");
  pathDir = fakePulumi(work, "v3.248.0");
});

afterAll(async () => {
  await emulator?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  emulator.admin.reset();
  // Credentials are cached per identity for the process's life; each test resolves them from its own sources.
  clearCredentialCache();
});

async function doctorJson(env: NodeJS.ProcessEnv, args: string[] = []) {
  const result = await runCli(["doctor", "--json", ...args], env);
  const report = JSON.parse(result.stdout) as { ok: boolean; checks: Check[] };
  const check = (name: string): Check => {
    const found = report.checks.find((c) => c.name === name);
    if (!found) throw new Error(`no check ${name} in ${result.stdout}`);
    return found;
  };
  return { ...result, report, check };
}

it("passes with good credentials, naming the source of each value, and makes only read calls", async () => {
  const { code, report, check, stderr } = await doctorJson(
    cleanEnv(work, pathDir, emulatorEnv(emulator.endpoint)),
  );
  expect(code).toBe(0);
  expect(report.ok).toBe(true);
  expect(check("region")).toMatchObject({
    status: "ok",
    detail: "cn-hangzhou",
    source: "environment ALIBABA_CLOUD_REGION",
  });
  expect(check("endpoint")).toMatchObject({
    status: "ok",
    detail: emulator.endpoint,
    source: "environment MPS_FPDB_ENDPOINT",
  });
  expect(check("credentials")).toMatchObject({
    status: "ok",
    detail: "AccessKey LTAI***",
    source: "environment ALIBABA_CLOUD_ACCESS_KEY_ID",
  });
  for (const name of ["endpoint answers", "signature accepted", "ListFpShotDB", "QueryFpDBDeleteJobList"]) {
    expect(check(name).status).toBe("ok");
  }
  for (const name of ["CreateFpShotDB", "SubmitFpDBDeleteJob"]) {
    expect(check(name)).toMatchObject({ status: "skip", detail: expect.stringContaining("without a write") });
  }
  expect(check("Pulumi CLI")).toMatchObject({ status: "ok", detail: "v3.248.0 (needs 3.146 or later)" });
  expect(check("Node.js").status).toBe("ok");
  expect(check("@pulumi/pulumi").detail).toMatch(/^3\.\d+\.\d+ in this project \(needs >=3\.139 <4\)$/);
  expect(Object.keys(emulator.admin.counts().byAction).sort()).toEqual([
    "ListFpShotDB",
    "QueryFpDBDeleteJobList",
  ]);
  expect(emulator.admin.state().libraries).toEqual([]);
  expect(stderr).toContain(`Calling ListFpShotDB at ${emulator.endpoint}`);
});

it("prints a table without colour off a terminal, and never the secret", async () => {
  const result = await runCli(["doctor"], cleanEnv(work, pathDir, emulatorEnv(emulator.endpoint)));
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^ok {4}credentials {13}AccessKey LTAI\*\*\* \(from environment/m);
  expect(result.stdout).toContain("No check failed.");
  expect(result.stdout).not.toContain("\u001b[");
  expect(result.stdout + result.stderr).not.toContain(DEFAULT_ACCESS_KEY_SECRET);
});

it("colours on a terminal unless NO_COLOR is set", async () => {
  const env = cleanEnv(work, pathDir, emulatorEnv(emulator.endpoint));
  expect((await runCli(["doctor"], env, { terminal: true })).stdout).toContain("\u001b[32mok  \u001b[39m");
  expect((await runCli(["doctor"], { ...env, NO_COLOR: "1" }, { terminal: true })).stdout).not.toContain(
    "\u001b[",
  );
});

it("fails when the signature is refused, naming the key's source and the fix", async () => {
  const env = cleanEnv(work, pathDir, {
    ...emulatorEnv(emulator.endpoint),
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: "not-the-secret",
  });
  const { code, report, check, stdout } = await doctorJson(env);
  expect(code).toBe(1);
  expect(report.ok).toBe(false);
  expect(check("endpoint answers").status).toBe("ok");
  expect(check("signature accepted")).toMatchObject({
    status: "fail",
    detail: "refused: SignatureDoesNotMatch",
    fix: expect.stringContaining(
      "MPS refused the AccessKey LTAI*** from environment ALIBABA_CLOUD_ACCESS_KEY_ID",
    ),
  });
  expect(check("ListFpShotDB").status).toBe("skip");
  expect(stdout).not.toContain("not-the-secret");
});

it("fails for an AccessKey the endpoint does not know", async () => {
  const env = cleanEnv(work, pathDir, {
    ...emulatorEnv(emulator.endpoint),
    ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAI5tSomeoneElse",
  });
  const { code, check } = await doctorJson(env);
  expect(code).toBe(1);
  expect(check("signature accepted")).toMatchObject({
    status: "fail",
    detail: "refused: InvalidAccessKeyId.NotFound",
  });
});

it("refuses a misspelt region as the provider does, although the emulator would accept it", async () => {
  const { code, check } = await doctorJson(
    cleanEnv(work, pathDir, emulatorEnv(emulator.endpoint, "cn-hangzou")),
  );
  expect(code).toBe(1);
  expect(check("region")).toMatchObject({
    status: "fail",
    detail: 'The region "cn-hangzou" is not an MPS region id: did you mean "cn-hangzhou"?',
    source: "environment ALIBABA_CLOUD_REGION",
    fix: expect.stringContaining("Fix it where it comes from (environment ALIBABA_CLOUD_REGION)"),
  });
  // The emulator serves any region: the calls themselves succeed, which is why the region check matters.
  expect(check("ListFpShotDB").status).toBe("ok");
});

it("does not call the default endpoint of a misspelt region", async () => {
  const env = cleanEnv(work, pathDir, { ...emulatorEnv(emulator.endpoint), MPS_FPDB_ENDPOINT: "" });
  const { code, check } = await doctorJson(env, ["--region", "hangzhou"]);
  expect(code).toBe(1);
  expect(check("region")).toMatchObject({ status: "fail", source: "the `region` input" });
  expect(check("region").detail).toContain('did you mean "cn-hangzhou"?');
  expect(check("endpoint")).toMatchObject({
    status: "skip",
    detail: "would be https://mts.hangzhou.aliyuncs.com",
  });
  expect(check("endpoint answers")).toMatchObject({
    status: "skip",
    detail: expect.stringContaining("misspelt"),
  });
});

it("warns about a region without documented fingerprint libraries", async () => {
  const { code, check } = await doctorJson(
    cleanEnv(work, pathDir, emulatorEnv(emulator.endpoint, "eu-central-1")),
  );
  expect(code).toBe(0);
  expect(check("region")).toMatchObject({
    status: "warn",
    detail: expect.stringContaining("MPS documents fingerprint"),
  });
});

it("fails fast with the fix when nothing listens at the endpoint (a stopped emulator)", async () => {
  const stopped = await startEmulator({ port: 0 });
  await stopped.close();
  const started = Date.now();
  const { code, check, stdout } = await doctorJson(cleanEnv(work, pathDir, emulatorEnv(stopped.endpoint)));
  expect(Date.now() - started).toBeLessThan(2000);
  expect(code).toBe(1);
  expect(check("endpoint answers")).toMatchObject({
    status: "fail",
    detail: expect.stringMatching(/^no answer from http:\/\/127\.0\.0\.1:\d+ \(tried once\)$/),
    fix: expect.stringContaining("ECONNREFUSED"),
  });
  expect(check("endpoint answers").fix).toContain(
    "start it (`npx mps-fpdb emulator --port 0`) and point environment MPS_FPDB_ENDPOINT at the URL it prints",
  );
  expect(check("signature accepted")).toMatchObject({
    status: "skip",
    detail: "not checked: the endpoint did not answer",
  });
  expect(stdout).toContain("Nothing accepts connections at");
});

it("names a read the RAM identity may not make, with the policy fix", async () => {
  emulator.admin.addFault({
    type: "error",
    action: "QueryFpDBDeleteJobList",
    code: "Forbidden.RAM",
    httpStatus: 403,
  });
  const { code, check } = await doctorJson(cleanEnv(work, pathDir, emulatorEnv(emulator.endpoint)));
  expect(code).toBe(1);
  expect(check("ListFpShotDB").status).toBe("ok");
  expect(check("QueryFpDBDeleteJobList")).toMatchObject({
    status: "fail",
    detail: "not permitted: Forbidden.RAM",
    fix: expect.stringContaining("Least-privilege RAM policy"),
  });
});

it("lists the three ways when no credentials are found", async () => {
  const env = cleanEnv(work, pathDir, {
    MPS_FPDB_ENDPOINT: emulator.endpoint,
    ALIBABA_CLOUD_REGION: "cn-hangzhou",
  });
  const { code, check } = await doctorJson(env);
  expect(code).toBe(1);
  expect(check("credentials")).toMatchObject({
    status: "fail",
    fix: expect.stringContaining("(2) environment"),
  });
  expect(check("endpoint answers")).toMatchObject({
    status: "skip",
    detail: "not called: it needs credentials",
  });
});

it("resolves from stack config read through the Pulumi CLI (--stack), config over environment", async () => {
  const dir = tempDir("mps-fpdb-doctor-stack-");
  try {
    const bin = fakePulumi(dir, "v3.150.0", {
      "alicloud:region": { value: "cn-shanghai", secret: false },
      "alicloud:accessKey": { value: "LTAI5tEmulatorDefaultKey", secret: false },
      "alicloud:secretKey": { value: DEFAULT_ACCESS_KEY_SECRET, secret: true },
      "pulumi-mps-fpdb:endpoint": { value: emulator.endpoint, secret: false },
    });
    const env = cleanEnv(dir, bin, { ALIBABA_CLOUD_REGION: "ap-southeast-1" });
    const { code, check, stdout } = await doctorJson(env, ["--stack", "dev"]);
    expect(code).toBe(0);
    expect(check("stack config")).toMatchObject({ status: "ok", detail: "stack dev (4 keys)" });
    expect(check("region")).toMatchObject({ detail: "cn-shanghai", source: "stack config alicloud:region" });
    expect(check("endpoint")).toMatchObject({ source: "stack config pulumi-mps-fpdb:endpoint" });
    expect(check("credentials").source).toBe("stack config alicloud:accessKey");
    expect(check("Pulumi CLI").status).toBe("ok");
    expect(stdout).not.toContain(DEFAULT_ACCESS_KEY_SECRET);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it("warns about a Pulumi CLI older than 3.146 and about none on PATH", async () => {
  const dir = tempDir("mps-fpdb-doctor-old-");
  try {
    const old = fakePulumi(dir, "v3.140.0");
    const env = cleanEnv(dir, old, emulatorEnv(emulator.endpoint));
    expect((await doctorJson(env)).check("Pulumi CLI")).toMatchObject({
      status: "warn",
      detail: expect.stringContaining("older than 3.146, it hides the provider's log lines"),
    });
    const none = await doctorJson({ ...env, PATH: dir });
    expect(none.code).toBe(0);
    expect(none.check("Pulumi CLI")).toMatchObject({ status: "warn", detail: "no `pulumi` on PATH" });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it("refuses a bad option with exit code 2 and the usage", async () => {
  const result = await runCli(["doctor", "--endpoint-type", "private"], cleanEnv(work, pathDir));
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('--endpoint-type is "private"; use public or vpc.');
  expect(result.stderr).toContain("Usage: mps-fpdb doctor");
  expect(result.stdout).toBe("");
});
