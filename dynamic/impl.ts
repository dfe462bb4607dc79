import type * as pulumi from "@pulumi/pulumi";
import { installEngineWatch } from "../core/engine-watch";
import { FingerprintLibraryProvider } from "./provider";

/**
 * The implementation behind `pulumi-mps-fpdb/provider-impl`, the specifier every serialized FingerprintLibrary
 * shim requires at call time. PERMANENT CONTRACT: state written by any release calls `install(shim, req)` from its
 * `configure` and `create(inputs)`, so both must keep these signatures for as long as such state can exist.
 */

/** The one provider instance of this process: its clients and rate limiters are shared by every resource. */
export const provider = new FingerprintLibraryProvider();

const INSTALLED_METHODS = ["check", "diff", "read", "update", "delete"] as const;

/**
 * Called by the shim's `configure` with the deserialized shim object: gives it the provider's methods (the host
 * looks them up after configure) and configures the provider with the stack config.
 */
export function install(
  shim: pulumi.dynamic.ResourceProvider,
  req: pulumi.dynamic.ConfigureRequest,
): Promise<void> {
  // Inside Pulumi's provider host only: exit once the engine that started it is gone (see ./engine-watch).
  installEngineWatch();
  const target = shim as unknown as Record<string, unknown>;
  for (const method of INSTALLED_METHODS) target[method] = provider[method].bind(provider);
  return provider.configure(req);
}

/** The shim's `create`. */
export function create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  return provider.create(inputs);
}
