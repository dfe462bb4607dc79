/**
 * A reader for the Alibaba Cloud credentials file (`~/.alibabacloud/credentials`): INI sections of `key = value`
 * lines. Read here rather than through `@alicloud/credentials`' profile provider because that one takes the file
 * path from `process.env` at call time, while this package resolves everything from the environment it is given.
 */

/** Sections by name; keys and values trimmed, surrounding quotes removed. */
export type IniDocument = Record<string, Record<string, string>>;

/**
 * Parses INI text as the `ini` package (used by `@alicloud/credentials`) does for the credentials file:
 * `[section]` headers, `key = value` pairs, `;` and `#` comment lines. Keys before any section
 * go to the section named "".
 */
export function parseIni(text: string): IniDocument {
  const doc: IniDocument = {};
  let section: Record<string, string> = (doc[""] = {});
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith(";") || line.startsWith("#")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      const name = header[1].trim();
      section = doc[name] ??= {};
      continue;
    }
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    section[line.slice(0, eq).trim()] = unquote(line.slice(eq + 1).trim());
  }
  if (Object.keys(doc[""]).length === 0) delete doc[""];
  return doc;
}

function unquote(value: string): string {
  const quoted = /^"(.*)"$/.exec(value) ?? /^'(.*)'$/.exec(value);
  return quoted ? quoted[1] : value;
}
