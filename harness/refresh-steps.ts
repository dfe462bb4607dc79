/**
 * `refresh`: Read every resource through the provider stored with it and bring the state in line. A blank id
 * means the resource is gone, and it is dropped from state.
 */
import type { Deployment } from "./deployment";
import type { ResourceState } from "./state";
import { canonicalJson, markSecrets, unwrapSecrets, type Props } from "./wire";

/** Refreshes every custom resource in state, within the parallelism limit. */
export async function refreshAll(d: Deployment): Promise<void> {
  const targets = d.all().filter((e) => e.custom && e.id);
  await Promise.all(targets.map((e) => d.limit(() => refreshOne(d, e)).catch(() => undefined)));
}

async function refreshOne(d: Deployment, entry: ResourceState): Promise<void> {
  const host = await d.host();
  d.plan("refresh", entry.urn);
  await d.step("refresh", entry.urn, async () => {
    const oldOutputs = unwrapSecrets(entry.outputs) as Props;
    const res = await host.read(entry.urn, entry.id, oldOutputs, unwrapSecrets(entry.inputs) as Props);
    if (!res.id) {
      d.remove(entry);
      return { refresh: "gone" as const };
    }
    const keys = [...(entry.secretInputKeys ?? []), ...(entry.additionalSecretOutputs ?? [])];
    const next: ResourceState = { ...entry, id: res.id, outputs: markSecrets(res.properties, keys) };
    if (res.inputs) next.inputs = markSecrets(res.inputs, entry.secretInputKeys ?? []);
    const changed =
      canonicalJson(unwrapSecrets(res.properties)) !== canonicalJson(oldOutputs) || res.id !== entry.id;
    d.put(next, entry);
    return { id: res.id, refresh: changed ? ("changed" as const) : ("unchanged" as const) };
  });
}
