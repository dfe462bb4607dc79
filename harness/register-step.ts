/**
 * One RegisterResource from the program, handled like the engine's step generator and executor:
 * Check, then Create for a new resource, or Diff and Same / Update / Replace for an existing one.
 */
import type { Deployment } from "./deployment";
import { CancelledError, ResourceInitError } from "./errors";
import type { StepResult } from "./events";
import type { ProviderHost } from "./host-client";
import { applyIgnoreChanges, decideStep } from "./plan-rules";
import type { AliasSpec, Registration, RegistrationReply } from "./program/protocol";
import type { ResourceState } from "./state";
import { makeUrn, parseUrn } from "./urn";
import { deleteOne } from "./delete-steps";
import { markSecrets, PROVIDER_KEY, stripSecrets, unwrapSecrets, type Props } from "./wire";

/** The type of the root stack resource; it is not a step and not kept among the resources. */
export const STACK_TYPE = "pulumi:pulumi:Stack";

const DYNAMIC_TYPE_PREFIX = "pulumi-nodejs:dynamic";

/** Handles a registration and returns what the program sees (id and outputs, secrets marked). */
export async function registerResource(d: Deployment, reg: Registration): Promise<RegistrationReply> {
  const urn = makeUrn(d.stack, d.project, reg.type, reg.name, reg.parent);
  d.resources.claim(urn);
  if (reg.type === STACK_TYPE) return { urn, id: "", state: {} };
  if (d.scheduler.cancelReason) throw new CancelledError();
  findOld(d, urn, reg);
  if (!reg.custom) return registerComponent(d, urn, reg);
  if (!reg.type.startsWith(DYNAMIC_TYPE_PREFIX)) {
    const message = `the engine harness only runs dynamic resources; ${reg.type} needs its own provider plugin`;
    failWithoutStep(d, "create", urn, message);
    throw new Error(message);
  }
  return d.scheduler.generateStep(() => generateCustom(d, urn, reg));
}

/**
 * step_generator.go getOldResource: the old state is the one under this URN, else under the first alias that has
 * one; found through an alias, the resource takes that state over (it is not deleted as left out of the program).
 */
function findOld(d: Deployment, urn: string, reg: Registration): void {
  if (d.resources.current(urn)) return;
  for (const alias of aliasUrns(d, reg)) {
    const old = d.resources.current(alias);
    if (!old || alias === urn || d.resources.isRegistered(alias)) continue;
    d.resources.alias(urn, alias);
    for (const e of d.resources.all().filter((x) => x.urn === alias)) d.resources.put({ ...e, urn }, e);
    return;
  }
}

/** The URNs a registration's aliases stand for (collapseAliasToUrn, with the parent's own alias inherited). */
function aliasUrns(d: Deployment, reg: Registration): string[] {
  const urns: string[] = [];
  const parentOld = reg.parent ? d.resources.aliasOf(reg.parent) : undefined;
  const collapse = (a: AliasSpec): string => {
    if (a.urn) return a.urn;
    let parent = a.noParent ? undefined : (a.parentUrn ?? reg.parent);
    if (parent && d.resources.aliasOf(parent)) parent = d.resources.aliasOf(parent);
    return makeUrn(
      a.stack || d.stack,
      a.project || d.project,
      a.type || reg.type,
      a.name || reg.name,
      parent,
    );
  };
  for (const a of reg.aliases ?? []) urns.push(collapse(a));
  if (parentOld) {
    // A child of a renamed parent is found under the parent's old URN (inheritedChildAlias).
    const parentName = parseUrn(reg.parent!).name;
    const oldParentName = parseUrn(parentOld).name;
    const name = reg.name.startsWith(parentName)
      ? oldParentName + reg.name.slice(parentName.length)
      : reg.name;
    urns.push(makeUrn(d.stack, d.project, reg.type, name, parentOld));
  }
  return [...new Set(urns)];
}

/** What a registration's inputs look like once secrets are stripped. */
interface Prepared {
  urn: string;
  reg: Registration;
  /** Keys to mark secret on outputs. */
  secretKeys: string[];
  /** Input keys that held secrets. */
  inputSecretKeys: string[];
  checked: Props;
}

/**
 * The step generator's part (step_generator.go generateSteps, continueStepsFromDiff): Check, Diff and the choice
 * of step, each failure recorded without a step. Returns the step for the executor to run.
 */
async function generateCustom(
  d: Deployment,
  urn: string,
  reg: Registration,
): Promise<() => Promise<RegistrationReply>> {
  const host = await d.host();
  const old = d.resources.current(urn);
  const { plain, secretKeys: inputSecretKeys } = stripSecrets(reg.inputs);
  const secretKeys = [...new Set([...inputSecretKeys, ...reg.additionalSecretOutputs])];
  if (reg.importId && !old) return () => importResource(d, host, urn, reg);

  // continueStepsFromImport: a resource that was read (`.get`) and is now managed is checked without old inputs
  // and created; the read state is then discarded, never deleted.
  const wasExternal = old?.external === true;
  const oldInputs = old && !wasExternal ? (unwrapSecrets(old.inputs) as Props) : {};
  const news =
    old && !wasExternal && reg.ignoreChanges.length
      ? applyIgnoreChanges(plain, oldInputs, reg.ignoreChanges)
      : plain;
  let checked: Props;
  try {
    const result = await host.check(urn, oldInputs, news);
    if (result.failures.length > 0) {
      throw new Error(checkFailureText(result.failures));
    }
    checked = result.inputs;
  } catch (err) {
    const message = (err as Error).message;
    failWithoutStep(d, old ? "update" : "create", urn, message);
    throw new Error(message);
  }
  const p: Prepared = { urn, reg, secretKeys, inputSecretKeys, checked };
  if (!old) return () => create(d, host, p);
  if (wasExternal) return generateReplace(d, host, p, old, [], false, false);

  let decision;
  try {
    const diff = await host.diff(
      urn,
      old.id,
      unwrapSecrets(old.outputs) as Props,
      checked,
      oldInputs,
      reg.ignoreChanges,
    );
    decision = decideStep(diff, oldInputs, checked, {
      replaceOnChanges: reg.replaceOnChanges,
      deleteBeforeReplace: reg.deleteBeforeReplace,
      partial: old.status === "partial",
    });
  } catch (err) {
    const message = (err as Error).message;
    failWithoutStep(d, "update", urn, message);
    throw new Error(message);
  }
  switch (decision.kind) {
    case "same":
      return () => same(d, p, old);
    case "update":
      return () => update(d, host, p, old);
    case "replace":
      return generateReplace(d, host, p, old, decision.replaces, decision.deleteBeforeReplace, true);
  }
}

async function create(d: Deployment, host: ProviderHost, p: Prepared): Promise<RegistrationReply> {
  d.plan("create", p.urn);
  if (d.preview) {
    await d.step("create", p.urn, async () => ({}), false);
    return reply(p, "", p.checked);
  }
  let entry: ResourceState | undefined;
  try {
    await d.step("create", p.urn, async () => {
      try {
        const res = await d.operation("creating", makeEntry(p, "", {}, "created"), () =>
          host.create(p.urn, p.checked, d.longCall(p.reg.customTimeouts?.create)),
        );
        entry = makeEntry(p, res.id, res.properties, "created");
        d.resources.put(entry);
        return { id: res.id };
      } catch (err) {
        if (err instanceof ResourceInitError) d.resources.put(partialEntry(p, err));
        throw err;
      }
    });
  } catch (err) {
    throw stepError(err);
  }
  return reply(p, entry!.id, entry!.outputs);
}

async function same(d: Deployment, p: Prepared, old: ResourceState): Promise<RegistrationReply> {
  d.plan("same", p.urn);
  // The engine's SameStep keeps the old outputs (and so the old __provider) with the new inputs.
  const entry = makeEntry(p, old.id, old.outputs, old.status);
  d.resources.put(entry, old);
  await d.step("same", p.urn, async () => ({ id: old.id }), false);
  return reply(p, old.id, entry.outputs);
}

async function update(
  d: Deployment,
  host: ProviderHost,
  p: Prepared,
  old: ResourceState,
): Promise<RegistrationReply> {
  d.plan("update", p.urn);
  if (d.preview) {
    await d.step("update", p.urn, async () => ({ id: old.id }), false);
    return reply(p, old.id, p.checked);
  }
  let entry: ResourceState | undefined;
  try {
    await d.step("update", p.urn, async () => {
      try {
        const res = await d.operation("updating", makeEntry(p, old.id, old.outputs, old.status), () =>
          host.update(
            p.urn,
            old.id,
            unwrapSecrets(old.outputs) as Props,
            p.checked,
            unwrapSecrets(old.inputs) as Props,
            d.longCall(p.reg.customTimeouts?.update),
          ),
        );
        entry = makeEntry(p, old.id, res.properties, "created");
        d.resources.put(entry, old);
        return { id: old.id };
      } catch (err) {
        if (err instanceof ResourceInitError) d.resources.put(partialEntry(p, err, old.id), old);
        throw err;
      }
    });
  } catch (err) {
    throw stepError(err);
  }
  return reply(p, old.id, entry!.outputs);
}

/**
 * continueStepsFromDiff for a replacement: the protect refusal and the re-check of the new inputs belong to the
 * step generator; the replace step runs in the executor.
 */
async function generateReplace(
  d: Deployment,
  host: ProviderHost,
  p: Prepared,
  old: ResourceState,
  replaces: string[],
  deleteBeforeReplace: boolean,
  recheck: boolean,
): Promise<() => Promise<RegistrationReply>> {
  d.plan("replace", p.urn, { replaces, deleteBeforeReplace });
  const extra: Partial<StepResult> = { replaces, deleteBeforeReplace };
  // continueStepsFromDiff: only a resource protected both before and now cannot be replaced (removing `protect`
  // and replacing in one update is allowed). A preview reports it and carries on.
  if (old.protect && p.reg.protect) {
    const message =
      `unable to replace resource "${p.urn}" as it is currently marked for protection; ` +
      "remove `protect` from the resource in the program and run up";
    failWithoutStep(d, "replace", p.urn, message, extra, !d.preview);
    throw new Error(message);
  }
  if (recheck) {
    // A replacement recomputes defaults: the engine checks the new inputs again without old ones.
    try {
      const { plain } = stripSecrets(p.reg.inputs);
      const result = await host.check(p.urn, {}, plain);
      if (result.failures.length > 0) {
        throw new Error(checkFailureText(result.failures));
      }
      p = { ...p, checked: result.inputs };
    } catch (err) {
      const message = (err as Error).message;
      failWithoutStep(d, "replace", p.urn, message, extra);
      throw new Error(message);
    }
  }
  return () => replace(d, host, p, old, extra, deleteBeforeReplace);
}

async function replace(
  d: Deployment,
  host: ProviderHost,
  p: Prepared,
  old: ResourceState,
  extra: Partial<StepResult>,
  deleteBeforeReplace: boolean,
): Promise<RegistrationReply> {
  if (d.preview) {
    await d.step("replace", p.urn, async () => extra, false);
    return reply(p, "", p.checked);
  }
  let entry: ResourceState | undefined;
  try {
    await d.step("replace", p.urn, async () => {
      if (deleteBeforeReplace) {
        await deleteOne(d, host, old, true);
      }
      try {
        const res = await d.operation("creating", makeEntry(p, "", {}, "created"), () =>
          host.create(p.urn, p.checked, d.longCall(p.reg.customTimeouts?.create)),
        );
        entry = makeEntry(p, res.id, res.properties, "created");
      } catch (err) {
        if (!(err instanceof ResourceInitError)) throw err;
        entry = partialEntry(p, err);
        throw err;
      } finally {
        if (entry) {
          d.resources.put(entry);
          // Create-before-delete: the old copy stays in state until the delete phase at the end of the run.
          if (!deleteBeforeReplace) d.resources.put({ ...old, status: "pending-delete" }, old);
        }
      }
      return { ...extra, id: entry.id };
    });
  } catch (err) {
    throw stepError(err);
  }
  return reply(p, entry!.id, entry!.outputs);
}

async function registerComponent(d: Deployment, urn: string, reg: Registration): Promise<RegistrationReply> {
  const old = d.resources.current(urn);
  const op = old ? "same" : "create";
  d.plan(op, urn);
  d.resources.put(
    {
      urn,
      type: reg.type,
      id: "",
      custom: false,
      inputs: reg.inputs,
      outputs: {},
      status: "created",
      parent: reg.parent,
      dependencies: reg.dependencies,
      ...(reg.protect ? { protect: true } : {}),
      ...(reg.retainOnDelete ? { retainOnDelete: true } : {}),
    },
    old,
  );
  await d.step(op, urn, async () => ({}), false);
  return { urn, id: "", state: {} };
}

/**
 * The `import` option: the engine sends Read(id) with no properties, which a dynamic provider cannot serve (no
 * `__provider`); the step fails as it does under the CLI.
 */
async function importResource(
  d: Deployment,
  host: ProviderHost,
  urn: string,
  reg: Registration,
): Promise<RegistrationReply> {
  d.plan("import", urn);
  let out: RegistrationReply | undefined;
  try {
    await d.step("import", urn, async () => {
      const res = await host.read(urn, reg.importId!, {}, {});
      out = { urn, id: res.id, state: withoutProvider(res.properties) };
      return { id: res.id };
    });
  } catch (err) {
    throw stepError(err);
  }
  return out!;
}

function makeEntry(p: Prepared, id: string, outputs: Props, status: ResourceState["status"]): ResourceState {
  const entry: ResourceState = {
    urn: p.urn,
    type: p.reg.type,
    id,
    custom: true,
    inputs: markSecrets(p.checked, p.inputSecretKeys),
    outputs: markSecrets(outputs, p.secretKeys),
    status,
    dependencies: p.reg.dependencies,
  };
  if (p.inputSecretKeys.length > 0) entry.secretInputKeys = p.inputSecretKeys;
  if (p.reg.additionalSecretOutputs.length > 0) entry.additionalSecretOutputs = p.reg.additionalSecretOutputs;
  if (p.reg.protect) entry.protect = true;
  if (p.reg.retainOnDelete) entry.retainOnDelete = true;
  if (p.reg.parent) entry.parent = p.reg.parent;
  if (p.reg.customTimeouts && Object.values(p.reg.customTimeouts).some((v) => v !== undefined)) {
    entry.customTimeouts = p.reg.customTimeouts;
  }
  if (p.reg.ignoreChanges.length > 0) entry.ignoreChanges = p.reg.ignoreChanges;
  return entry;
}

function partialEntry(p: Prepared, err: ResourceInitError, fallbackId = ""): ResourceState {
  return { ...makeEntry(p, err.id || fallbackId, err.properties, "partial"), initErrors: err.reasons };
}

function reply(p: Prepared, id: string, outputs: Props): RegistrationReply {
  return { urn: p.urn, id, state: withoutProvider(markSecrets(outputs, p.secretKeys)) };
}

function withoutProvider(props: Props): Props {
  const out = { ...props };
  delete out[PROVIDER_KEY];
  return out;
}

function failWithoutStep(
  d: Deployment,
  op: StepResult["op"],
  urn: string,
  message: string,
  extra: Partial<StepResult> = {},
  bail = true,
): void {
  const { type, name } = parseUrn(urn);
  const result: StepResult = { op, urn, type, name, ok: false, error: message, durationMs: 0, ...extra };
  if (d.preview) result.preview = true;
  d.fail(result, bail);
}

function stepError(err: unknown): Error {
  if (err instanceof ResourceInitError) return new Error(`${err.message} (partially created as ${err.id})`);
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Check failures as the engine reports them: one line per property (the engine issues one diagnostic each), so
 * several failures never run together on one line.
 */
export function checkFailureText(failures: readonly { property: string; reason: string }[]): string {
  return ["Check failed:", ...failures.map((f) => `  property ${f.property}: ${f.reason}`)].join("\n");
}
