/**
 * The options `doctor` and `jobs` share: where the libraries are and as whom to call, mirroring the resource
 * inputs (`region`, `endpoint`, `endpointType`, `profile`) and, with `--stack`, the stack config the provider
 * would be configured with. Everything else is resolved by the provider's own functions.
 */
import { execFile } from "node:child_process";
import type { ConfigSource } from "../core/config/settings";
import type { EndpointType } from "../core/types";
import { type CliIo, UsageError } from "./io";

export const TARGET_OPTIONS = {
  region: { type: "string" },
  endpoint: { type: "string" },
  "endpoint-type": { type: "string" },
  profile: { type: "string" },
  stack: { type: "string" },
} as const;

export const TARGET_USAGE = `  --region ID             as the resource's \`region\` input (default: alicloud:region, then
                          ALIBABA_CLOUD_REGION, then ALICLOUD_REGION)
  --endpoint HOST|URL     as the \`endpoint\` input (MPS_FPDB_ENDPOINT and pulumi-mps-fpdb:endpoint still win,
                          as they do for the provider)
  --endpoint-type TYPE    as the \`endpointType\` input: public (default) or vpc
  --profile NAME          as the \`profile\` input: a credentials profile for this check only
  --stack NAME            also read that stack's config (alicloud:*, pulumi-mps-fpdb:*) through
                          \`pulumi config --show-secrets --json\` in this folder, as the provider is
                          configured by \`pulumi up\`; secrets are used, never printed
`;

/** The values of {@link TARGET_OPTIONS} after parsing. */
export interface TargetValues {
  region?: string;
  endpoint?: string;
  "endpoint-type"?: string;
  profile?: string;
  stack?: string;
}

/** A library's location and identity as the resource inputs would give them. */
export interface TargetFlags {
  region?: string;
  endpoint?: string;
  endpointType?: EndpointType;
  profile?: string;
  stack?: string;
}

export function targetFlags(values: TargetValues): TargetFlags {
  const endpointType = values["endpoint-type"];
  if (endpointType !== undefined && endpointType !== "public" && endpointType !== "vpc") {
    throw new UsageError(`--endpoint-type is "${endpointType}"; use public or vpc.`);
  }
  return {
    region: values.region,
    endpoint: values.endpoint,
    endpointType,
    profile: values.profile,
    stack: values.stack,
  };
}

/** Stack config as the provider receives it, and a description of where it came from (no values). */
export interface StackConfig extends ConfigSource {
  description: string;
  keys: string[];
}

/** No stack config: what the provider sees when a stack sets none of its keys. */
export const NO_STACK_CONFIG: StackConfig = {
  description: "not read (pass --stack NAME to read a stack's config through the Pulumi CLI)",
  keys: [],
  get: () => undefined,
};

/**
 * The stack's config as `pulumi up` hands it to the provider, secrets decrypted. The values stay in this process:
 * they are looked up by key, and only key names are ever shown.
 */
export async function readStackConfig(stack: string, io: CliIo): Promise<StackConfig> {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      "pulumi",
      ["config", "--show-secrets", "--json", "--stack", stack],
      { cwd: io.cwd, env: io.env, maxBuffer: 16 * 1024 * 1024 },
      (error, out, err) => {
        if (!error) return resolve(out);
        const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
        reject(
          new Error(
            missing
              ? "--stack needs the Pulumi CLI, and `pulumi` is not on PATH. Install it " +
                  "(https://www.pulumi.com/docs/install/), or drop --stack and give the settings as flags or " +
                  "environment variables."
              : `\`pulumi config --stack ${stack}\` failed in ${io.cwd}: ${firstLine(err) || error.message}. ` +
                  "Run it from the Pulumi project's folder with an existing stack name (`pulumi stack ls`).",
          ),
        );
      },
    );
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new Error(
      `\`pulumi config --json --stack ${stack}\` did not print JSON; is \`pulumi\` the Pulumi CLI?`,
    );
  }
  const values = new Map<string, string>();
  if (typeof parsed === "object" && parsed !== null) {
    for (const [key, entry] of Object.entries(parsed as Record<string, { value?: unknown }>)) {
      if (typeof entry?.value === "string") values.set(key, entry.value);
    }
  }
  return {
    description: `stack ${stack} (${values.size} keys)`,
    keys: [...values.keys()],
    get: (key) => values.get(key),
  };
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0]?.trim() ?? "";
}
