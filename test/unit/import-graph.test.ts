/**
 * The import graph of core/, the front ends (dynamic/, plugin/) and harness/, read with the TypeScript compiler's own import scanner so that
 * type-only imports and re-exports count: a circle through types still couples the modules it passes through,
 * and an upward import still makes a low module know about a high one. docs/architecture.md, 'Layers', states
 * the order checked here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * core/'s layers, lowest first. A module may import from its own layer and the layers below it. The schema
 * and the rules sit above the MPS machinery (resilience, client, jobs) although they need none of it, so that
 * the machinery never learns the resource's properties: it is what a second front end (a provider plugin) would
 * reuse as is. The diff sits above the other rules because it composes them: the state reader and the
 * lifecycle's destroy and adoption rules must not depend on it. An entry ending in "/" names a folder; every
 * module of core/ is in exactly one layer. The front ends sit above all of it, in folders of their own.
 */
const PROVIDER_LAYERS: readonly { layer: string; modules: readonly string[] }[] = [
  {
    layer: "foundation",
    modules: ["values", "clock", "errors", "text", "log", "engine-watch", "process-state"],
  },
  { layer: "config", modules: ["config/"] },
  { layer: "resilience", modules: ["resilience/"] },
  { layer: "client", modules: ["client/"] },
  { layer: "jobs", modules: ["jobs/"] },
  { layer: "schema", modules: ["schema", "types"] },
  { layer: "rules", modules: ["inputs", "deletion-rules", "state"] },
  { layer: "diff", modules: ["diff"] },
  { layer: "context", modules: ["context"] },
  { layer: "lifecycle", modules: ["lifecycle/"] },
  { layer: "api", modules: ["api"] },
];

/** The front ends: each imports the core and never the other, and the core imports neither. */
const FRONT_ENDS = ["dynamic", "plugin"] as const;

/** Module name (path relative to `dir`, without `.ts`) to the modules of `dir` it imports. */
type Graph = Map<string, string[]>;

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

/**
 * The graph of one folder's modules. Imports that leave the folder are not edges; a relative import that
 * resolves to nothing fails the walk, so a pattern the resolver misses cannot hide an edge.
 */
function importGraph(folder: string, external?: Set<string>): Graph {
  const dir = path.join(ROOT, folder);
  const name = (file: string) => path.relative(dir, file).replace(/\.ts$/, "").split(path.sep).join("/");
  const graph: Graph = new Map();
  for (const file of tsFiles(dir)) {
    const scanned = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
    const edges: string[] = [];
    for (const { fileName } of scanned.importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const base = path.resolve(path.dirname(file), fileName.replace(/\.js$/, ""));
      const target = [`${base}.ts`, path.join(base, "index.ts"), base].find((f) => fs.existsSync(f));
      if (target === undefined)
        throw new Error(`${folder}/${name(file)}: cannot resolve import "${fileName}"`);
      if (target.startsWith(dir + path.sep) && target.endsWith(".ts")) edges.push(name(target));
      else
        external?.add(`${folder}/${name(file)} -> ${path.relative(ROOT, target).split(path.sep).join("/")}`);
    }
    graph.set(name(file), [...new Set(edges)]);
  }
  return graph;
}

/** Every circle, one per strongly connected component (Tarjan), written as a path back to its start. */
function circles(graph: Graph): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component = new Set<string>();
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.add(w);
    } while (w !== v);
    if (component.size > 1 || (graph.get(v) ?? []).includes(v)) found.push(pathBack(graph, v, component));
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/** "a -> b -> c -> a": a shortest path from `start` back to itself inside its component. */
function pathBack(graph: Graph, start: string, component: Set<string>): string {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!component.has(w) || previous.has(w)) continue;
      previous.set(w, v);
      if (w === start) {
        const hops: string[] = [];
        for (let at = v; at !== start; at = previous.get(at)!) hops.unshift(at);
        return [start, ...hops, start].join(" -> ");
      }
      queue.push(w);
    }
  }
  return [...component].join(", ");
}

function layerOf(module: string): number[] {
  return PROVIDER_LAYERS.flatMap(({ modules }, rank) =>
    modules.some((m) => (m.endsWith("/") ? module.startsWith(m) : module === m)) ? [rank] : [],
  );
}

/** The folders a set of "from -> to" edges reach, for the edges that leave `from`'s own folder. */
function foldersReached(edges: Set<string>): Set<string> {
  return new Set([...edges].map((edge) => edge.split(" -> ")[1].split("/")[0]));
}

describe("the import graph", () => {
  const coreExternal = new Set<string>();
  const provider = importGraph("core", coreExternal);
  const frontEnds = FRONT_ENDS.filter((folder) => fs.existsSync(path.join(ROOT, folder)));

  it.each(["core", ...frontEnds, "harness"])("%s/ has no circle, type-only imports included", (folder) => {
    const graph = folder === "core" ? provider : importGraph(folder);
    expect(graph.size).toBeGreaterThan(3);
    expect(circles(graph)).toEqual([]);
  });

  it("keeps the core free of any front end", () => {
    const reached = [...coreExternal].filter((edge) =>
      (FRONT_ENDS as readonly string[]).includes(edge.split(" -> ")[1].split("/")[0]),
    );
    expect(reached).toEqual([]);
  });

  it.each(frontEnds)("lets %s/ import the core but not the other front end", (folder) => {
    const external = new Set<string>();
    importGraph(folder, external);
    expect(foldersReached(external).has("core")).toBe(true);
    const other = [...external].filter((edge) => {
      const to = edge.split(" -> ")[1].split("/")[0];
      return to !== folder && (FRONT_ENDS as readonly string[]).includes(to);
    });
    expect(other).toEqual([]);
  });

  it("places every module of core/ in exactly one layer", () => {
    const misplaced = [...provider.keys()]
      .filter((module) => layerOf(module).length !== 1)
      .map((module) => `${module}: ${layerOf(module).length} layers`);
    expect(misplaced).toEqual([]);
  });

  it("names in its layer table only modules that exist", () => {
    const stale = PROVIDER_LAYERS.flatMap(({ modules }) => modules).filter(
      (m) => ![...provider.keys()].some((module) => (m.endsWith("/") ? module.startsWith(m) : module === m)),
    );
    expect(stale).toEqual([]);
  });

  it("has no import in core/ that runs up a layer", () => {
    const upward: string[] = [];
    for (const [from, targets] of provider) {
      const [own] = layerOf(from);
      for (const to of targets) {
        const [theirs] = layerOf(to);
        if (theirs > own) {
          upward.push(`${from} (${PROVIDER_LAYERS[own].layer}) -> ${to} (${PROVIDER_LAYERS[theirs].layer})`);
        }
      }
    }
    expect(upward).toEqual([]);
  });

  it("sees type-only imports and re-exports", () => {
    // The scanner this test stands on: if it stopped reporting these, every assertion above would pass vacuously.
    const scanned = ts.preProcessFile(
      'import type { A } from "./a";\nexport { B } from "./b";\n',
      true,
      true,
    );
    expect(scanned.importedFiles.map((f) => f.fileName)).toEqual(["./a", "./b"]);
  });
});
