import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ConnectionFacts } from "../../../core/client/connections";
import {
  ENGINE_GONE_CODE,
  compose,
  connectionPolicy,
  credentialsFirst,
  engineGate,
  errorMapping,
  wasItSent,
  type Call,
  type Send,
  type Step,
} from "../../../core/client/transport-steps";
import { EngineGoneError } from "../../../core/engine-watch";
import { MpsApiError } from "../../../core/errors";

const ANSWER = { RequestId: "R1" };

function call(overrides: Partial<Call> = {}): Call {
  return {
    action: "CreateFpShotDB",
    write: true,
    query: { Name: "n" },
    endpoint: "https://mts.example.aliyuncs.com",
    connectTimeoutMs: 100,
    readTimeoutMs: 200,
    ...overrides,
  };
}

/** What comes after the step under test: records the calls it gets, then answers or fails as told. */
function next(outcome: { fail?: unknown } = {}): Send & { calls: Call[] } {
  const calls: Call[] = [];
  const send = async (c: Call) => {
    calls.push(c);
    if ("fail" in outcome) throw outcome.fail;
    return ANSWER;
  };
  return Object.assign(send, { calls });
}

/** A socket error as Node throws it. */
function socketError(code: string): Error {
  return Object.assign(new Error(`socket failed: ${code}`), { code });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

const facts = (requests: number, established: boolean): ConnectionFacts => ({
  fresh: true,
  requests,
  established,
});

describe("compose", () => {
  it("puts the first step outermost and the send innermost", async () => {
    const order: string[] = [];
    const step =
      (name: string): Step =>
      (inner) =>
      async (c) => {
        order.push(`${name} in`);
        const answer = await inner(c);
        order.push(`${name} out`);
        return answer;
      };
    const send = compose([step("a"), step("b")], async () => {
      order.push("send");
      return ANSWER;
    });
    expect(await send(call())).toBe(ANSWER);
    expect(order).toEqual(["a in", "b in", "send", "b out", "a out"]);
  });
});

describe("credentialsFirst", () => {
  it("asks for keys before the call goes on", async () => {
    const order: string[] = [];
    const credential = { getCredential: async () => void order.push("keys") };
    const send = credentialsFirst(credential)(async () => {
      order.push("sent");
      return ANSWER;
    });
    await send(call());
    expect(order).toEqual(["keys", "sent"]);
  });

  it("GIVEN the keys cannot be had THEN CredentialsUnavailable, transient even for a write, and nothing goes on", async () => {
    const after = next();
    const credential = {
      getCredential: () => Promise.reject(new Error("no credentials anywhere")),
    };
    const error = await failure(credentialsFirst(credential)(after)(call()));
    expect(error).toBeInstanceOf(MpsApiError);
    expect(error).toMatchObject({
      code: "CredentialsUnavailable",
      kind: "transient",
      action: "CreateFpShotDB",
    });
    expect((error as Error).message).toContain("the request was not sent");
    expect(after.calls).toEqual([]);
  });
});

describe("engineGate", () => {
  it("lets a read through without asking the engine watch", async () => {
    const begin = jest.fn(() => () => undefined);
    const after = next();
    expect(await engineGate(begin)(after)(call({ action: "ListFpShotDB", write: false }))).toBe(ANSWER);
    expect(begin).not.toHaveBeenCalled();
    expect(after.calls).toHaveLength(1);
  });

  it("holds a write open from before it is sent until it is answered, and after a failure too", async () => {
    const events: string[] = [];
    const begin = (action: string) => {
      events.push(`begin ${action}`);
      return () => events.push("settled");
    };
    const send = engineGate(begin)(async () => {
      events.push("on the wire");
      return ANSWER;
    });
    await send(call());
    expect(events).toEqual(["begin CreateFpShotDB", "on the wire", "settled"]);

    events.length = 0;
    await failure(engineGate(begin)(next({ fail: socketError("ECONNRESET") }))(call()));
    expect(events).toEqual(["begin CreateFpShotDB", "settled"]);
  });

  it("GIVEN the engine is gone THEN a write fails as EngineGone, fatal, and is not sent", async () => {
    const after = next();
    const begin = (action: string): (() => void) => {
      throw new EngineGoneError(action);
    };
    const error = await failure(engineGate(begin)(after)(call()));
    expect(error).toBeInstanceOf(MpsApiError);
    expect(error).toMatchObject({ code: ENGINE_GONE_CODE, kind: "fatal", action: "CreateFpShotDB" });
    expect(after.calls).toEqual([]);
  });

  it("passes on any other failure of the engine watch as it came", async () => {
    const broken = new TypeError("watch broken");
    const begin = (): (() => void) => {
      throw broken;
    };
    expect(await failure(engineGate(begin)(next())(call()))).toBe(broken);
  });
});

describe("errorMapping", () => {
  it.each([
    ["a write", true, "ambiguous"],
    ["a read", false, "transient"],
  ])("maps a reset on %s (write: %s) to an MpsApiError of kind %s", async (_name, write, kind) => {
    const error = await failure(errorMapping()(next({ fail: socketError("ECONNRESET") }))(call({ write })));
    expect(error).toBeInstanceOf(MpsApiError);
    expect(error).toMatchObject({ code: "ECONNRESET", kind });
  });

  it("keeps an MpsApiError as it is, and an answer untouched", async () => {
    const mapped = new MpsApiError("m", "CreateFpShotDB", "Throttling", "throttling");
    expect(await failure(errorMapping()(next({ fail: mapped }))(call()))).toBe(mapped);
    expect(await errorMapping()(next())(call())).toBe(ANSWER);
  });
});

describe("wasItSent", () => {
  /** The step with the facts a connection policy after it would have left on the call. */
  function judged(c: Call, fail: unknown, connection?: ConnectionFacts): Promise<unknown> {
    const after: Send = async (inner) => {
      inner.connection = connection;
      throw fail;
    };
    return failure(wasItSent()(after)(c));
  }

  it("GIVEN an unknown outcome and no connection ever established THEN not sent: transient, saying why", async () => {
    const error = await judged(call(), socketError("ECONNRESET"), facts(1, false));
    expect(error).toBeInstanceOf(MpsApiError);
    expect(error).toMatchObject({ code: "ECONNRESET", kind: "transient" });
    expect((error as Error).message).toContain(
      "The connection to https://mts.example.aliyuncs.com was never established, so the request was not sent.",
    );
  });

  it.each([
    ["its connection was established", facts(1, true)],
    ["no request was made at all", facts(0, false)],
    ["the connection policy was never reached", undefined],
  ])("GIVEN an unknown outcome where %s THEN the failure goes on as it came", async (_name, connection) => {
    const raw = socketError("ECONNRESET");
    expect(await judged(call(), raw, connection)).toBe(raw);
  });

  it("GIVEN a failure that is not an unknown outcome THEN it goes on as it came, whatever the connection", async () => {
    // A read's reset is safe to retry anyway, and an untrusted certificate is fatal: neither gains anything.
    const reset = socketError("ECONNRESET");
    expect(await judged(call({ action: "ListFpShotDB", write: false }), reset, facts(1, false))).toBe(reset);
    const untrusted = socketError("DEPTH_ZERO_SELF_SIGNED_CERT");
    expect(await judged(call(), untrusted, facts(1, false))).toBe(untrusted);
  });
});

describe("connectionPolicy", () => {
  it("runs the rest of the call under the policy for its kind and leaves the facts on the call", async () => {
    const seen: boolean[] = [];
    const observed = facts(1, true);
    const run = <T>(fresh: boolean, inner: () => Promise<T>) => {
      seen.push(fresh);
      return { facts: observed, result: inner() };
    };
    const write = call();
    expect(await connectionPolicy(run)(next())(write)).toBe(ANSWER);
    const read = call({ action: "ListFpShotDB", write: false });
    await connectionPolicy(run)(next())(read);
    expect(seen).toEqual([true, false]);
    expect(write.connection).toBe(observed);
  });

  it("with the process's policy, observes a request that reached a server as established", async () => {
    const server = http.createServer((_req, res) => res.end("{}"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const request: Send = () =>
        new Promise((resolve, reject) => {
          const req = http.request({ host: "127.0.0.1", port, path: "/" }, (res) => {
            res.resume();
            res.on("end", () => resolve(ANSWER));
          });
          req.on("error", reject);
          req.end();
        });
      const c = call();
      await connectionPolicy()(request)(c);
      expect(c.connection).toMatchObject({ fresh: true, requests: 1, established: true });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
