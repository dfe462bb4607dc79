/**
 * Messages between the engine (parent) and the program process (child, program/child.ts) over Node's IPC
 * channel. Property bags are in wire form: secret envelopes and the unknown sentinel included.
 */
import type { Props } from "../wire";

/** One `aliases` entry of a registration (pulumirpc.Alias): a whole URN, or a spec whose blanks mean "as now". */
export interface AliasSpec {
  urn?: string;
  name?: string;
  type?: string;
  stack?: string;
  project?: string;
  parentUrn?: string;
  noParent?: boolean;
}

/** What the program asked for in one RegisterResource call (the options a MockResourceArgs would lose). */
export interface Registration {
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  inputs: Props;
  /** Every URN this resource depends on (dependsOn and property dependencies). */
  dependencies: string[];
  protect?: boolean;
  retainOnDelete?: boolean;
  /** The deleteBeforeReplace resource option, when set. */
  deleteBeforeReplace?: boolean;
  ignoreChanges: string[];
  replaceOnChanges: string[];
  additionalSecretOutputs: string[];
  importId?: string;
  /** customTimeouts in seconds, when set. */
  customTimeouts?: { create?: number; update?: number; delete?: number };
  /** An explicit provider reference; the harness only has the default dynamic provider. */
  provider?: string;
  /** The aliases resource option. */
  aliases?: AliasSpec[];
}

/** A `.get()`: ReadResource of an existing resource by id. */
export interface ReadRegistration {
  type: string;
  name: string;
  id: string;
  parent?: string;
  inputs: Props;
  dependencies: string[];
}

/** The engine's answer to a registration. */
export interface RegistrationReply {
  urn: string;
  id: string;
  state: Props;
}

/** Parent to child. */
export type ToChild =
  | {
      kind: "start";
      entry: string;
      sdkDir: string;
      project: string;
      stack: string;
      preview: boolean;
      config: Record<string, string>;
      secretKeys: string[];
    }
  | { kind: "reply"; seq: number; ok: true; reply: RegistrationReply }
  | { kind: "reply"; seq: number; ok: false; message: string };

/** Child to parent. */
export type FromChild =
  | { kind: "register"; seq: number; registration: Registration }
  | { kind: "read"; seq: number; registration: ReadRegistration }
  | { kind: "stack-outputs"; outputs: Props }
  | { kind: "done"; errors: string[] };
