import {
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  startEmulator,
  type RunningEmulator,
} from "../../emulator";
import { FakeClock } from "../support/fake-clock";
import { sdkCaller, sdkError, type SdkCaller } from "../support/emulator";

const ACCOUNTS = [
  {
    accountId: "111",
    accessKeys: [
      { accessKeyId: DEFAULT_ACCESS_KEY_ID, accessKeySecret: DEFAULT_ACCESS_KEY_SECRET },
      { accessKeyId: "LTAI5tSecondKeySameAccount", accessKeySecret: "second-secret" },
    ],
  },
  { accountId: "222", accessKeys: [{ accessKeyId: "LTAI5tOtherAccount", accessKeySecret: "other-secret" }] },
];

// Per-account, per-action QPS limits with both metering algorithms, on an injected clock that only moves when
// the test moves it, so every admitted and refused request is predictable.
describe("emulator throttling", () => {
  let emu: RunningEmulator;
  let clock: FakeClock;
  let call: SdkCaller;

  const start = async (throttleAlgorithm: "token-bucket" | "fixed-window") => {
    clock = new FakeClock(Math.floor(Date.now() / 1000) * 1000);
    emu = await startEmulator({ clock, qps: 5, throttleAlgorithm, accounts: ACCOUNTS });
    call = sdkCaller({ host: emu.host });
  };
  afterEach(() => emu.close());

  /** Sends n ListFpShotDB calls one after another; returns how many were throttled. */
  const burst = async (n: number, caller: SdkCaller = call, action = "ListFpShotDB"): Promise<number> => {
    let throttled = 0;
    for (let i = 0; i < n; i++) {
      try {
        await caller(action, {});
      } catch (e) {
        if ((e as { code?: string }).code !== "Throttling.User") throw e;
        throttled++;
      }
    }
    return throttled;
  };

  describe("token bucket (default)", () => {
    beforeEach(() => start("token-bucket"));

    it("admits a burst of qps requests, then answers 400 Throttling.User and counts it", async () => {
      expect(await burst(5)).toBe(0);
      const error = await sdkError(call("ListFpShotDB", {}));
      expect([error.statusCode, error.code, error.data.Message]).toEqual([
        400,
        "Throttling.User",
        "Request was denied due to user flow control.",
      ]);
      expect(emu.admin.counts().byAction.ListFpShotDB).toEqual({
        total: 6,
        ok: 5,
        throttled: 1,
        dropped: 0,
        errors: {},
      });
      expect(emu.admin.requests().at(-1)).toMatchObject({ status: 400, code: "Throttling.User" });
    });

    it("refills at qps tokens per second, up to capacity qps", async () => {
      expect(await burst(6)).toBe(1);
      clock.advance(200); // one token
      expect(await burst(2)).toBe(1);
      clock.advance(10_000); // refill caps at 5
      expect(await burst(7)).toBe(2);
    });

    it("keeps a separate budget for each action", async () => {
      expect(await burst(5)).toBe(0);
      expect(await burst(5, call, "QueryFpDBDeleteJobList")).toBe(0);
      expect(await burst(1)).toBe(1);
    });

    it("shares one budget among all AccessKeys of an account, and not with other accounts", async () => {
      const sameAccount = sdkCaller({
        host: emu.host,
        accessKeyId: "LTAI5tSecondKeySameAccount",
        accessKeySecret: "second-secret",
      });
      const otherAccount = sdkCaller({
        host: emu.host,
        accessKeyId: "LTAI5tOtherAccount",
        accessKeySecret: "other-secret",
      });
      expect(await burst(3)).toBe(0);
      expect(await burst(3, sameAccount)).toBe(1);
      expect(await burst(5, otherAccount)).toBe(0);
    });

    it("follows a qps change at run time (a throttling storm and its end)", async () => {
      emu.admin.setSettings({ qps: 100 });
      expect(await burst(20)).toBe(0);
      emu.admin.setSettings({ qps: 2 });
      expect(await burst(3)).toBe(1);
      emu.admin.setSettings({ qps: 100 });
      clock.advance(1000);
      expect(await burst(50)).toBe(0);
    });

    it("does not charge the budget for requests refused before metering (bad signature)", async () => {
      const forger = sdkCaller({ host: emu.host, accessKeySecret: "wrong" });
      for (let i = 0; i < 3; i++) await sdkError(forger("ListFpShotDB", {}));
      expect(await burst(5)).toBe(0);
      expect(emu.admin.counts().byAction.ListFpShotDB).toMatchObject({
        total: 8,
        ok: 5,
        throttled: 0,
        errors: { SignatureDoesNotMatch: 3 },
      });
    });
  });

  describe("fixed window", () => {
    beforeEach(() => start("fixed-window"));

    it("admits qps requests per calendar second and resets at the next second", async () => {
      clock.advance(990);
      expect(await burst(7)).toBe(2);
      clock.advance(9); // still the same second
      expect(await burst(1)).toBe(1);
      clock.advance(1); // next second: a full window right after the last one
      expect(await burst(6)).toBe(1);
      expect(emu.admin.counts().overall).toMatchObject({ total: 14, ok: 10, throttled: 4 });
    });

    it("can be switched to token bucket at run time", async () => {
      expect(await burst(6)).toBe(1);
      emu.admin.setSettings({ throttleAlgorithm: "token-bucket" });
      expect(await burst(6)).toBe(1);
      clock.advance(200);
      expect(await burst(2)).toBe(1);
    });
  });
});
