/**
 * The region a library lives in. Resolved once at create and pinned in state (docs/design.md, 'Inputs'), so a
 * changed stack config or environment never moves an existing library.
 */
import { ConfigError } from "../errors";
import type { ConfigSource } from "./settings";
import { nonEmpty } from "../text";

/**
 * The region: the `region` input, else stack config `alicloud:region`, else `ALIBABA_CLOUD_REGION`, else
 * `ALICLOUD_REGION`. Throws `ConfigError` saying how to set one when there is none.
 */
export function resolveRegion(
  input: string | undefined,
  config: ConfigSource,
  env: NodeJS.ProcessEnv,
): string {
  const region =
    nonEmpty(input) ??
    nonEmpty(config.get("alicloud:region")) ??
    nonEmpty(env.ALIBABA_CLOUD_REGION) ??
    nonEmpty(env.ALICLOUD_REGION);
  if (region) return region;
  throw new ConfigError(
    "No region for the library. Set the `region` input, or the stack config `alicloud:region` " +
      "(`pulumi config set alicloud:region cn-shanghai`), or the environment variable ALIBABA_CLOUD_REGION " +
      "(or ALICLOUD_REGION).",
  );
}
