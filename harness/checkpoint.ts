/**
 * Coalesced, atomic checkpoints of the state file, like the engine's checkpoints after each step: changes are
 * written at most every `intervalMs` (and on flush), each write goes to a temp file that is fsynced and renamed
 * over the state file, so a crash leaves either the previous or the next complete state, never a torn one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { StackState } from "./state";

/** Default minimum time between two checkpoint writes, in ms. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 200;

/** Writes snapshots of the state file. */
export class Checkpointer {
  /** Number of completed writes. */
  writes = 0;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private lastWriteAt = 0;
  private busy = false;
  private failure: Error | undefined;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => StackState,
    private readonly intervalMs = DEFAULT_CHECKPOINT_INTERVAL_MS,
    private readonly onWrite?: (state: StackState, writes: number) => void,
  ) {}

  /** Notes that the state changed; a write follows within `intervalMs`. */
  markDirty(): void {
    this.dirty = true;
    this.schedule();
  }

  /** Resolves once the write in progress (if any) has finished; does not start one. */
  idle(): Promise<void> {
    return this.writing;
  }

  /** Writes any pending change now and waits for it. Throws if any write failed. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.writing;
    if (this.dirty) await this.writeNow();
    if (this.failure) throw this.failure;
  }

  private schedule(): void {
    // A write in progress reschedules itself when it ends, so bursts of changes share one write.
    if (this.timer || this.busy) return;
    const wait = this.lastWriteAt + this.intervalMs - Date.now();
    if (wait <= 0) {
      void this.writeNow();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeNow();
    }, wait);
  }

  private writeNow(): Promise<void> {
    this.busy = true;
    this.writing = this.writing.then(async () => {
      try {
        if (!this.dirty) return;
        this.dirty = false;
        const state = this.snapshot();
        await writeAtomically(this.file, JSON.stringify(state, null, 2) + "\n");
        this.writes++;
        this.lastWriteAt = Date.now();
        this.onWrite?.(state, this.writes);
      } catch (err) {
        this.failure = new Error(`could not write the state file ${this.file}: ${(err as Error).message}`);
      } finally {
        this.busy = false;
      }
      if (this.dirty) this.schedule();
    });
    return this.writing;
  }
}

/** Writes `text` to a temp file next to `file`, fsyncs it and renames it over `file`. */
export async function writeAtomically(file: string, text: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await fs.promises.open(tmp, "w");
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(tmp, file);
}
