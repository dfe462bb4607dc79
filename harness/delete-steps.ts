/**
 * Deleting resources in reverse dependency order: a resource is deleted only after everything that depends on
 * it (among those being deleted) is gone, with as many deletes in flight as the parallelism allows.
 */
import type { Deployment } from "./deployment";
import type { ProviderHost } from "./host-client";
import type { ResourceState } from "./state";
import { unwrapSecrets, type Props } from "./wire";

function protectedError(urn: string): Error {
  return new Error(
    `cannot delete ${urn}: it is protected; remove \`protect\` from the program and run up, then try again`,
  );
}

/**
 * Deletes (or forgets) one resource and removes it from state. Throws when it is protected or the provider's
 * Delete fails; the resource then stays in state. Returns whether it was only forgotten.
 */
export async function deleteOne(
  d: Deployment,
  host: ProviderHost,
  entry: ResourceState,
): Promise<{ retained: boolean }> {
  if (entry.protect) throw protectedError(entry.urn);
  const retained = !entry.custom || entry.external === true || entry.retainOnDelete === true;
  if (!retained) {
    await host.delete(
      entry.urn,
      entry.id,
      unwrapSecrets(entry.outputs) as Props,
      unwrapSecrets(entry.inputs) as Props,
      d.longCall(entry.customTimeouts?.delete),
    );
  }
  d.remove(entry);
  return { retained: retained && entry.custom };
}

/**
 * Deletes `victims` dependents-first. A resource whose dependent could not be deleted is left alone (its step
 * fails with the reason). In a preview only plan lines and step results are produced.
 */
export async function deleteInReverseOrder(d: Deployment, victims: ResourceState[]): Promise<void> {
  const dependents = new Map<ResourceState, ResourceState[]>();
  for (const v of victims) {
    dependents.set(
      v,
      victims.filter(
        (w) => w !== v && w.urn !== v.urn && (w.dependencies.includes(v.urn) || w.parent === v.urn),
      ),
    );
  }
  const done = new Map<ResourceState, Promise<boolean>>();
  const visiting = new Set<ResourceState>();
  const run = (v: ResourceState): Promise<boolean> => {
    let p = done.get(v);
    if (p) return p;
    if (visiting.has(v)) throw new Error(`dependency cycle in state through ${v.urn}; fix the state file`);
    visiting.add(v);
    const waitFor = dependents.get(v)!.map(run);
    visiting.delete(v);
    p = Promise.all(waitFor).then((oks) => deleteAfter(d, v, dependents.get(v)!, oks));
    done.set(v, p);
    return p;
  };
  await Promise.all(victims.map(run));
}

async function deleteAfter(
  d: Deployment,
  v: ResourceState,
  deps: ResourceState[],
  oks: boolean[],
): Promise<boolean> {
  const op = v.external ? "discard" : "delete";
  const blocked = deps.filter((_, i) => !oks[i]);
  if (blocked.length > 0) {
    const message = `not deleted because ${blocked.map((b) => b.urn).join(", ")} (which depends on it) was not deleted`;
    d.plan(op, v.urn);
    await d.step(op, v.urn, () => Promise.reject(new Error(message)), false).catch(() => undefined);
    return false;
  }
  d.plan(op, v.urn);
  if (d.preview) {
    const ok = await d
      .step(
        op,
        v.urn,
        async () => {
          if (v.protect) throw protectedError(v.urn);
          return v.retainOnDelete ? { retained: true } : {};
        },
        false,
      )
      .then(
        () => true,
        () => false,
      );
    return ok;
  }
  return d.limit(async () => {
    const host = await d.host();
    return d
      .step(op, v.urn, async () => {
        const { retained } = await deleteOne(d, host, v);
        return {
          id: v.id,
          ...(retained ? { retained } : {}),
          ...(v.status === "pending-delete" ? { replaced: true } : {}),
        };
      })
      .then(
        () => true,
        () => false,
      );
  });
}
