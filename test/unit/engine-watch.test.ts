import { EventEmitter } from "node:events";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  EngineGoneError,
  EngineWatch,
  engineAncestry,
  installEngineWatch,
  isDynamicProviderHost,
  type WatchedStream,
} from "../../core/engine-watch";

class FakeStream extends EventEmitter implements WatchedStream {
  readonly written: unknown[] = [];
  write(...args: unknown[]): boolean {
    this.written.push(args[0]);
    return true;
  }
}

function setup(ancestry = [100]) {
  const process = { ancestry, alive: true };
  const exits: number[] = [];
  const out = new FakeStream();
  const err = new FakeStream();
  let tick: (() => void) | undefined;
  let stopped = false;
  const watch = new EngineWatch({
    ancestry: () => process.ancestry,
    isAlive: () => process.alive,
    exit: (code) => exits.push(code),
    streams: [out, err],
    every: (_ms, check) => {
      tick = check;
      return () => (stopped = true);
    },
  });
  return { watch, process, exits, out, err, tick: () => tick?.(), stopped: () => stopped };
}

it("does nothing while the parent lives", () => {
  const s = setup();
  for (let i = 0; i < 5; i++) s.tick();
  expect(s.watch.gone).toBeUndefined();
  expect(s.exits).toEqual([]);
  s.out.write("still here\n");
  expect(s.out.written).toEqual(["still here\n"]);
});

it("exits when the process is re-parented, and stops checking", () => {
  const s = setup();
  s.process.ancestry = [1];
  s.tick();
  expect(s.watch.gone).toBe("parent-exited");
  expect(s.exits).toEqual([0]);
  expect(s.stopped()).toBe(true);
});

it("under a plugin wrapper, exits when the wrapper's parent (the engine) is gone", () => {
  const s = setup([200, 100]);
  s.tick();
  expect(s.exits).toEqual([]);
  s.process.ancestry = [200, 1];
  s.tick();
  expect(s.watch.gone).toBe("parent-exited");
  expect(s.exits).toEqual([0]);
});

it("exits when the parent no longer exists even if the pid reads the same", () => {
  const s = setup();
  s.process.alive = false;
  s.tick();
  expect(s.exits).toEqual([0]);
});

it("treats a failed write to stdout or stderr as a gone engine, and writes nothing afterwards", () => {
  const s = setup();
  s.err.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
  expect(s.watch.gone).toBe("output-closed");
  expect(s.exits).toEqual([0]);
  const callback = jest.fn();
  expect(s.out.write("lost\n", callback)).toBe(true);
  expect(s.err.write("lost\n")).toBe(true);
  expect(s.out.written).toEqual([]);
  expect(s.err.written).toEqual([]);
});

it("waits for writes on the wire before exiting, and refuses new ones", () => {
  const s = setup();
  const first = s.watch.beginWrite("CreateFpShotDB");
  const second = s.watch.beginWrite("SubmitFpDBDeleteJob");
  s.process.ancestry = [1];
  s.tick();
  expect(s.exits).toEqual([]);
  expect(() => s.watch.beginWrite("SubmitFpDBDeleteJob")).toThrow(EngineGoneError);
  first();
  first();
  expect(s.exits).toEqual([]);
  second();
  expect(s.exits).toEqual([0]);
});

it("finds the engine above the CLI's plugin wrapper script, and only there", () => {
  const proc = fs.mkdtempSync(path.join(os.tmpdir(), "engine-watch-proc-"));
  try {
    const parent = process.ppid;
    fs.mkdirSync(path.join(proc, String(parent)));
    const write = (cmdline: string[]) => {
      fs.writeFileSync(path.join(proc, String(parent), "cmdline"), `${cmdline.join("\0")}\0`);
      fs.writeFileSync(path.join(proc, String(parent), "stat"), `${parent} (sh (x)) S 4242 1 1 0`);
    };
    write(["/bin/sh", "/usr/local/bin/pulumi-resource-pulumi-nodejs", "127.0.0.1:1"]);
    expect(engineAncestry(proc)).toEqual([parent, 4242]);
    write(["/usr/local/bin/pulumi", "up"]);
    expect(engineAncestry(proc)).toEqual([parent]);
    expect(engineAncestry(path.join(proc, "missing"))).toEqual([parent]);
  } finally {
    fs.rmSync(proc, { recursive: true, force: true });
  }
});

it("is installed only in Pulumi's dynamic-provider host", () => {
  expect(isDynamicProviderHost("/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js")).toBe(true);
  expect(isDynamicProviderHost("/p/node_modules/jest/bin/jest.js")).toBe(false);
  expect(isDynamicProviderHost(undefined)).toBe(false);
  // This process is jest's: nothing is installed, so nothing can end it.
  expect(installEngineWatch()).toBeUndefined();
});
