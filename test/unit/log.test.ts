import { Logger, ProgressReporter, RetryReporter, redact, type LogLevel } from "../../core/log";
import { FakeClock } from "../support/fake-clock";

function capture() {
  const lines: { level: LogLevel; line: string }[] = [];
  const logger = new Logger((level, line) => lines.push({ level, line }));
  return { logger, lines, text: () => lines.map((l) => l.line) };
}

describe("Logger", () => {
  it("writes one prefixed line per call, at the call's level", () => {
    const { logger, lines } = capture();
    logger.info("Submitted Delete job J1 for library fp-1 (videos)");
    logger.warn("w");
    logger.error("e");
    expect(lines).toEqual([
      { level: "info", line: "[mps-fpdb] Submitted Delete job J1 for library fp-1 (videos)" },
      { level: "warn", line: "[mps-fpdb] w" },
      { level: "error", line: "[mps-fpdb] e" },
    ]);
  });

  it("keeps a multi-line message on one line", () => {
    const { logger, text } = capture();
    logger.error("failed:\n  at x\r\n  at y\n");
    expect(text()).toEqual(["[mps-fpdb] failed: | at x | at y"]);
  });

  it("redacts registered secrets wherever they appear, and again after more are registered", () => {
    const { logger, text } = capture();
    logger.registerSecret("SeCrEt-Value-123");
    logger.info("key SeCrEt-Value-123 and SeCrEt-Value-123x");
    logger.registerSecret("token-abcdef");
    logger.info("token-abcdef / SeCrEt-Value-123");
    expect(text()).toEqual(["[mps-fpdb] key *** and ***x", "[mps-fpdb] *** / ***"]);
  });

  it("ignores empty and very short registered values", () => {
    const { logger, text } = capture();
    logger.registerSecret("");
    logger.registerSecret(undefined);
    logger.registerSecret("ab");
    logger.info("ab cd");
    expect(text()).toEqual(["[mps-fpdb] ab cd"]);
  });

  it("goes to console.log for info and console.error otherwise by default", () => {
    const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
    const error = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const logger = new Logger();
      logger.info("i");
      logger.warn("w");
      expect(log).toHaveBeenCalledWith("[mps-fpdb] i");
      expect(error).toHaveBeenCalledWith("[mps-fpdb] w");
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  });
});

describe("redact: credential-shaped fields", () => {
  it.each<[string, string, string]>([
    [
      "an ACS3 Authorization header",
      "Authorization: ACS3-HMAC-SHA256 Credential=LTAI5t,SignedHeaders=host;x-acs-date,Signature=9f86d081884c7d65",
      "Authorization: ACS3-HMAC-SHA256 Credential=LTAI5t,SignedHeaders=host;x-acs-date,Signature=***",
    ],
    [
      "a V2 query signature, leaving SignatureMethod alone",
      "GET /?SignatureMethod=HMAC-SHA1&Signature=abc%2Bdef%3D&Action=X",
      "GET /?SignatureMethod=HMAC-SHA1&Signature=***&Action=X",
    ],
    [
      "a security token header",
      "x-acs-security-token: CAIS8gF1q6Ft5B2yfSjIr5 x-acs-signature-nonce: n1",
      "x-acs-security-token: *** x-acs-signature-nonce: n1",
    ],
    [
      "JSON credentials",
      '{"AccessKeyId":"STS.abc","AccessKeySecret":"s3cr3t","SecurityToken":"tok","Expiration":"2026"}',
      '{"AccessKeyId":"STS.abc","AccessKeySecret":"***","SecurityToken":"***","Expiration":"2026"}',
    ],
    [
      "camelCase fields in a message",
      "accessKeySecret: abc123, securityToken=xyz",
      "accessKeySecret: ***, securityToken=***",
    ],
    [
      "CLI config fields",
      '"access_key_secret": "abc", "sts_token": "def"',
      '"access_key_secret": "***", "sts_token": "***"',
    ],
  ])("removes %s", (_name, input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it("removes the longest registered secret first", () => {
    expect(redact("abcdefgh", ["abcd", "abcdefgh"])).toBe("***");
  });

  it("applies to logged lines", () => {
    const { logger, text } = capture();
    logger.error('response {"AccessKeySecret":"leaked"}');
    expect(text()).toEqual(['[mps-fpdb] response {"AccessKeySecret":"***"}']);
  });
});

describe("ProgressReporter", () => {
  function setup(intervalMs = 10_000) {
    const clock = new FakeClock();
    const { logger, text } = capture();
    const progress = new ProgressReporter({ clock, log: logger, intervalMs });
    return { clock, progress, text };
  }

  it("GIVEN possible duplicates in a bulk run THEN the first is written at once in full, the rest at the end, every library named", () => {
    const { progress, text } = setup();
    const waits = Array.from({ length: 30 }, (_, i) =>
      progress.begin({ kind: "Purge", jobId: `J${i}`, fpDbId: `fp-${i}`, resourceName: `lib-${i}` }),
    );
    for (const [i, wait] of waits.entries()) {
      wait.possibleDuplicate({
        jobId: `J${i}`,
        fpDbId: `fp-${i}`,
        resourceName: `lib-${i}`,
        why: "the reason",
      });
    }
    expect(text()).toEqual([
      "[mps-fpdb] Purge job J0 for library fp-0 (lib-0) is a possible duplicate: the reason (harmless: the library " +
        "is emptied twice)",
    ]);
    for (const wait of waits) wait.end(true);
    const named = (from: number, to: number) =>
      Array.from(
        { length: to - from + 1 },
        (_, i) => `fp-${from + i} (lib-${from + i}, job J${from + i})`,
      ).join(", ");
    expect(text().slice(1)).toEqual([
      "[mps-fpdb] 30/30 Purge jobs done",
      "[mps-fpdb] 29 more Purge jobs of this run are possible duplicates (harmless: those libraries are emptied " +
        `twice): ${named(1, 20)}, continued below. Why: the reason`,
      `[mps-fpdb] More possible duplicates of this run (21-29 of 29): ${named(21, 29)}`,
    ]);
  });

  it("GIVEN a few possible duplicates THEN the rest fit one line, with nothing said to continue", () => {
    const { progress, text } = setup();
    const waits = Array.from({ length: 3 }, (_, i) =>
      progress.begin({ kind: "Purge", jobId: `J${i}`, fpDbId: `fp-${i}`, resourceName: `lib-${i}` }),
    );
    for (const [i, wait] of waits.entries())
      wait.possibleDuplicate({
        jobId: `J${i}`,
        fpDbId: `fp-${i}`,
        resourceName: `lib-${i}`,
        why: "the reason",
      });
    for (const wait of waits) wait.end(true);
    expect(text().at(-1)).toBe(
      "[mps-fpdb] 2 more Purge jobs of this run are possible duplicates (harmless: those libraries are emptied " +
        "twice): fp-1 (lib-1, job J1), fp-2 (lib-2, job J2). Why: the reason",
    );
  });

  it("GIVEN one wait THEN a line naming job, library and resource, at most once per interval", () => {
    const { clock, progress, text } = setup();
    const wait = progress.begin({ kind: "Delete", jobId: "J1", fpDbId: "fp-1", resourceName: "videos" });
    clock.advance(5_000);
    wait.update("Queuing");
    expect(text()).toEqual([]);
    clock.advance(5_000);
    wait.update("Analysing");
    clock.advance(3_000);
    wait.update("Analysing");
    clock.advance(7_500);
    wait.update("Analysing");
    wait.end(true);
    expect(text()).toEqual([
      "[mps-fpdb] Delete job J1 for library fp-1 (videos): Analysing, 10s",
      "[mps-fpdb] Delete job J1 for library fp-1 (videos): Analysing, 20s",
    ]);
  });

  it("GIVEN a Create wait (no job) THEN the line names the library", () => {
    const { clock, progress, text } = setup();
    const wait = progress.begin({ kind: "Create", fpDbId: "fp-2", resourceName: "clips" });
    clock.advance(12_000);
    wait.update("offline");
    expect(text()).toEqual(["[mps-fpdb] Create: waiting for library fp-2 (clips): offline, 12s"]);
  });

  it("uses a JobId that becomes known after begin", () => {
    const { clock, progress, text } = setup();
    const wait = progress.begin({ kind: "Purge", fpDbId: "fp-3", resourceName: "r" });
    clock.advance(10_000);
    wait.update("Queuing", "J9");
    expect(text()).toEqual(["[mps-fpdb] Purge job J9 for library fp-3 (r): Queuing, 10s"]);
  });

  it("GIVEN 1000 Delete waits THEN one aggregated line per interval, never one per wait, and a final summary", () => {
    const { clock, progress, text } = setup();
    const waits = Array.from({ length: 1000 }, (_, i) =>
      progress.begin({ kind: "Delete", jobId: `J${i}`, fpDbId: `fp-${i}`, resourceName: `lib-${i}` }),
    );
    clock.advance(10_000);
    waits.forEach((w) => w.update("Analysing"));
    for (let i = 0; i < 412; i++) waits[i].end(i >= 409 ? false : true);
    clock.advance(10_000);
    waits.slice(412).forEach((w) => w.update("Analysing"));
    expect(text()).toEqual([
      "[mps-fpdb] 0/1000 Delete jobs done, 1000 waiting",
      "[mps-fpdb] 412/1000 Delete jobs done (3 failed), 588 waiting",
    ]);
    waits.slice(412).forEach((w) => w.end(true));
    expect(text()[2]).toBe("[mps-fpdb] 1000/1000 Delete jobs done (3 failed)");
    expect(text()).toHaveLength(3);
  });

  it("aggregates per kind: Delete and Purge waits get their own lines", () => {
    const { clock, progress, text } = setup();
    const deletes = [1, 2].map((i) =>
      progress.begin({ kind: "Delete", jobId: `D${i}`, fpDbId: `a${i}`, resourceName: "x" }),
    );
    const purge = progress.begin({ kind: "Purge", jobId: "P1", fpDbId: "b", resourceName: "y" });
    clock.advance(10_000);
    deletes[0].update("Queuing");
    deletes[1].update("Queuing");
    purge.update("Analysing");
    expect(text()).toEqual([
      "[mps-fpdb] 0/2 Delete jobs done, 2 waiting",
      "[mps-fpdb] Purge job P1 for library b (y): Analysing, 10s",
    ]);
  });

  it("GIVEN a batch down to its last wait THEN that wait is named", () => {
    const { clock, progress, text } = setup();
    const [a, b] = [1, 2].map((i) =>
      progress.begin({ kind: "Delete", jobId: `J${i}`, fpDbId: `fp-${i}`, resourceName: "x" }),
    );
    a.end(true);
    clock.advance(15_000);
    b.update("Analysing");
    expect(text()).toEqual(["[mps-fpdb] Delete job J2 for library fp-2 (x): Analysing, 15s"]);
  });

  it("starts a new batch after the previous one ended, and ignores a second end", () => {
    const { clock, progress, text } = setup();
    const first = progress.begin({ kind: "Delete", jobId: "J1", fpDbId: "fp-1", resourceName: "x" });
    first.end(true);
    first.end(false);
    const [a, b] = [2, 3].map((i) =>
      progress.begin({ kind: "Delete", jobId: `J${i}`, fpDbId: `fp-${i}`, resourceName: "x" }),
    );
    clock.advance(10_000);
    a.update("Queuing");
    a.end(true);
    b.end(true);
    expect(text()).toEqual(["[mps-fpdb] 0/2 Delete jobs done, 2 waiting", "[mps-fpdb] 2/2 Delete jobs done"]);
  });

  it("writes nothing for a single wait that ends within the interval", () => {
    const { clock, progress, text } = setup();
    const wait = progress.begin({ kind: "Purge", jobId: "J", fpDbId: "fp", resourceName: "x" });
    clock.advance(9_999);
    wait.update("Analysing");
    wait.end(true);
    expect(text()).toEqual([]);
  });

  it("redacts progress lines through the logger", () => {
    const { clock, progress, text } = setup();
    const wait = progress.begin({ kind: "Delete", jobId: "J", fpDbId: "fp", resourceName: "x" });
    clock.advance(10_000);
    wait.update('{"SecurityToken":"tok"}');
    expect(text()).toEqual(['[mps-fpdb] Delete job J for library fp (x): {"SecurityToken":"***"}, 10s']);
  });
});

describe("RetryReporter", () => {
  const event = {
    action: "CreateFpShotDB",
    maxAttempts: 8,
    code: "ECONNREFUSED",
    throttled: false,
    delayMs: 400,
  };

  it("says at the first retry that calls are retried, then at most once per interval with the count", () => {
    const clock = new FakeClock();
    const { logger, lines } = capture();
    const retries = new RetryReporter({
      clock,
      log: logger,
      intervalMs: 10_000,
      endpoint: "http://127.0.0.1:1",
    });
    retries.retrying({ ...event, attempt: 1 });
    clock.advance(400);
    retries.retrying({ ...event, attempt: 2, delayMs: 800 });
    clock.advance(10_000);
    retries.retrying({ ...event, attempt: 3, delayMs: 1_600 });
    expect(lines).toEqual([
      {
        level: "warn",
        line:
          "[mps-fpdb] MPS CreateFpShotDB at http://127.0.0.1:1 failed with ECONNREFUSED on attempt 1 of 8; " +
          "retrying in 0.4 s",
      },
      {
        level: "warn",
        line:
          "[mps-fpdb] MPS CreateFpShotDB at http://127.0.0.1:1 failed with ECONNREFUSED on attempt 3 of 8; " +
          "retrying in 1.6 s (1 more retries since the last line)",
      },
    ]);
  });

  it("keeps quiet about a call throttled once or twice (pacing between processes), not about one throttled often", () => {
    const clock = new FakeClock();
    const { logger, text } = capture();
    const retries = new RetryReporter({ clock, log: logger, intervalMs: 0, endpoint: "https://mts.example" });
    const throttled = { ...event, action: "SubmitFpDBDeleteJob", code: "Throttling.User", throttled: true };
    retries.retrying({ ...throttled, attempt: 1 });
    retries.retrying({ ...throttled, attempt: 2 });
    expect(text()).toEqual([]);
    retries.retrying({ ...throttled, attempt: 3 });
    expect(text()).toEqual([
      "[mps-fpdb] MPS SubmitFpDBDeleteJob at https://mts.example failed with Throttling.User on attempt 3 of 8; " +
        "retrying in 0.4 s",
    ]);
  });
});
