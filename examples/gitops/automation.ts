/**
 * Automation API driver for CI: `npx tsx automation.ts preview|up|destroy <environment>`.
 *
 * LocalWorkspace drives the Pulumi CLI on PATH: test/real-engine/examples.test.ts runs this script's up and
 * destroy with the CLI that `npm run build:pulumi-cli` builds; its program, program.ts, also runs through the
 * engine harness in test/lifecycle/examples.test.ts.
 *
 * Credentials come from the environment (the CI workflow sets ALIBABA_CLOUD_ROLE_ARN,
 * ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE for an OIDC role), never from stack config.
 * Stack config from the environment: ALIBABA_CLOUD_REGION (alicloud:region), PURGE_TRIGGER (purgeTrigger) and
 * MPS_PIPELINE_ID (pipelineId).
 */
import { LocalWorkspace, type OutputMap } from "@pulumi/pulumi/automation";
import { environmentProgram } from "./program";

type Action = "preview" | "up" | "destroy";

async function main(action: Action, environment: string): Promise<void> {
  const stack = await LocalWorkspace.createOrSelectStack({
    projectName: "mps-fpdb-gitops",
    stackName: environment,
    program: async () => environmentProgram(),
  });
  await stack.setAllConfig({
    "mps-fpdb-gitops:environment": { value: environment },
    "mps-fpdb-gitops:protect": { value: String(environment === "production") },
    "alicloud:region": { value: process.env.ALIBABA_CLOUD_REGION ?? "cn-shanghai" },
    ...(process.env.PURGE_TRIGGER
      ? { "mps-fpdb-gitops:purgeTrigger": { value: process.env.PURGE_TRIGGER } }
      : {}),
  });
  // Unlike purgeTrigger (whose removal does nothing), the pipeline is used by every later job: a variable removed
  // from CI must not leave the stack sending notifications to the old pipeline.
  if (process.env.MPS_PIPELINE_ID) {
    await stack.setConfig("mps-fpdb-gitops:pipelineId", { value: process.env.MPS_PIPELINE_ID });
  } else {
    await stack.removeConfig("mps-fpdb-gitops:pipelineId");
  }
  const onOutput = (line: string) => process.stdout.write(line);
  switch (action) {
    case "preview": {
      const result = await stack.preview({ onOutput, diff: true });
      console.log(JSON.stringify(result.changeSummary));
      return;
    }
    case "up": {
      const result = await stack.up({ onOutput });
      printOutputs(result.outputs);
      return;
    }
    case "destroy":
      await stack.destroy({ onOutput });
      return;
  }
}

function printOutputs(outputs: OutputMap): void {
  for (const [name, output] of Object.entries(outputs))
    console.log(`${name}: ${JSON.stringify(output.value)}`);
}

const [action, environment] = process.argv.slice(2);
if ((action !== "preview" && action !== "up" && action !== "destroy") || !environment) {
  console.error("usage: automation.ts preview|up|destroy <environment>");
  process.exit(2);
}
main(action, environment).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
