/**
 * A `.get()` from the program: ReadResource of an existing resource by id (step.go ReadStep.Apply,
 * step_generator.go GenerateReadSteps). The resource is recorded as external: later runs forget it instead of
 * deleting it.
 */
import type { Deployment } from "./deployment";
import type { ReadRegistration, RegistrationReply } from "./program/protocol";
import type { ResourceState } from "./state";
import { makeUrn } from "./urn";
import { markSecrets, PROVIDER_KEY, stripSecrets, type Props } from "./wire";

/**
 * Reads the resource through the provider host and returns its outputs to the program. A Read that answers with
 * an empty id still succeeds: the engine keeps the requested id and takes the properties as they came (the
 * dynamic host always returns at least `__provider`); only a Read that throws fails.
 *
 * When the URN belonged to a managed resource with another id, that resource is deleted at the end of the run
 * (the engine's read-replacement); with the same id it is relinquished: kept, no longer managed.
 */
export async function readResource(d: Deployment, reg: ReadRegistration): Promise<RegistrationReply> {
  const urn = makeUrn(d.stack, d.project, reg.type, reg.name, reg.parent);
  d.resources.claim(urn);
  return d.scheduler.limit(async () => {
    const host = await d.host();
    const { plain, secretKeys } = stripSecrets(reg.inputs);
    const old = d.resources.current(urn);
    const replacing = old !== undefined && !old.external && old.id !== reg.id;
    let outputs: Props = {};
    let id = reg.id;
    d.plan("read", urn);
    const entry: ResourceState = {
      urn,
      type: reg.type,
      id: reg.id,
      custom: true,
      inputs: markSecrets(plain, secretKeys),
      outputs: {},
      status: "created",
      external: true,
      dependencies: reg.dependencies,
    };
    if (secretKeys.length > 0) entry.secretInputKeys = secretKeys;
    if (reg.parent) entry.parent = reg.parent;
    await d.step("read", urn, async () => {
      const res = await d.operation("reading", entry, () => host.read(urn, reg.id, plain, plain));
      if (res.id) id = res.id;
      outputs = markSecrets(res.properties, secretKeys);
      const next: ResourceState = { ...entry, id, outputs };
      if (res.inputs) next.inputs = markSecrets(res.inputs, secretKeys);
      if (replacing) {
        d.resources.put(next);
        d.resources.put({ ...old, status: "pending-delete" }, old);
      } else {
        d.resources.put(next, old);
      }
      return { id, ...(replacing ? { replaces: ["id"] } : {}) };
    });
    const state = { ...outputs };
    delete state[PROVIDER_KEY];
    return { urn, id, state };
  });
}
