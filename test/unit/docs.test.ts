/**
 * The design lives in the repository (docs/). A clone has nothing else, so no committed file may point at notes
 * outside it, cite a numbered design section, name a docs page that does not exist, or cite a heading that page
 * does not have.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const SELF = path.relative(ROOT, __filename).split(path.sep).join("/");

/** Files whose text can carry a pointer: source, scripts, docs and config. */
const SCANNED = /\.(ts|js|cjs|mjs|md|json|ya?ml|sh|go)$|^\.ci\//;
const SKIPPED = new Set(["package-lock.json", SELF]);
const SKIPPED_DIRS = new Set(["node_modules", "dist", "coverage", ".git"]);

/** Names the design notes went by, and the docs page that holds each one's facts now. */
const NOTE_PAGES: Record<string, string> = {
  "design.md": "docs/design.md",
  "mps-api.md": "docs/mps-api.md",
  "pulumi-dynamic.md": "docs/engine-rules.md",
  "architecture.md": "docs/architecture.md",
  "engine-rules.md": "docs/engine-rules.md",
};

/** A page as this test needs it: its headings' texts and their GitHub anchors. */
interface Page {
  headings: Set<string>;
  anchors: Set<string>;
}

/** The files a fresh clone has: git's list, or a walk of the tree where there is no git. */
function repositoryFiles(): string[] {
  let files: string[];
  try {
    files = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0");
  } catch {
    files = walk("");
  }
  return files.filter(
    (f) => f !== "" && SCANNED.test(f) && !SKIPPED.has(f) && fs.existsSync(path.join(ROOT, f)),
  );
}

function walk(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : walk(rel);
    return [rel];
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function readPage(file: string): Page | undefined {
  const full = path.join(ROOT, file);
  if (!fs.existsSync(full) || !fs.statSync(full).isFile()) return undefined;
  const headings = new Set<string>();
  let fenced = false;
  for (const line of fs.readFileSync(full, "utf8").split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (m) headings.add(m[1]);
  }
  return { headings, anchors: new Set([...headings].map(anchorOf)) };
}

/** Pages by repository-relative path, read once. */
type PageLookup = (file: string) => Page | undefined;

function pageCache(): PageLookup {
  const pages = new Map<string, Page | undefined>();
  return (file) => {
    if (!pages.has(file)) pages.set(file, readPage(file));
    return pages.get(file);
  };
}

/**
 * Everything wrong with the pointers in one file's text, as `file:line: problem` strings. `pageOf` answers for
 * repository-relative paths such as `docs/mps-api.md`.
 */
export function pointerProblems(file: string, text: string, pageOf: PageLookup): string[] {
  const problems: string[] = [];
  const inDocs = file.startsWith("docs/");
  const isMarkdown = file.endsWith(".md");
  const lines = text.split("\n");
  const report = (i: number, problem: string) => problems.push(`${file}:${i + 1}: ${problem}`);

  const checkTarget = (i: number, target: string, cited: string, heading?: string, anchor?: string) => {
    const page = pageOf(target);
    if (!page) return report(i, `${cited} does not exist`);
    if (heading !== undefined && !page.headings.has(heading))
      report(i, `${cited} has no heading '${heading}'`);
    if (anchor !== undefined && !page.anchors.has(anchor)) report(i, `${cited} has no anchor #${anchor}`);
  };

  lines.forEach((line, i) => {
    if (/shared\/docs|\.\.\/shared\//.test(line))
      report(i, "points at notes outside the repository; cite the page in docs/ instead");
    if (/design(\.md)?\s+(section|§)\s*\d|design\s+§/i.test(line))
      report(i, "cites a numbered design section; cite docs/<page>.md, '<Heading>' instead");

    // `docs/<page>.md`, optionally followed by `#anchor` or `, '<Heading>'`.
    for (const m of line.matchAll(
      /(?<![\w./-]|\]\()docs\/([\w./-]+?\.md)(?:#([\w-]+)|,\s*(['"])(.+?)\3)?/g,
    )) {
      checkTarget(i, `docs/${m[1]}`, `docs/${m[1]}`, m[4], m[2]);
    }

    // A bare note name: only a sibling link inside docs/ may leave out the folder.
    for (const m of line.matchAll(/(?<![\w./-])[\w-]+\.md\b/g)) {
      const page = NOTE_PAGES[m[0]];
      if (page === undefined) continue;
      if (!inDocs) report(i, `names ${m[0]}, which a clone does not have; cite ${page}`);
      else if (!pageOf(`docs/${m[0]}`)) report(i, `names ${m[0]}, which docs/ does not have`);
    }

    // Markdown links: every link inside docs/, and links from anywhere into docs/.
    if (isMarkdown) {
      for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
        const link = m[1];
        if (/^[a-z]+:/i.test(link)) continue;
        const [target, anchor] = link.split("#", 2);
        const resolved =
          target === "" ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
        if (!inDocs && !resolved.startsWith("docs/")) continue;
        if (resolved.startsWith("../")) {
          report(i, `links to ${link}, outside the repository`);
          continue;
        }
        if (!resolved.endsWith(".md")) {
          if (!fs.existsSync(path.join(ROOT, resolved))) report(i, `links to ${link}, which does not exist`);
          continue;
        }
        checkTarget(i, resolved, `the link ${link}`, undefined, anchor || undefined);
      }
    }
  });
  return problems;
}

describe("pointers to the design", () => {
  const pageOf = pageCache();

  it("no committed file points outside the repository, at a numbered design section or at a missing docs page", () => {
    const files = repositoryFiles();
    expect(files).toContain("docs/architecture.md");
    const problems = files.flatMap((file) =>
      pointerProblems(file, fs.readFileSync(path.join(ROOT, file), "utf8"), pageOf),
    );
    expect(problems).toEqual([]);
  });

  it("every docs page is linked from the README or another docs page", () => {
    const docs = fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md"));
    expect(docs.length).toBeGreaterThan(0);
    const linking = ["README.md", ...docs.map((f) => `docs/${f}`)];
    const orphans = docs.filter(
      (page) =>
        !linking.some((from) => {
          if (from === `docs/${page}`) return false;
          const text = fs.readFileSync(path.join(ROOT, from), "utf8");
          const href = from === "README.md" ? `docs/${page}` : page;
          return text.includes(`](${href})`) || text.includes(`](${href}#`);
        }),
    );
    expect(orphans).toEqual([]);
  });

  describe("the checker", () => {
    const pages: Record<string, Page> = {
      "docs/mps-api.md": { headings: new Set(["Conventions"]), anchors: new Set(["conventions"]) },
    };
    const lookup: PageLookup = (file) => pages[file];

    it.each([
      ["provider/a.ts", "// see shared/docs/mps-api.md", "outside the repository"],
      ["provider/a.ts", "// the rules of design section 3", "numbered design section"],
      ["provider/a.ts", "/** design § 5 */", "numbered design section"],
      ["provider/a.ts", "// (mps-api.md section 8)", "which a clone does not have"],
      ["provider/a.ts", "// pulumi-dynamic.md section 9", "which a clone does not have"],
      ["provider/a.ts", "// docs/pulumi-dynamic.md", "docs/pulumi-dynamic.md does not exist"],
      ["provider/a.ts", "// docs/mps-api.md, 'Quotas'", "has no heading 'Quotas'"],
      ["provider/a.ts", "// docs/mps-api.md#quotas", "has no anchor #quotas"],
      ["docs/x.md", "see [the API](mps-api.md#quota)", "has no anchor #quota"],
      ["docs/x.md", "see [notes](../../shared/docs/design.md)", "outside the repository"],
      ["README.md", "see [design](docs/design.md)", "the link docs/design.md does not exist"],
    ])("refuses %s: %s", (file, text, problem) => {
      expect(pointerProblems(file, text, lookup)).toEqual(
        expect.arrayContaining([expect.stringContaining(problem)]),
      );
    });

    it.each([
      ["provider/a.ts", "// docs/mps-api.md, 'Conventions'"],
      ["provider/a.ts", '// docs/mps-api.md, "Conventions"'],
      ["provider/a.ts", "// docs/mps-api.md#conventions"],
      ["docs/x.md", "see [the API](mps-api.md#conventions) and [above](#conventions)"],
      ["README.md", "see [the API](docs/mps-api.md)"],
      ["README.md", "see the harness's [README](harness/README.md)"],
    ])("accepts %s: %s", (file, text) => {
      const self: PageLookup = (f) =>
        f === "docs/x.md" ? { headings: new Set(), anchors: new Set(["conventions"]) } : lookup(f);
      expect(pointerProblems(file, text, self)).toEqual([]);
    });
  });
});
