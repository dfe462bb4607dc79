/**
 * A `.get()` from the program: ReadResource of an existing resource by id. The resource is recorded as external:
 * later runs forget it instead of deleting it.
 */
import type { Deployment } from "./deployment";
import type { ReadRegistration, RegistrationReply } from "./program/protocol";
import type { ResourceState } from "./state";
import { makeUrn } from "./urn";
import { markSecrets, PROVIDER_KEY, stripSecrets, type Props } from "./wire";

/** Reads the resource through the provider host and returns its outputs to the program. */
export async function readResource(d: Deployment, reg: ReadRegistration): Promise<RegistrationReply> {
  const urn = makeUrn(d.stack, d.project, reg.type, reg.name, reg.parent);
  d.claim(urn);
  return d.limit(async () => {
    const host = await d.host();
    const { plain, secretKeys } = stripSecrets(reg.inputs);
    let outputs: Props = {};
    d.plan("read", urn);
    await d.step("read", urn, async () => {
      const res = await host.read(urn, reg.id, plain, plain);
      if (!res.id)
        throw new Error(`resource ${JSON.stringify(reg.id)} does not exist; check the id passed to .get()`);
      outputs = markSecrets(res.properties, secretKeys);
      const old = d.current(urn);
      const entry: ResourceState = {
        urn,
        type: reg.type,
        id: res.id,
        custom: true,
        inputs: markSecrets(res.inputs ?? plain, secretKeys),
        outputs,
        status: "created",
        external: true,
        dependencies: reg.dependencies,
      };
      if (secretKeys.length > 0) entry.secretInputKeys = secretKeys;
      if (reg.parent) entry.parent = reg.parent;
      d.put(entry, old);
      return { id: res.id };
    });
    const state = { ...outputs };
    delete state[PROVIDER_KEY];
    return { urn, id: reg.id, state };
  });
}
