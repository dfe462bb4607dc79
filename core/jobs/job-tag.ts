/**
 * The mark a job carries in its `UserData` when the user leaves `userData` unset, so that resume-or-submit takes a
 * job as this resource's (an interrupted run's, or the job of a submit whose answer was lost) only on evidence.
 *
 * MPS jobs carry nothing else that ties them to the stack that submitted them: a Purge another stack (or the
 * console) submitted on the same library looks the same as ours. The tag is
 *
 *     mps-fpdb:1:<22 characters>
 *
 * where the characters are the first 16 bytes, base64url, of an HMAC-SHA256 keyed with a random key kept in the
 * resource's state (`jobTagKey`, a secret output), over the library id, the DelType, the request (the canonical
 * JSON of the purge trigger, or the destroy) and the last Purge job the state knows. So:
 *
 * - only this resource can make it (another stack adopting the same library has another key);
 * - a new trigger, or the same trigger set again after another purge, gives a new tag, so an older job never
 *   satisfies a newer request;
 * - a run that was interrupted before it wrote the state computes the same tag again on the re-run, because the
 *   state it starts from is the same;
 * - a guessable or secret trigger cannot be read back from the tag without the key.
 *
 * The tag is 33 bytes, well inside the 128-byte `UserData` limit. Where the user sets `userData`, their value
 * goes out unchanged and no job of that resource is recognised as its own.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { DelType } from "../client/types";
import { canonicalJson } from "../values";

/** Every tag starts with this; `describeJobTag` recognises it. The digit is the tag layout's version. */
export const JOB_TAG_PREFIX = "mps-fpdb:1:";

/** What a job is submitted for: a purge trigger's value, or a destroy. */
export type JobPurpose = { trigger: unknown } | "destroy";

export interface TaggedRequest {
  fpDbId: string;
  delType: DelType;
  purpose: JobPurpose;
  /** The last Purge job the state knows, if any: it separates a trigger set again from its earlier use. */
  afterJobId?: string;
}

/** A fresh key for a resource's tags: 16 random bytes, hex. */
export function newJobTagKey(): string {
  return randomBytes(16).toString("hex");
}

/** The tag of a request under a resource's key. Deterministic: the same key and request give the same tag. */
export function jobTag(key: string, request: TaggedRequest): string {
  const purpose =
    request.purpose === "destroy" ? "destroy" : `trigger ${canonicalJson(request.purpose.trigger)}`;
  const message = [request.fpDbId, request.delType, purpose, request.afterJobId ?? ""].join("\n");
  const digest = createHmac("sha256", key).update(message).digest().subarray(0, 16);
  return JOB_TAG_PREFIX + digest.toString("base64url");
}

/**
 * Who submitted a job, as far as its `UserData` shows: `"pulumi-mps-fpdb"` for a job carrying this package's tag,
 * undefined otherwise (another tool, the console, or a stack that set its own `userData`).
 */
export function describeJobTag(userData: string | undefined): string | undefined {
  return userData !== undefined && userData.startsWith(JOB_TAG_PREFIX) ? "pulumi-mps-fpdb" : undefined;
}
