/**
 * The four operations, one object each: what sets each apart (whether it runs the program, how it answers a
 * registration, what it does once the program ran cleanly or without a program) is stated here, and the runner
 * (run-operation.ts) asks the object instead of testing the operation's name.
 */
import { deleteInReverseOrder } from "./delete-steps";
import type { Deployment } from "./deployment";
import type { Operation } from "./events";
import type { Registration, RegistrationReply } from "./program/protocol";
import { refreshAll } from "./refresh-steps";
import { registerResource, STACK_TYPE } from "./register-step";
import { makeUrn } from "./urn";
import { PROVIDER_KEY, unwrapSecrets, type Props } from "./wire";

/** What one operation does. */
export interface OperationKind {
  readonly name: Operation;
  /** `always`: up and preview; `on request`: destroy and refresh with runProgram or PULUMI_RUN_PROGRAM. */
  readonly program: "always" | "on request";
  /** Changes nothing: no lock, no state written, stack outputs from the program. */
  readonly preview: boolean;
  /** Takes `clearPendingCreates` (refresh). */
  readonly clearsPendingCreates: boolean;
  /** Warns about the pending operations of an interrupted run (deployment_executor.go, up and destroy). */
  readonly warnsPending: boolean;
  /** Without the program, a failed step does not stop the others (the engine's refresh ignores step errors). */
  readonly continuesWithoutProgram: boolean;
  /** How an interrupt is reported: "<verb> canceled". */
  readonly canceledVerb: string;
  /** Answers one registration of the program. */
  register(d: Deployment, reg: Registration): Promise<RegistrationReply>;
  /** What follows a program that ran to the end with every step done. */
  afterProgram(d: Deployment, outputs: Props): Promise<void>;
  /** What the operation does when the program does not run. */
  withoutProgram(d: Deployment): Promise<void>;
}

/** Resources the program no longer registers, and old copies of replacements, are deleted at the end. */
async function deleteLeftOut(d: Deployment, outputs: Props): Promise<void> {
  d.setStackFields({ outputs });
  const store = d.resources;
  await deleteInReverseOrder(
    d,
    store.all().filter((e) => !store.isRegistered(e.urn) || e.status === "pending-delete"),
  );
}

async function destroyAll(d: Deployment): Promise<void> {
  await deleteInReverseOrder(d, d.resources.all());
  if (d.resources.all().length === 0) d.setStackFields({ outputs: {} });
}

/**
 * A registration under `destroy --run-program` or `refresh --run-program`: the engine only takes the program's
 * providers from it; a resource in state is a Same step answered with its stored outputs, one not in state is
 * skipped (step_generator.go continueStepsFromRefresh, destroy and refresh modes).
 */
async function registerUnchanged(d: Deployment, reg: Registration): Promise<RegistrationReply> {
  const urn = makeUrn(d.stack, d.project, reg.type, reg.name, reg.parent);
  d.resources.claim(urn);
  const old = reg.type === STACK_TYPE ? undefined : d.resources.current(urn);
  if (!old) return { urn, id: "", state: {} };
  if (old.custom) {
    d.plan("same", urn);
    await d.step("same", urn, async () => ({ id: old.id }), false);
  }
  const state = unwrapSecrets(old.outputs) as Props;
  delete state[PROVIDER_KEY];
  return { urn, id: old.id, state };
}

const programRun = {
  program: "always",
  clearsPendingCreates: false,
  continuesWithoutProgram: false,
  register: registerResource,
  afterProgram: deleteLeftOut,
  withoutProgram: () => Promise.reject(new Error("this operation always runs the program")),
} as const;

const stateRun = {
  program: "on request",
  preview: false,
  register: registerUnchanged,
  canceledVerb: "update",
} as const;

/** Runs the program and shows what `up` would do, without changing anything or writing the state file. */
export const PREVIEW: OperationKind = {
  ...programRun,
  name: "preview",
  preview: true,
  warnsPending: false,
  canceledVerb: "preview",
};

/** Runs the program and creates, updates, replaces and deletes resources to match it. */
export const UP: OperationKind = {
  ...programRun,
  name: "up",
  preview: false,
  warnsPending: true,
  canceledVerb: "update",
};

/** Reads every resource in state and records what exists now; vanished resources are dropped. */
export const REFRESH: OperationKind = {
  ...stateRun,
  name: "refresh",
  clearsPendingCreates: true,
  warnsPending: false,
  continuesWithoutProgram: true,
  afterProgram: (d) => refreshAll(d),
  withoutProgram: refreshAll,
};

/** Deletes every resource in state, dependents first. */
export const DESTROY: OperationKind = {
  ...stateRun,
  name: "destroy",
  clearsPendingCreates: false,
  warnsPending: true,
  continuesWithoutProgram: false,
  afterProgram: (d) => destroyAll(d),
  withoutProgram: destroyAll,
};

/** Each operation by its name. */
export const OPERATIONS: Readonly<Record<Operation, OperationKind>> = {
  preview: PREVIEW,
  up: UP,
  refresh: REFRESH,
  destroy: DESTROY,
};
