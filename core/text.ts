/** Small text helpers shared by messages and settings. */

/** The message of anything thrown (an Error, or an object with a `message`), else its string form. */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" ? message : String(error);
}

/** The message as a clause to embed in a sentence: trimmed, without its closing period(s). */
export function clauseOf(error: unknown): string {
  return messageOf(error).trim().replace(/\.+$/, "");
}

/** The value trimmed, or undefined when nothing is left (an unset and an empty setting mean the same). */
export function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
