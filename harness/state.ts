/**
 * The harness's stack state file: what the engine would keep in its checkpoint, minus encryption.
 */
import * as fs from "node:fs";
import type { Props } from "./wire";

/** Where a resource stands. */
export type ResourceStatus =
  /** Exists and matches its recorded inputs and outputs. */
  | "created"
  /** Created, but Create/Update reported an init failure; the next `up` updates it. */
  | "partial"
  /** The old copy of a create-before-delete replacement, waiting for its Delete. */
  | "pending-delete";

/** One resource in the state file. */
export interface ResourceState {
  urn: string;
  type: string;
  /** Provider-assigned id; "" for component resources. */
  id: string;
  /** False for component resources (no provider calls). */
  custom: boolean;
  /** Checked inputs (with `__provider`), secrets as wire envelopes. */
  inputs: Props;
  /** Outputs (with `__provider`), secrets as wire envelopes. */
  outputs: Props;
  /** Top-level input keys that held a secret; outputs with these keys are marked secret. */
  secretInputKeys?: string[];
  /** The additionalSecretOutputs resource option: more output keys to mark secret. */
  additionalSecretOutputs?: string[];
  status: ResourceStatus;
  /** Reasons of the last init failure (status `partial`). */
  initErrors?: string[];
  protect?: boolean;
  retainOnDelete?: boolean;
  /** Read with `.get()`: never deleted, only forgotten. */
  external?: boolean;
  parent?: string;
  /** URNs this resource depends on (dependsOn and property dependencies). */
  dependencies: string[];
  /** customTimeouts in seconds, as last registered. */
  customTimeouts?: { create?: number; update?: number; delete?: number };
}

/** The default provider's configuration as stored: secret keys are named, their values never written. */
export interface ProviderConfigState {
  /** Non-secret config values (namespaced keys). */
  config: Record<string, string>;
  /** Keys whose values were secret; destroy/refresh need them supplied again. */
  secretKeys: string[];
}

/** The whole state file. */
export interface StackState {
  version: 1;
  project: string;
  stack: string;
  providerConfig: ProviderConfigState;
  /** In dependency order: a resource comes after everything it depends on. */
  resources: ResourceState[];
  /** Stack outputs of the last `up`, in wire form. */
  outputs: Props;
}

/** An empty state for a new stack. */
export function emptyState(project: string, stack: string): StackState {
  return {
    version: 1,
    project,
    stack,
    providerConfig: { config: {}, secretKeys: [] },
    resources: [],
    outputs: {},
  };
}

/** Reads the state file, or returns an empty state when there is none yet. */
export function loadState(file: string, project: string, stack: string): StackState {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return emptyState(project, stack);
    throw err;
  }
  const state = JSON.parse(text) as StackState;
  if (state.version !== 1 || !Array.isArray(state.resources)) {
    throw new Error(
      `${file} is not a harness state file (version 1); move it away or pass another --stack-file`,
    );
  }
  return state;
}

/** The config to store: secret values dropped, their keys kept. */
export function storableConfig(
  config: Record<string, string>,
  secretKeys: readonly string[],
): ProviderConfigState {
  const secret = new Set(secretKeys);
  return {
    config: Object.fromEntries(Object.entries(config).filter(([k]) => !secret.has(k))),
    secretKeys: Object.keys(config)
      .filter((k) => secret.has(k))
      .sort(),
  };
}
