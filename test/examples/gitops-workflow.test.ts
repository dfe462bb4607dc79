/**
 * The GitOps CI workflow example is a file users copy into their repository; it cannot run here (it needs a
 * CI runner and the Pulumi CLI), so it is parsed and checked for the behaviour its README promises.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

interface Step {
  name?: string;
  if?: string;
  run?: string;
  uses?: string;
}
interface Workflow {
  on: Record<string, { branches?: string[]; inputs?: Record<string, unknown> }>;
  permissions: Record<string, string>;
  env: Record<string, string>;
  jobs: Record<string, { steps: Step[] }>;
}

const dir = path.resolve(__dirname, "..", "..", "examples", "gitops");
const workflow = parse(fs.readFileSync(path.join(dir, "workflow.yaml"), "utf8")) as Workflow;
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);

function stepFor(event: string): Step {
  const step = steps.find((s) => s.if?.includes(`github.event_name == '${event}'`));
  if (!step) throw new Error(`no step for ${event}`);
  return step;
}

it("previews on pull requests, runs up on merge to main, and offers destroy by dispatch", () => {
  expect(Object.keys(workflow.on).sort()).toEqual(["pull_request", "push", "workflow_dispatch"]);
  expect(workflow.on.push.branches).toEqual(["main"]);
  expect(stepFor("pull_request").run).toMatch(/automation\.ts preview /);
  expect(stepFor("push").run).toMatch(/automation\.ts up /);
  expect(stepFor("workflow_dispatch").run).toContain("github.event.inputs.action");
  expect(
    String((workflow.on.workflow_dispatch.inputs?.action as { description: string }).description),
  ).toContain("destroy");
});

it("uses OIDC role credentials from the environment and stores no AccessKey", () => {
  expect(workflow.permissions["id-token"]).toBe("write");
  for (const key of [
    "ALIBABA_CLOUD_ROLE_ARN",
    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
    "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
  ]) {
    expect(workflow.env[key]).toBeTruthy();
  }
  const text = fs.readFileSync(path.join(dir, "workflow.yaml"), "utf8");
  expect(text).not.toMatch(/ACCESS_KEY|accessKey|secretKey/);
});

it("drives the same program module that the stack's index.ts runs", () => {
  const automation = fs.readFileSync(path.join(dir, "automation.ts"), "utf8");
  const index = fs.readFileSync(path.join(dir, "index.ts"), "utf8");
  expect(automation).toContain('from "./program"');
  expect(automation).toContain("program: async () => environmentProgram()");
  expect(index).toContain('from "./program"');
});

it("passes the optional pipeline to automation.ts, which sets the pipelineId the README lists", () => {
  expect(workflow.env.MPS_PIPELINE_ID).toBe("${{ vars.MPS_PIPELINE_ID }}");
  const automation = fs.readFileSync(path.join(dir, "automation.ts"), "utf8");
  expect(automation).toContain("process.env.MPS_PIPELINE_ID");
  expect(automation).toContain('"mps-fpdb-gitops:pipelineId"');
});
