/**
 * The state file's content as the checkpoints write it: the state as JSON, secret values encrypted, in pieces.
 */
import type { SecretBox } from "./secrets";
import { sealResource, sealState, type PendingOperation, type ResourceState, type StackState } from "./state";

const CLOSE_LIST = Buffer.from("]");
const CLOSE_OBJECT = Buffer.from("}");

/** Encodes checkpoints of one run. */
export class CheckpointEncoder {
  /**
   * The written bytes of each entry and pending operation, made once per object. Entries and operations are
   * replaced, never changed, so a checkpoint of a large stack concatenates bytes instead of copying, encrypting
   * and encoding every resource again, which kept the harness's one thread busy when each of 1000 steps asked for
   * one.
   */
  private readonly texts = new WeakMap<ResourceState | PendingOperation, Buffer>();
  /** How many resources the last checkpoint held. */
  resources = 0;

  /** `box` encrypts secret values; without it they are written as they are. */
  constructor(private readonly box: SecretBox | undefined) {}

  /** A whole state, encoded afresh (a terminated run's last state, or one with aliases to rewrite). */
  whole(state: StackState): Buffer[] {
    this.resources = state.resources.length;
    return [Buffer.from(JSON.stringify(this.box ? sealState(state, this.box) : state))];
  }

  /**
   * The state's own fields, then `resources` and `pending`, each of them encoded once in its life. `resources`
   * and `pendingOperations` in `state` are ignored.
   */
  pieces(
    state: StackState,
    resources: readonly ResourceState[],
    pending: readonly PendingOperation[],
  ): Buffer[] {
    this.resources = resources.length;
    // The other fields first (never empty: `version` is one), then the resources and pending operations.
    const fields: Partial<StackState> = { ...state, resources: [] };
    delete fields.pendingOperations;
    if (this.box) fields.outputs = sealState(fields as StackState, this.box).outputs;
    delete fields.resources;
    return [
      Buffer.from(JSON.stringify(fields).slice(0, -1)),
      ...this.list("resources", resources),
      ...(pending.length > 0 ? this.list("pendingOperations", pending) : []),
      CLOSE_OBJECT,
    ];
  }

  private list(name: string, items: readonly (ResourceState | PendingOperation)[]): Buffer[] {
    const parts = items.map((x) => this.bytes(x));
    if (parts.length > 0) parts[0] = parts[0].subarray(1);
    return [Buffer.from(`,"${name}":[`), ...parts, CLOSE_LIST];
  }

  /** One item, with the comma that separates it from the one before (a list's first goes without). */
  private bytes(x: ResourceState | PendingOperation): Buffer {
    let b = this.texts.get(x);
    if (b === undefined) {
      const box = this.box;
      const value =
        "urn" in x
          ? box
            ? sealResource(x, box)
            : x
          : { ...x, resource: box ? sealResource(x.resource, box) : x.resource };
      b = Buffer.from(`,${JSON.stringify(value)}`);
      this.texts.set(x, b);
    }
    return b;
  }
}
