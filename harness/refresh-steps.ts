/**
 * `refresh`: Read every resource through the provider stored with it and bring the state in line, as the
 * engine's RefreshStep.Apply (step.go) does. A blank id means the resource is gone, and it is dropped from state.
 * Whether a resource changed is the provider's Diff of the refreshed state against the program's last inputs.
 * Refresh errors do not cancel other refreshes (the engine runs them with ignoreErrors).
 */
import type { Deployment } from "./deployment";
import { ResourceInitError } from "./errors";
import { applyIgnoreChanges, changedKeys } from "./plan-rules";
import type { ResourceState } from "./state";
import { canonicalJson, markSecrets, unwrapSecrets, type Props } from "./wire";

/** Refreshes every custom resource in state, within the parallelism limit. */
export async function refreshAll(d: Deployment): Promise<void> {
  const targets = d.resources.all().filter((e) => e.custom && e.id);
  await Promise.all(targets.map((e) => d.scheduler.limit(() => refreshOne(d, e)).catch(() => undefined)));
}

async function refreshOne(d: Deployment, entry: ResourceState): Promise<void> {
  const host = await d.host();
  d.plan("refresh", entry.urn);
  await d.step("refresh", entry.urn, async () => {
    const oldOutputs = unwrapSecrets(entry.outputs) as Props;
    const oldInputs = unwrapSecrets(entry.inputs) as Props;
    let res: { id: string; properties: Props; inputs?: Props };
    let initErrors: string[] | undefined;
    try {
      res = await host.read(entry.urn, entry.id, oldOutputs, oldInputs);
    } catch (err) {
      // A partial failure does not fail a refresh: the resource is recorded as unhealthy, with the reasons.
      if (!(err instanceof ResourceInitError)) throw err;
      res = { id: err.id || entry.id, properties: err.properties };
      initErrors = err.reasons;
      d.warn(`${entry.urn}: Refreshed resource is in an unhealthy state:\n* ${err.reasons.join("\n* ")}`);
    }
    if (!res.id) {
      d.resources.remove(entry);
      return { refresh: "gone" as const };
    }
    const newInputs = res.inputs ?? oldInputs;
    let changed: boolean;
    if (entry.external) {
      // The engine compares outputs only for a resource it does not manage.
      changed =
        canonicalJson(res.properties) !== canonicalJson(oldOutputs) ||
        canonicalJson(newInputs) !== canonicalJson(oldInputs);
    } else {
      // The diff an `up` of an unchanged program would see: refreshed inputs and outputs as the old state, the
      // last inputs as the new ones. A Diff error fails this refresh and keeps the old state.
      const diff = await host.diff(
        entry.urn,
        res.id,
        res.properties,
        oldInputs,
        newInputs,
        entry.ignoreChanges,
      );
      if (diff.changes === "unknown") {
        const news = entry.ignoreChanges?.length
          ? applyIgnoreChanges(oldInputs, newInputs, entry.ignoreChanges)
          : oldInputs;
        changed = changedKeys(newInputs, news).length > 0;
      } else {
        changed = diff.changes === "some";
      }
    }
    const keys = [...(entry.secretInputKeys ?? []), ...(entry.additionalSecretOutputs ?? [])];
    const next: ResourceState = {
      ...entry,
      id: res.id,
      outputs: markSecrets(res.properties, keys),
      status: initErrors ? "partial" : entry.status === "partial" ? "created" : entry.status,
    };
    if (res.inputs) next.inputs = markSecrets(res.inputs, entry.secretInputKeys ?? []);
    if (initErrors) next.initErrors = initErrors;
    else delete next.initErrors;
    d.resources.put(next, entry);
    return { id: res.id, refresh: changed ? ("changed" as const) : ("unchanged" as const) };
  });
}
