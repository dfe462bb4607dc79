/**
 * Coalesced, atomic checkpoints of the state file, like the engine's checkpoints after each step: changes are
 * written at most every `intervalMs` (and on flush), each write goes to a temp file that is fsynced and renamed
 * over the state file, so a crash leaves either the previous or the next complete state, never a torn one.
 */
import * as fs from "node:fs";
import * as path from "node:path";

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
  private frozen = false;
  private urgent: { resolve: () => void; reject: (err: Error) => void }[] = [];

  /** `render` gives the state file's content as it stands; it is called once per write. */
  constructor(
    private readonly file: string,
    private readonly render: () => string | readonly Buffer[],
    private readonly intervalMs = DEFAULT_CHECKPOINT_INTERVAL_MS,
    private readonly onWrite?: (writes: number) => void,
  ) {}

  /** Notes that the state changed; a write follows within `intervalMs`. */
  markDirty(): void {
    this.dirty = true;
    this.schedule();
  }

  /**
   * Writes the current state as soon as possible (no waiting for the interval) and resolves once a write that
   * began after this call has finished: the engine records an operation as pending before it starts it.
   */
  persist(): Promise<void> {
    if (this.frozen) return Promise.resolve();
    this.dirty = true;
    const done = new Promise<void>((resolve, reject) => this.urgent.push({ resolve, reject }));
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // A write in progress starts the next one as soon as it ends.
    if (!this.busy) void this.writeNow();
    return done;
  }

  /** Writes nothing more after the writes in progress or queued: the state of an interrupted run stays as it is. */
  freeze(): void {
    this.frozen = true;
    for (const w of this.urgent.splice(0)) w.reject(new Error("the run was terminated"));
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** Resolves once the write in progress (if any) has finished; does not start one. */
  idle(): Promise<void> {
    return this.writing;
  }

  /** Writes any pending change now and waits for it. Throws if any write failed. */
  async flush(): Promise<void> {
    if (this.frozen) {
      await this.writing;
      return;
    }
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
    if (this.timer || this.busy || this.frozen) return;
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
      const waiters = this.urgent.splice(0);
      try {
        if (this.dirty) {
          this.dirty = false;
          await writeAtomically(this.file, this.render());
          this.writes++;
          this.lastWriteAt = Date.now();
          this.onWrite?.(this.writes);
        }
        for (const w of waiters) w.resolve();
      } catch (err) {
        this.failure = new Error(`could not write the state file ${this.file}: ${(err as Error).message}`);
        for (const w of waiters) w.reject(this.failure);
      } finally {
        this.busy = false;
      }
      if (this.urgent.length > 0 && !this.frozen) void this.writeNow();
      else if (this.dirty) this.schedule();
    });
    return this.writing;
  }
}

/**
 * Writes `content` (a text, or bytes in pieces) to a temp file next to `file`, creating the folder if need be,
 * fsyncs it and renames it over `file`.
 */
export async function writeAtomically(file: string, content: string | readonly Buffer[]): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(tmp, "w");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    handle = await fs.promises.open(tmp, "w");
  }
  try {
    if (typeof content === "string") await handle.writeFile(content, "utf8");
    else await writeAll(handle, content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(tmp, file);
}

/** Writes every piece in order: one gathering write per round, again from where a short write stopped. */
async function writeAll(handle: fs.promises.FileHandle, pieces: readonly Buffer[]): Promise<void> {
  let rest = pieces.filter((p) => p.length > 0);
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest);
    let i = 0;
    while (i < rest.length && bytesWritten >= rest[i].length) bytesWritten -= rest[i++].length;
    rest = rest.slice(i);
    if (bytesWritten > 0) rest[0] = rest[0].subarray(bytesWritten);
  }
}
