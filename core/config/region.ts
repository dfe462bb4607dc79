/**
 * The region a library lives in. Resolved once at create and pinned in state (docs/design.md, 'Inputs'), so a
 * changed stack config or environment never moves an existing library.
 */
import { ConfigError } from "../errors";
import type { ConfigSource } from "./settings";
import { nonEmpty } from "../text";

/** A region and where it came from, for messages and `mps-fpdb doctor`. */
export interface RegionChoice {
  region: string;
  /** `the \`region\` input`, `stack config alicloud:region`, `environment ALIBABA_CLOUD_REGION`, ... */
  source: string;
}

/**
 * The region: the `region` input, else stack config `alicloud:region`, else `ALIBABA_CLOUD_REGION`, else
 * `ALICLOUD_REGION`. Throws `ConfigError` saying how to set one when there is none.
 */
export function resolveRegion(
  input: string | undefined,
  config: ConfigSource,
  env: NodeJS.ProcessEnv,
): string {
  return chooseRegion(input, config, env).region;
}

/** {@link resolveRegion}, also saying which source won: the one rule, shared by the provider and the doctor. */
export function chooseRegion(
  input: string | undefined,
  config: ConfigSource,
  env: NodeJS.ProcessEnv,
): RegionChoice {
  const sources: [string | undefined, string][] = [
    [input, "the `region` input"],
    [config.get("alicloud:region"), "stack config alicloud:region"],
    [env.ALIBABA_CLOUD_REGION, "environment ALIBABA_CLOUD_REGION"],
    [env.ALICLOUD_REGION, "environment ALICLOUD_REGION"],
  ];
  for (const [value, source] of sources) {
    const region = nonEmpty(value);
    if (region) return { region, source };
  }
  throw new ConfigError(
    "No region for the library. Set the `region` input, or the stack config `alicloud:region` " +
      "(`pulumi config set alicloud:region cn-shanghai`), or the environment variable ALIBABA_CLOUD_REGION " +
      "(or ALICLOUD_REGION).",
  );
}
