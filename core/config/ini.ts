/**
 * A reader for the Alibaba Cloud credentials file (`~/.alibabacloud/credentials`). Parsed with the `ini` package,
 * the same major line `@alicloud/credentials` parses this file with, so a profile means here exactly what it
 * means to the SDK (sections named with a dot are nested by both, for example). Read here rather than through the
 * SDK's profile provider because that one takes the file path from `process.env` at call time, while this
 * package resolves everything from the environment it is given.
 */
import { parse } from "ini";

/** Sections by name, each a map of string values. Keys before any section go to the section named "". */
export type IniDocument = Record<string, Record<string, string>>;

export function parseIni(text: string): IniDocument {
  const doc: IniDocument = {};
  const top: Record<string, string> = {};
  for (const [key, value] of Object.entries(parse(text) as Record<string, unknown>)) {
    if (value !== null && typeof value === "object") doc[key] = strings(value as Record<string, unknown>);
    else top[key] = String(value);
  }
  if (Object.keys(top).length > 0) doc[""] = top;
  return doc;
}

/** A section's values as strings; nested sections (a dotted section name) are not profiles and are left out. */
function strings(section: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(section)) {
    if (value === null || typeof value !== "object") out[key] = String(value);
  }
  return out;
}
