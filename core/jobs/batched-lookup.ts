import type { ReadOptions } from "../client/types";
import { MpsApiError } from "../errors";

/**
 * What one batched call said about its ids: the items it listed, keyed by the id as asked, and the ids it listed
 * in `NonExistIds`. An id in neither is one the answer does not account for.
 */
export interface BatchAnswer<V> {
  found: Map<string, V>;
  gone: Set<string>;
}

/** Fetches one batch of at most `MAX_IDS_PER_CALL` ids. Throws when the whole call failed. */
export type FetchBatch<V> = (ids: string[], options?: ReadOptions) => Promise<BatchAnswer<V>>;

/** The outcome for one id of a batch: its value (`undefined` = the service says it does not exist), or an error. */
export type IdOutcome<V> = { ok: true; value: V | undefined } | { ok: false; error: unknown };

/** What a batch is about, for the messages of errors that concern one id. */
export interface BatchSubject {
  /** The action, e.g. `ListFpShotDB`. */
  action: string;
  /** What one id names, e.g. `library`, `job`. */
  noun: string;
}

/**
 * Fetches `ids` and accounts for each one separately.
 *
 * - An id is gone (`undefined`) only when the answer lists it in `NonExistIds`; an id the answer neither lists
 *   nor reports missing is an error naming it, never "gone": MPS may spell an id differently from the way it
 *   was asked (it trims spaces), and treating that as gone would skip a delete and leave the library alive.
 * - A call refused with `InvalidParameter*` is refused for the sake of some id in it (one with a comma makes
 *   the call carry 11 ids), so the batch is split in halves and each half retried, down to single ids: the
 *   neighbours get their answers and only the offending id fails, with an error naming it. Other failures
 *   (auth, throttling, transport) concern the whole call and fail every id of the batch as they are.
 */
export async function fetchAccounted<V>(
  fetchBatch: FetchBatch<V>,
  ids: readonly string[],
  subject: BatchSubject,
  options: ReadOptions = {},
): Promise<Map<string, IdOutcome<V>>> {
  const outcomes = new Map<string, IdOutcome<V>>();
  let answer: BatchAnswer<V>;
  try {
    answer = await fetchBatch([...ids], options);
  } catch (error) {
    if (!refusedForOneId(error)) {
      for (const id of ids) outcomes.set(id, { ok: false, error });
      return outcomes;
    }
    if (ids.length === 1) {
      outcomes.set(ids[0], { ok: false, error: namingId(error, ids[0], subject) });
      return outcomes;
    }
    const middle = Math.ceil(ids.length / 2);
    const halves = await Promise.all([
      fetchAccounted(fetchBatch, ids.slice(0, middle), subject, options),
      fetchAccounted(fetchBatch, ids.slice(middle), subject, options),
    ]);
    for (const half of halves) for (const [id, outcome] of half) outcomes.set(id, outcome);
    return outcomes;
  }
  for (const id of ids) {
    const value = answer.found.get(id);
    if (value !== undefined) outcomes.set(id, { ok: true, value });
    else if (answer.gone.has(id)) outcomes.set(id, { ok: true, value: undefined });
    else outcomes.set(id, { ok: false, error: unaccounted(id, subject) });
  }
  return outcomes;
}

function refusedForOneId(error: unknown): error is MpsApiError {
  return (
    error instanceof MpsApiError &&
    error.kind === "fatal" &&
    /^(InvalidParameter|MissingParameter)/.test(error.code)
  );
}

function namingId(error: MpsApiError, id: string, subject: BatchSubject): MpsApiError {
  return new MpsApiError(
    `${subject.action} refused ${subject.noun} id ${JSON.stringify(id)} (asked alone after a batch with it was ` +
      `refused; the other ids of the batch were answered): ${error.message} Check the id: MPS ids carry no ` +
      `spaces or commas.`,
    error.action,
    error.code,
    error.kind,
    error.statusCode,
    error.requestId,
  );
}

function unaccounted(id: string, subject: BatchSubject): MpsApiError {
  return new MpsApiError(
    `${subject.action} did not account for ${subject.noun} id ${JSON.stringify(id)}: the answer neither lists it ` +
      `nor names it in NonExistIds, so it is not known to be gone and nothing was treated as gone. MPS may spell ` +
      `the id differently (surrounding spaces, another case): check the id recorded for this ${subject.noun} ` +
      `against the MPS console and correct it, then run the operation again.`,
    subject.action,
    "UnaccountedId",
    "fatal",
  );
}
