/**
 * Deleting resources as the engine schedules it (step_generator.go ScheduleDeletes, deployment_executor.go
 * performPostSteps): in waves, each wave the resources nothing left to delete depends on, run in parallel up to
 * the parallelism limit. What a failed delete depends on is skipped without a step (it must outlive it).
 */
import type { Deployment } from "./deployment";
import { CancelledError, ProtectedError, TerminatedError } from "./errors";
import type { ProviderHost } from "./host-client";
import type { ResourceState } from "./state";
import { unwrapSecrets, type Props } from "./wire";

/**
 * Deletes (or forgets) one resource and removes it from state. Throws when it is protected (unless it is the old
 * copy of a replacement, whose protection was checked when the replacement was decided) or the provider's Delete
 * fails; the resource then stays in state. Returns whether it was only forgotten.
 */
export async function deleteOne(
  d: Deployment,
  host: ProviderHost,
  entry: ResourceState,
  replacing = false,
): Promise<{ retained: boolean }> {
  if (entry.protect && !replacing) throw new ProtectedError(entry.urn);
  const retained = !entry.custom || entry.external === true || entry.retainOnDelete === true;
  if (!retained) {
    await d.operation("deleting", entry, () =>
      host.delete(
        entry.urn,
        entry.id,
        unwrapSecrets(entry.outputs) as Props,
        unwrapSecrets(entry.inputs) as Props,
        d.longCall(entry.customTimeouts?.delete),
      ),
    );
  }
  d.resources.remove(entry);
  return { retained: retained && entry.custom };
}

/** The resources `v` depends on (dependencies and parent) among `set`. */
function dependenciesOf(v: ResourceState, set: readonly ResourceState[]): ResourceState[] {
  return set.filter(
    (w) => w !== v && w.urn !== v.urn && (v.dependencies.includes(w.urn) || v.parent === w.urn),
  );
}

/** The delete waves: first the resources nothing else in `victims` depends on, last what everything depends on. */
export function deleteWaves(victims: readonly ResourceState[]): ResourceState[][] {
  const condemned = new Set(victims);
  const waves: ResourceState[][] = [];
  while (condemned.size > 0) {
    const left = [...condemned];
    const wave = left.filter((v) => !left.some((w) => w !== v && dependenciesOf(w, [v]).length > 0));
    if (wave.length === 0) {
      throw new Error(`dependency cycle in state through ${left[0].urn}; fix the state file`);
    }
    for (const v of wave) condemned.delete(v);
    waves.push(wave);
  }
  return waves;
}

/** Deletes `victims` dependents-first, wave by wave. In a preview only plan lines and step results are produced. */
export async function deleteInReverseOrder(d: Deployment, victims: ResourceState[]): Promise<void> {
  const skipped = new Set<ResourceState>();
  const failed: ResourceState[] = [];
  for (const wave of deleteWaves(victims)) {
    // The dependencies of a resource whose delete failed must outlive it.
    const todo = [...failed];
    while (todo.length > 0) {
      for (const dep of dependenciesOf(todo.pop()!, victims)) {
        if (!skipped.has(dep)) {
          skipped.add(dep);
          todo.push(dep);
        }
      }
    }
    failed.length = 0;
    if (d.scheduler.cancelReason) return;
    const results = await Promise.all(
      wave.filter((v) => !skipped.has(v)).map(async (v) => ({ v, ok: await deleteStep(d, v) })),
    );
    for (const r of results) if (!r.ok) failed.push(r.v);
  }
}

async function deleteStep(d: Deployment, v: ResourceState): Promise<boolean> {
  const op = v.external ? "discard" : "delete";
  const replaced = v.status === "pending-delete";
  if (d.preview) {
    d.plan(op, v.urn);
    return d
      .step(
        op,
        v.urn,
        async () => {
          if (v.protect && !replaced) throw new ProtectedError(v.urn);
          return v.retainOnDelete ? { retained: true } : {};
        },
        false,
      )
      .then(
        () => true,
        () => false,
      );
  }
  try {
    return await d.scheduler.limit(async () => {
      d.plan(op, v.urn);
      const host = await d.host();
      await d.step(op, v.urn, async () => {
        const { retained } = await deleteOne(d, host, v, replaced);
        return { id: v.id, ...(retained ? { retained } : {}), ...(replaced ? { replaced: true } : {}) };
      });
      return true;
    });
  } catch (err) {
    if (err instanceof CancelledError || err instanceof TerminatedError) return true;
    return false;
  }
}
