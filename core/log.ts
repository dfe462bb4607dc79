/**
 * The provider's one logger. The provider host's stdout/stderr lines reach the Pulumi CLI (3.146+) as messages on
 * the stack row with no resource attached, so every line is a single, self-describing, redacted line.
 */
import type { Clock } from "./clock";

/** Prefix of every line, so provider lines stand out among the program's own output. */
export const LOG_PREFIX = "[mps-fpdb]";

/** What replaces a redacted value. */
export const REDACTED = "***";

/** Registered values shorter than this are ignored: redacting them would mangle every line and hide nothing. */
export const MIN_SECRET_LENGTH = 4;

export type LogLevel = "info" | "warn" | "error";

/** Where finished lines go. The default writes info to stdout and warnings and errors to stderr. */
export type LogSink = (level: LogLevel, line: string) => void;

/**
 * Where a wait's current state goes, one line replacing the last: a provider plugin shows it on the resource's
 * row in the CLI (an ephemeral status line); the dynamic provider has no such place and passes none.
 */
export type StatusSink = (line: string) => void;

/** Writes to the provider host's stdout/stderr, which the Pulumi CLI shows line by line. */
export const consoleSink: LogSink = (level, line) => {
  if (level === "info") console.log(line);
  else console.error(line);
};

// Values of credential fields, wherever they appear: `Signature=…` in an ACS3 Authorization header or a V2 query,
// `x-acs-security-token: …` headers, and AccessKeySecret / SecurityToken in JSON, query strings or messages.
// The key and separator are kept (group 1) so a redacted line still says what was there.
const SECRET_PATTERNS: readonly RegExp[] = [
  /(\bSignature\s*[=:]\s*["']?)[^"'\s,;&}]+/gi,
  /(x-acs-security-token["']?\s*[=:]\s*["']?)[^"'\s,;&}]+/gi,
  /(access_?key_?secret["']?\s*[=:]\s*["']?)[^"'\s,;&}]+/gi,
  /(\b(?:sts_|security_?)token["']?\s*[=:]\s*["']?)[^"'\s,;&}]+/gi,
];

/**
 * Removes every occurrence of the given secret values and of credential-shaped fields from a text. Pure; used by
 * the logger and by code that puts third-party error messages into its own errors.
 */
export function redact(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  // Longest first, so a secret that contains another is removed whole.
  const values = [...secrets]
    .filter((s) => s.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  for (const value of values) out = out.split(value).join(REDACTED);
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, `$1${REDACTED}`);
  return out;
}

/** Collapses line breaks so a message stays one line on the stack row. */
function oneLine(message: string): string {
  return message.trim().replace(/\s*\r?\n\s*/g, " | ");
}

/**
 * The redacting logger. One per provider process (the context owns it); secrets registered with it (credential
 * values as they are resolved and refreshed) never reach the sink.
 */
export class Logger {
  constructor(
    private readonly sink: LogSink = consoleSink,
    private readonly secrets: Set<string> = new Set<string>(),
  ) {}

  /**
   * A logger writing to another sink (one call's, so a front end can attach the line to its resource) that
   * redacts every secret this one knows, now and registered later: the set is shared, not copied.
   */
  withSink(sink: LogSink): Logger {
    return new Logger(sink, this.secrets);
  }

  /** Adds a value that must never be written. Empty and very short values are ignored. */
  registerSecret(value: string | undefined): void {
    if (value && value.length >= MIN_SECRET_LENGTH) this.secrets.add(value);
  }

  /** The message as it would be written: prefixed, on one line, redacted. */
  format(message: string): string {
    return redact(`${LOG_PREFIX} ${oneLine(message)}`, this.secrets);
  }

  /** The message on one line and redacted, without the prefix: for a resource's status line. */
  redacted(message: string): string {
    return redact(oneLine(message), this.secrets);
  }

  /** Progress and outcomes (JobIds, adoption, retained libraries). */
  info(message: string): void {
    this.sink("info", this.format(message));
  }

  /** Something the user should look at, but the operation goes on (a possible duplicate Purge, a retry). */
  warn(message: string): void {
    this.sink("warn", this.format(message));
  }

  /** A failed operation's details (JobId, Code, Message), alongside the error Pulumi reports. */
  error(message: string): void {
    this.sink("error", this.format(message));
  }
}

/** The kind of wait a progress line reports. */
export type WaitKind = "Delete" | "Purge" | "Create";

/** What a wait is about; the first three name it in every line. */
export interface WaitSubject {
  kind: WaitKind;
  /** Absent for a Create, which waits on the library, not on a job. */
  jobId?: string;
  fpDbId: string;
  resourceName: string;
}

/** A Purge job that may duplicate another of the same request, and why. */
export interface DuplicateNote {
  jobId: string;
  fpDbId: string;
  resourceName: string;
  why: string;
}

/** The warning for one possible duplicate. */
export function possibleDuplicateLine(note: DuplicateNote): string {
  return (
    `Purge job ${note.jobId} for library ${note.fpDbId} (${note.resourceName}) is a possible duplicate: ` +
    `${note.why} (harmless: the library is emptied twice)`
  );
}

/**
 * Libraries named in one aggregated line at most. Every possible duplicate is named (the promise is that each is
 * logged with its library), so a longer list continues on further lines of this many.
 */
export const MAX_LIBRARIES_PER_LINE = 20;

/** One registered wait. */
export interface WaitHandle {
  /** Records the latest status seen (and the JobId once known); may write a progress line. */
  update(status: string, jobId?: string): void;
  /**
   * Reports that this wait's job may duplicate another. The first of a batch is written at once, in full; the
   * rest are written as one line when the batch ends, so a bulk run says it once, not once per library.
   */
  possibleDuplicate(note: DuplicateNote): void;
  /** The wait is over; `ok` is false when it failed or timed out. Idempotent. */
  end(ok: boolean): void;
}

interface ActiveWait {
  subject: WaitSubject;
  status: string;
  startedAt: number;
}

/** Counters of one batch: the waits of one kind that overlapped in time, from the first begin to the last end. */
interface Batch {
  begun: number;
  done: number;
  failed: number;
  active: Set<ActiveWait>;
  lastLineAt: number;
  /** Possible duplicates after the first, written when the batch ends. */
  duplicates: DuplicateNote[];
  duplicateWritten: boolean;
}

/**
 * Progress of long waits, aggregated per provider process. With one wait of a kind active, it writes
 * `Delete job <JobId> for library <FpDBId> (<name>): Analysing, 40s`; with many, one line per kind such as
 * `412/1000 Delete jobs done (3 failed), 588 waiting`: never one line per wait. Lines are written from `begin`,
 * `update` and `end` calls (the pollers call `update` on every poll), at most once per interval and kind, so no
 * timer keeps the process alive. When a batch of several waits ends, a final summary line is written.
 */
export class ProgressReporter {
  private readonly clock: Clock;
  private readonly log: Pick<Logger, "info" | "warn">;
  private readonly intervalMs: number;
  private readonly batches = new Map<WaitKind, Batch>();

  /** `intervalMs` is the resolved setting `progressIntervalMs`: the logger sits below config and owns no default. */
  constructor(options: { clock: Clock; log: Pick<Logger, "info" | "warn">; intervalMs: number }) {
    this.clock = options.clock;
    this.log = options.log;
    this.intervalMs = options.intervalMs;
  }

  /** Registers a wait; call `end` on the handle when it is over, whatever the outcome. */
  begin(subject: WaitSubject): WaitHandle {
    const now = this.clock.now();
    let batch = this.batches.get(subject.kind);
    if (!batch) {
      // The first line comes one interval after the batch starts: the operation already logged its start.
      batch = {
        begun: 0,
        done: 0,
        failed: 0,
        active: new Set(),
        lastLineAt: now,
        duplicates: [],
        duplicateWritten: false,
      };
      this.batches.set(subject.kind, batch);
    }
    const wait: ActiveWait = { subject: { ...subject }, status: "waiting", startedAt: now };
    batch.begun++;
    batch.active.add(wait);
    const owner = batch;
    let ended = false;
    return {
      update: (status, jobId) => {
        if (ended) return;
        wait.status = status;
        if (jobId) wait.subject.jobId = jobId;
        this.maybeReport(subject.kind, owner);
      },
      possibleDuplicate: (note) => {
        if (ended) return;
        if (owner.duplicateWritten) {
          owner.duplicates.push(note);
        } else {
          owner.duplicateWritten = true;
          this.log.warn(possibleDuplicateLine(note));
        }
      },
      end: (ok) => {
        if (ended) return;
        ended = true;
        owner.active.delete(wait);
        owner.done++;
        if (!ok) owner.failed++;
        this.finish(subject.kind, owner);
      },
    };
  }

  private maybeReport(kind: WaitKind, batch: Batch): void {
    const now = this.clock.now();
    if (now - batch.lastLineAt < this.intervalMs || batch.active.size === 0) return;
    batch.lastLineAt = now;
    if (batch.active.size === 1) {
      const [only] = batch.active;
      this.log.info(singleLine(only, now));
    } else {
      this.log.info(summaryLine(kind, batch));
    }
  }

  private finish(kind: WaitKind, batch: Batch): void {
    if (batch.active.size > 0) {
      this.maybeReport(kind, batch);
      return;
    }
    this.batches.delete(kind);
    if (batch.begun > 1) this.log.info(summaryLine(kind, batch));
    for (const line of duplicatesLines(batch.duplicates)) this.log.warn(line);
  }
}

function duplicatesLines(notes: DuplicateNote[]): string[] {
  if (notes.length === 0) return [];
  const named = notes.map((n) => `${n.fpDbId} (${n.resourceName}, job ${n.jobId})`);
  const chunks: string[][] = [];
  for (let i = 0; i < named.length; i += MAX_LIBRARIES_PER_LINE)
    chunks.push(named.slice(i, i + MAX_LIBRARIES_PER_LINE));
  const reasons = [...new Set(notes.map((n) => n.why))].join("; ");
  const [first, ...rest] = chunks;
  return [
    `${notes.length} more Purge jobs of this run are possible duplicates (harmless: those libraries are emptied ` +
      `twice): ${first.join(", ")}${rest.length > 0 ? ", continued below" : ""}. Why: ${reasons}`,
    ...rest.map(
      (chunk, i) =>
        `More possible duplicates of this run (${(i + 1) * MAX_LIBRARIES_PER_LINE + 1}-` +
        `${(i + 1) * MAX_LIBRARIES_PER_LINE + chunk.length} of ${notes.length}): ${chunk.join(", ")}`,
    ),
  ];
}

function singleLine(wait: ActiveWait, now: number): string {
  return waitStatusLine(wait.subject, wait.status, now - wait.startedAt);
}

/** `Delete job <JobId> for library <FpDBId> (<name>): Analysing, 40s`: one wait's state, for any sink. */
export function waitStatusLine(subject: WaitSubject, status: string, elapsedMs: number): string {
  const { kind, jobId, fpDbId, resourceName } = subject;
  const elapsedSeconds = Math.floor(elapsedMs / 1000);
  const what = jobId ? `${kind} job ${jobId} for library` : `${kind}: waiting for library`;
  return `${what} ${fpDbId} (${resourceName}): ${status}, ${elapsedSeconds}s`;
}

const BATCH_NOUN: Record<WaitKind, string> = {
  Delete: "Delete jobs",
  Purge: "Purge jobs",
  Create: "new libraries",
};

function summaryLine(kind: WaitKind, batch: Batch): string {
  const failed = batch.failed > 0 ? ` (${batch.failed} failed)` : "";
  const waiting = batch.active.size > 0 ? `, ${batch.active.size} waiting` : "";
  return `${batch.done}/${batch.begun} ${BATCH_NOUN[kind]} done${failed}${waiting}`;
}

/** One retry of a call, as the retry layer reports it. */
export interface RetryEvent {
  action: string;
  /** The attempt that failed (1 for the first). */
  attempt: number;
  maxAttempts: number;
  /** The error's code (`ECONNREFUSED`, `Throttling.User`, `ServiceUnavailable`, ...). */
  code: string;
  /** The service asked to slow down (the call was not executed). */
  throttled: boolean;
  delayMs: number;
}

/**
 * Throttled attempts of one call before a retry of it is said. Processes sharing an account's per-second limit
 * are throttled now and then as the adaptive rate limiter finds the pace: that is pacing, not trouble, and says
 * nothing. A call throttled this often is.
 */
export const THROTTLED_ATTEMPTS_BEFORE_A_LINE = 3;

/** The retry layer's report as a {@link RetryEvent}: the error's code where it has one, else its kind. */
export function retryEvent(
  info: { action: string; attempt: number; kind: string; delayMs: number; error: unknown },
  maxAttempts: number,
): RetryEvent {
  const code = (info.error as { code?: unknown } | null)?.code;
  return {
    action: info.action,
    attempt: info.attempt,
    maxAttempts,
    code: typeof code === "string" && code !== "" ? code : info.kind,
    throttled: info.kind === "throttling",
    delayMs: info.delayMs,
  };
}

/** "MPS <Action> at <endpoint> failed with <Code> on attempt n of m; retrying in x s". */
export function retryText(endpoint: string, event: RetryEvent): string {
  return (
    `MPS ${event.action} at ${endpoint} failed with ${event.code} on attempt ${event.attempt} of ` +
    `${event.maxAttempts}; retrying in ${(event.delayMs / 1000).toFixed(1)} s`
  );
}

/**
 * Says that calls are being retried, so that a wait on an endpoint where nothing answers (a stopped emulator, a
 * stale port) or a throttled account is visible before the final error, which can take many seconds of backoff.
 * The first retry of a quiet spell is written at once; later ones at most once per interval, counted, so a
 * throttling storm over a bulk run is a line every interval, not a line a call.
 */
export class RetryReporter {
  private lastLineAt = -Infinity;
  private unreported = 0;

  constructor(
    private readonly options: {
      clock: Clock;
      log: Pick<Logger, "warn">;
      intervalMs: number;
      /** Where the calls go, for the line. */
      endpoint: string;
    },
  ) {}

  retrying(event: RetryEvent): void {
    if (event.throttled && event.attempt < THROTTLED_ATTEMPTS_BEFORE_A_LINE) return;
    const now = this.options.clock.now();
    this.unreported += 1;
    if (now - this.lastLineAt < this.options.intervalMs) return;
    const others = this.unreported > 1 ? ` (${this.unreported - 1} more retries since the last line)` : "";
    this.options.log.warn(retryText(this.options.endpoint, event) + others);
    this.lastLineAt = now;
    this.unreported = 0;
  }
}
