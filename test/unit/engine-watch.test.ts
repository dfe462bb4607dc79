import { EventEmitter } from "node:events";
import {
  EngineGoneError,
  EngineWatch,
  installEngineWatch,
  isDynamicProviderHost,
  type WatchedStream,
} from "../../provider/engine-watch";

class FakeStream extends EventEmitter implements WatchedStream {
  readonly written: unknown[] = [];
  write(...args: unknown[]): boolean {
    this.written.push(args[0]);
    return true;
  }
}

function setup(parent = 100) {
  const process = { parent, alive: true };
  const exits: number[] = [];
  const out = new FakeStream();
  const err = new FakeStream();
  let tick: (() => void) | undefined;
  let stopped = false;
  const watch = new EngineWatch({
    parentPid: () => process.parent,
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
  s.process.parent = 1;
  s.tick();
  expect(s.watch.gone).toBe("parent-exited");
  expect(s.exits).toEqual([0]);
  expect(s.stopped()).toBe(true);
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
  s.process.parent = 1;
  s.tick();
  expect(s.exits).toEqual([]);
  expect(() => s.watch.beginWrite("SubmitFpDBDeleteJob")).toThrow(EngineGoneError);
  first();
  first();
  expect(s.exits).toEqual([]);
  second();
  expect(s.exits).toEqual([0]);
});

it("is installed only in Pulumi's dynamic-provider host", () => {
  expect(isDynamicProviderHost("/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js")).toBe(true);
  expect(isDynamicProviderHost("/p/node_modules/jest/bin/jest.js")).toBe(false);
  expect(isDynamicProviderHost(undefined)).toBe(false);
  // This process is jest's: nothing is installed, so nothing can end it.
  expect(installEngineWatch()).toBeUndefined();
});
