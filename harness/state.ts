/**
 * The harness's stack state file: what the engine keeps in its checkpoint. Secret config is encrypted under a
 * passphrase when one is given (see secrets.ts); secrets in resource properties are wire envelopes.
 */
import * as fs from "node:fs";
import { encryptConfig, type EncryptedConfig, type SecretBox } from "./secrets";
import { isSecret, SECRET_SIG, SIG_KEY, wrapSecret, type Props } from "./wire";

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
  /** The ignoreChanges option, as last registered (refresh's Diff applies it). */
  ignoreChanges?: string[];
}

/** What an operation in flight was doing (resource.OperationType). */
export type PendingOperationType = "creating" | "updating" | "deleting" | "reading";

/**
 * An operation that had started but not finished when the checkpoint was written. One left in the state file
 * means the run was interrupted while it was in flight: its outcome is unknown.
 */
export interface PendingOperation {
  type: PendingOperationType;
  /** The resource as the operation began (a pending CREATE has no id: the resource is not in `resources`). */
  resource: ResourceState;
}

/** The default provider's configuration as stored: secret keys are named, their values never written. */
export interface ProviderConfigState {
  /** Non-secret config values (namespaced keys). */
  config: Record<string, string>;
  /** Keys whose values were secret. */
  secretKeys: string[];
  /**
   * The secret values, encrypted under the passphrase of the last update. Absent when that update had no
   * passphrase: destroy/refresh then need the secret keys supplied again.
   */
  encrypted?: EncryptedConfig;
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
  /** Operations in flight when the checkpoint was written (see {@link PendingOperation}). */
  pendingOperations?: PendingOperation[];
  /** Salt of the key that encrypts secret property values (present once a passphrase was used). */
  encryptionSalt?: string;
}

/** The key a secret envelope keeps its encrypted value under in the state file (as Pulumi's checkpoints do). */
const CIPHERTEXT = "ciphertext";

function mapEnvelopes(value: unknown, fn: (envelope: Record<string, unknown>) => unknown): unknown {
  if (isSecret(value)) return fn(value as unknown as Record<string, unknown>);
  if (Array.isArray(value)) return value.map((v) => mapEnvelopes(v, fn));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapEnvelopes(v, fn)]));
  }
  return value;
}

function mapResourceProps(r: ResourceState, fn: (props: Props) => Props): ResourceState {
  return { ...r, inputs: fn(r.inputs), outputs: fn(r.outputs) };
}

function mapStateProps(state: StackState, fn: (props: Props) => Props): StackState {
  const resource = (r: ResourceState): ResourceState => mapResourceProps(r, fn);
  const out: StackState = { ...state, resources: state.resources.map(resource), outputs: fn(state.outputs) };
  if (state.pendingOperations) {
    out.pendingOperations = state.pendingOperations.map((op) => ({ ...op, resource: resource(op.resource) }));
  }
  return out;
}

function sealProps(props: Props, box: SecretBox): Props {
  return mapEnvelopes(props, (e) => ({ [SIG_KEY]: SECRET_SIG, [CIPHERTEXT]: box.seal(e.value) })) as Props;
}

/** The state with every secret value encrypted, for writing. */
export function sealState(state: StackState, box: SecretBox): StackState {
  return mapStateProps(state, (props) => sealProps(props, box));
}

/** One resource with every secret value encrypted, for writing. */
export function sealResource(r: ResourceState, box: SecretBox): ResourceState {
  return mapResourceProps(r, (props) => sealProps(props, box));
}

/** True when the state holds encrypted secret values. */
export function hasSealedSecrets(state: StackState): boolean {
  let found = false;
  mapStateProps(state, (props) => {
    mapEnvelopes(props, (e) => (found ||= CIPHERTEXT in e));
    return props;
  });
  return found;
}

/** The state with every encrypted secret value decrypted. Throws WrongPassphraseError for another key. */
export function unsealState(state: StackState, box: SecretBox): StackState {
  return mapStateProps(
    state,
    (props) =>
      mapEnvelopes(props, (e) =>
        CIPHERTEXT in e ? wrapSecret(box.unseal(String(e[CIPHERTEXT]))) : e,
      ) as Props,
  );
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

/** The config to store: plain values as they are, secret values encrypted under `passphrase` or dropped. */
export function storableConfig(
  config: Record<string, string>,
  secretKeys: readonly string[],
  passphrase: string | undefined,
): ProviderConfigState {
  const secret = new Set(secretKeys);
  const keys = Object.keys(config)
    .filter((k) => secret.has(k))
    .sort();
  const stored: ProviderConfigState = {
    config: Object.fromEntries(Object.entries(config).filter(([k]) => !secret.has(k))),
    secretKeys: keys,
  };
  if (passphrase !== undefined && keys.length > 0) {
    stored.encrypted = encryptConfig(Object.fromEntries(keys.map((k) => [k, config[k]])), passphrase);
  }
  return stored;
}
