/** ISO 8601 UTC to the second, `YYYY-MM-DDThh:mm:ssZ`, as MPS writes times. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** ISO 8601 UTC with milliseconds, for logs and snapshots. */
export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}

const SIGNED_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?Z$/;

/**
 * Parses `x-acs-date` / V2 `Timestamp` (`YYYY-MM-DDThh:mm:ssZ`, fractional seconds tolerated) to epoch ms;
 * undefined when it is not a valid UTC time in that format.
 */
export function parseSignedTime(value: string): number | undefined {
  const m = SIGNED_TIME.exec(value);
  if (!m) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls over impossible dates (Feb 30); insist the fields survive a round trip.
  const back = new Date(ms);
  if (back.getUTCDate() !== Number(m[3]) || back.getUTCMonth() + 1 !== Number(m[2])) return undefined;
  return ms;
}
