/**
 * Typed errors. Every message says what happened, names the library or property, and says what to do next.
 */

/** How the retry layer treats a failed call. */
export type ErrorKind =
  /** The service refused the request for rate reasons; it was certainly not executed. Retry after backing off. */
  | "throttling"
  /** A read failed for a temporary reason (5xx, timeout, reset). Safe to retry a read. */
  | "transient"
  /** A write whose outcome is unknown (timeout, reset, 5xx): it may have been executed. Never blindly retried. */
  | "ambiguous"
  /** Retrying cannot help (bad parameter, auth, not found, quota). */
  | "fatal";

/** Base class of every error this package throws on purpose. */
export class MpsFpdbError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A failed MPS API call. Keeps Alibaba's RequestId, Code and the action for support tickets and audits. */
export class MpsApiError extends MpsFpdbError {
  constructor(
    message: string,
    readonly action: string,
    readonly code: string,
    readonly kind: ErrorKind,
    readonly statusCode?: number,
    readonly requestId?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The same failure with a different message (context added), keeping the code, kind and RequestId. */
  withMessage(message: string): MpsApiError {
    return new MpsApiError(message, this.action, this.code, this.kind, this.statusCode, this.requestId, {
      cause: this.cause,
    });
  }
}

/** A Purge or Delete job that ended in `Fail`. */
export class JobFailedError extends MpsFpdbError {
  constructor(
    message: string,
    readonly jobId: string,
    readonly fpDbId: string,
    readonly delType: string,
    readonly code?: string,
    readonly jobMessage?: string,
  ) {
    super(message);
  }
}

/** A wait that ran out of time; the job (or library) may still finish later. */
export class WaitTimeoutError extends MpsFpdbError {
  constructor(
    message: string,
    /** The JobId, or the library id for a wait on a library's state. */
    readonly subjectId: string,
    readonly lastStatus: string,
    readonly waitedMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * An operation stopped because it was cancelled (the engine's Cancel, an interrupted CLI): a wait given up, or a
 * write to MPS not started. Nothing is left half done: a request already on the wire was let finish, and a job
 * that was submitted goes on in MPS, where the next run finds and resumes it.
 */
export class OperationCancelledError extends MpsFpdbError {
  constructor(
    message: string,
    /** The JobId or library id the operation was waiting for, when it was waiting. */
    readonly subjectId?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A library the state names that MPS no longer has (deleted outside the stack). */
export class LibraryGoneError extends MpsFpdbError {
  constructor(
    message: string,
    readonly fpDbId: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bad configuration or missing credentials, found before any API call. */
export class ConfigError extends MpsFpdbError {}

/**
 * State that cannot be read for certain (damaged, hand-edited, or written by a newer release): refused before any
 * API call, since a guess could delete or purge the wrong library.
 */
export class UnreadableStateError extends MpsFpdbError {}

/** A destroy or replacement refused because `deletionProtection` is on; nothing was called. */
export class DeletionProtectedError extends MpsFpdbError {
  constructor(
    message: string,
    readonly fpDbId: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * CreateFpShotDB failed in a way that leaves unknown whether the library was created (timeout, reset, 5xx). MPS
 * has no idempotency token and no lookup by name, so the provider cannot resolve it and must not retry.
 */
export class UnknownOutcomeCreateError extends MpsFpdbError {
  constructor(
    message: string,
    /** The library name that may have been created. */
    readonly libraryName: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A credentials source that gave nothing usable; caught by the credentials chain, which reports all of them. */
export class CredentialSourceError extends MpsFpdbError {}

/**
 * The error as the provider host should show it. The host prints every failed call as `${error}: ${error.stack}`
 * on stderr besides returning it to the engine, which shows the message again: for this package's own errors,
 * whose messages already say everything, that line carries neither the message nor provider internals, so a
 * user reads each message once (a protection refusal gets a one-line account of what happened, see below).
 * Anything else (a bug) keeps its stack for the report.
 */
export function forProviderHost(error: unknown): unknown {
  if (!(error instanceof MpsFpdbError)) return error;
  // A refused destroy or replacement is something a user did on purpose and will read on the stack's row, with no
  // resource attached: the line says what happened and names the library (its message's first sentence does), and
  // leaves the fix to the error on the resource.
  const [head, tail] =
    error instanceof DeletionProtectedError
      ? [
          firstSentence(error.message),
          "no call was made to MPS; the error on the resource says how to proceed",
        ]
      : [error.name, "the error is reported with the resource"];
  Object.defineProperty(error, "stack", { value: tail, configurable: true, writable: true });
  Object.defineProperty(error, "toString", {
    value: () => `[mps-fpdb] ${head}`,
    configurable: true,
    writable: true,
  });
  return error;
}

function firstSentence(message: string): string {
  const end = message.indexOf(". ");
  return end < 0 ? message.replace(/\.$/, "") : message.slice(0, end);
}
