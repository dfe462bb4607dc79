/**
 * The working set of resources of one run: the entries as the steps leave them, the URNs the program
 * registered (in order, which is a dependency order), and the URNs taken over through aliases.
 */
import type { ResourceState } from "./state";

/** The resources of a run. */
export class ResourceStore {
  private entries: ResourceState[];
  private readonly registered: string[] = [];
  private readonly registeredSet = new Set<string>();
  /** New URN -> the old URN it took over through an alias. */
  private readonly aliased = new Map<string, string>();

  /**
   * `writable` says whether changes are kept (not in a preview, nor once the run was terminated); `changed` is
   * told of each kept change.
   */
  constructor(
    resources: readonly ResourceState[],
    private readonly writable: () => boolean,
    private readonly changed: () => void,
  ) {
    this.entries = [...resources];
  }

  /** Records that the program registered `urn` in this run. Throws on a duplicate. */
  claim(urn: string): void {
    if (this.registeredSet.has(urn)) {
      throw new Error(
        `duplicate resource URN ${urn}: give each resource a unique name within its parent and type`,
      );
    }
    this.registeredSet.add(urn);
    this.registered.push(urn);
  }

  /** True when the program registered `urn` in this run. */
  isRegistered(urn: string): boolean {
    return this.registeredSet.has(urn);
  }

  /** The live (not pending-delete) entry for `urn`. */
  current(urn: string): ResourceState | undefined {
    return this.entries.find((e) => e.urn === urn && e.status !== "pending-delete");
  }

  /** Every entry, in working order. */
  all(): ResourceState[] {
    return [...this.entries];
  }

  /** Replaces `old` with `next` (or adds `next`); a no-op when changes are not kept. */
  put(next: ResourceState, old?: ResourceState): void {
    if (!this.writable()) return;
    const i = old ? this.entries.indexOf(old) : -1;
    if (i >= 0) this.entries[i] = next;
    else this.entries.push(next);
    this.changed();
  }

  /** Removes an entry; a no-op when changes are not kept. */
  remove(entry: ResourceState): void {
    if (!this.writable()) return;
    this.entries = this.entries.filter((e) => e !== entry);
    this.changed();
  }

  /** Records that `urn` took over the resource stored as `oldUrn` (an alias). */
  alias(urn: string, oldUrn: string): void {
    this.aliased.set(urn, oldUrn);
  }

  /** The old URN `urn` took over through an alias, if any. */
  aliasOf(urn: string): string | undefined {
    return this.aliased.get(urn);
  }

  /** True when some resource took over another's state through an alias. */
  get hasAliases(): boolean {
    return this.aliased.size > 0;
  }

  /**
   * The entries in the order they are written: resources the program registered come first in registration
   * order (a pending-delete copy just before its replacement), which is a dependency order, then the rest as
   * they were.
   */
  ordered(): ResourceState[] {
    const byUrn = new Map<string, ResourceState[]>();
    for (const e of this.entries) byUrn.set(e.urn, [...(byUrn.get(e.urn) ?? []), e]);
    const placed = new Set<ResourceState>();
    const resources: ResourceState[] = [];
    for (const urn of this.registered) {
      const same = [...(byUrn.get(urn) ?? [])];
      same.sort((a, b) => Number(b.status === "pending-delete") - Number(a.status === "pending-delete"));
      for (const e of same) {
        resources.push(e);
        placed.add(e);
      }
    }
    for (const e of this.entries) if (!placed.has(e)) resources.push(e);
    return resources;
  }

  /**
   * A copy of {@link ordered}, with references to an aliased resource pointed at its new URN, as the snapshot
   * manager does.
   */
  snapshot(): ResourceState[] {
    const copy = structuredClone(this.ordered());
    if (this.aliased.size === 0) return copy;
    const renamedTo = new Map([...this.aliased].map(([urn, old]) => [old, urn]));
    const renamed = (u: string) => renamedTo.get(u) ?? u;
    return copy.map((r) => {
      r.dependencies = r.dependencies.map(renamed);
      if (r.parent) r.parent = renamed(r.parent);
      return r;
    });
  }
}
