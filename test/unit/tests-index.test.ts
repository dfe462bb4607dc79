/**
 * docs/tests.md maps each rule of docs/design.md to the tests that prove it. An index that names a renamed or
 * deleted test sends a reader nowhere, and one that lacks a section of the design hides that its rules have no
 * entry: both are checked here, against the test files' text.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** One cited test: `- \`test/x.test.ts\`: "title"`, the title as the file spells it. */
interface Citation {
  line: number;
  file: string;
  title: string;
}

function citations(text: string): Citation[] {
  const found: Citation[] = [];
  text.split("\n").forEach((line, i) => {
    const m = /^\s*- `(test\/[^`]+\.test\.ts)`: "(.*)"\s*$/.exec(line);
    if (m) found.push({ line: i + 1, file: m[1], title: m[2] });
  });
  return found;
}

function headings(text: string, levels: RegExp): string[] {
  return text
    .split("\n")
    .map((line) => levels.exec(line)?.[1])
    .filter((h): h is string => h !== undefined);
}

describe("docs/tests.md, the index from the design to its tests", () => {
  const index = read("docs/tests.md");
  const cited = citations(index);

  it("cites tests", () => {
    expect(cited.length).toBeGreaterThan(50);
  });

  it("cites only test files that exist and titles those files spell exactly", () => {
    const sources = new Map<string, string | undefined>();
    const problems = cited.flatMap(({ line, file, title }) => {
      if (!sources.has(file)) {
        // Long titles are written as literals joined by +; read them joined.
        const exists = fs.existsSync(path.join(ROOT, file));
        sources.set(file, exists ? read(file).replace(/(["'`])\s*\+\s*\1/g, "") : undefined);
      }
      const source = sources.get(file);
      if (source === undefined) return [`docs/tests.md:${line}: ${file} does not exist`];
      // A title is a string literal in any of the three quotes prettier may choose.
      const spelled = [JSON.stringify(title), `'${title}'`, `\`${title}\``].some((s) => source.includes(s));
      return spelled ? [] : [`docs/tests.md:${line}: ${file} has no test titled "${title}"`];
    });
    expect(problems).toEqual([]);
  });

  it("has a section for every section of docs/design.md", () => {
    const design = headings(read("docs/design.md"), /^#{2,3}\s+(.+?)\s*$/);
    const sections = new Set(headings(index, /^#{2,3}\s+(.+?)\s*$/));
    expect(design.filter((h) => !sections.has(h))).toEqual([]);
  });
});
