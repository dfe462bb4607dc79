import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const FIXTURES = path.join(__dirname, "..", "fixtures");
const REPO_NODE_MODULES = path.join(__dirname, "..", "..", "..", "node_modules");

/** A throwaway copy of the toy program with its own `node_modules/toy-provider`, a data folder and a state path. */
export interface ToyWorkspace {
  root: string;
  /** The Pulumi project folder (cwd of the provider host). */
  programDir: string;
  /** Where the toy provider writes its files (`toy:dir`). */
  dataDir: string;
  /** A state file path (not created). */
  stackFile: string;
  /** Installs the toy implementation under a new version label, as a package upgrade would. */
  setProviderVersion(version: string): void;
  /** Names of the files the toy provider currently has. */
  files(): string[];
  /** Removes everything. */
  remove(): void;
}

/**
 * Copies the fixture program to a temp folder and installs the toy provider into its node_modules, so the
 * serialized shim's `require("toy-provider")` resolves from the program folder like a real package.
 */
export function makeToyWorkspace(): ToyWorkspace {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "harness-toy-"));
  const programDir = path.join(root, "program");
  const dataDir = path.join(root, "data");
  fs.mkdirSync(dataDir);
  fs.cpSync(path.join(FIXTURES, "toy-program"), programDir, { recursive: true });
  const modules = path.join(programDir, "node_modules");
  fs.mkdirSync(path.join(modules, "toy-provider"), { recursive: true });
  fs.symlinkSync(path.join(REPO_NODE_MODULES, "@pulumi"), path.join(modules, "@pulumi"), "dir");
  const setProviderVersion = (version: string) => {
    const source = fs.readFileSync(path.join(FIXTURES, "toy-provider", "index.js"), "utf8");
    fs.writeFileSync(
      path.join(modules, "toy-provider", "index.js"),
      source.replace('const VERSION = "v1";', `const VERSION = ${JSON.stringify(version)};`),
    );
    fs.writeFileSync(
      path.join(modules, "toy-provider", "package.json"),
      JSON.stringify({ name: "toy-provider", version: "1.0.0", main: "index.js" }),
    );
  };
  setProviderVersion("v1");
  return {
    root,
    programDir,
    dataDir,
    stackFile: path.join(root, "state", "stack.json"),
    setProviderVersion,
    files: () => fs.readdirSync(dataDir).sort(),
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * A factory of toy workspaces for one test file: each test takes a fresh one, so no test sees another's files or
 * state, and every one made is removed once the file's tests are done. Call it at the top of the file.
 */
export function toyWorkspaces(): () => ToyWorkspace {
  const made: ToyWorkspace[] = [];
  afterAll(() => made.forEach((ws) => ws.remove()));
  return () => {
    const ws = makeToyWorkspace();
    made.push(ws);
    return ws;
  };
}
