import { MpsApiError, type ErrorKind } from "../../../core/errors";
import {
  READ_ACTIONS,
  SOCKET_ERROR_CODES,
  THROTTLING_CODES,
  TRANSIENT_CODES,
  TRANSIENT_HTTP_STATUSES,
  UNCERTAIN_OUTCOME_CODES,
  classifyError,
  classifyFacts,
  failureFacts,
  isThrottlingCode,
  isWriteAction,
  type FailureFacts,
} from "../../../core/resilience/classify";

/** An openapi-client ResponseError as 0.4.15 builds it (docs/mps-api.md, 'SDK client behaviour'). */
function responseError(code: string, statusCode: number, requestId = "RID-1"): Error {
  const error = new Error(`${code}: code: ${statusCode}, some message request id: ${requestId}`) as Error & {
    code: string;
    statusCode: number;
    data: Record<string, unknown>;
  };
  error.code = code;
  error.statusCode = statusCode;
  error.data = { Code: code, Message: "some message", RequestId: requestId, statusCode };
  return error;
}

function socketError(code: string): Error {
  return Object.assign(new Error(`${code} POST http://127.0.0.1:1/ failed.`), { code });
}

function timeoutError(): Error {
  const error = new Error("ReadTimeout(3000). POST http://127.0.0.1:1/ failed.");
  error.name = "RequestTimeoutError";
  return error;
}

describe("classification tables", () => {
  it.each(THROTTLING_CODES.map((code) => [code]))("treats %s as throttling for reads and writes", (code) => {
    expect(classifyFacts({ code, statusCode: 400 }, false)).toBe("throttling");
    expect(classifyFacts({ code, statusCode: 400 }, true)).toBe("throttling");
  });

  it("treats any Throttling.* code as throttling", () => {
    expect(isThrottlingCode("Throttling.SomethingNew")).toBe(true);
    expect(isThrottlingCode("ThrottlingX")).toBe(false);
    expect(isThrottlingCode(undefined)).toBe(false);
  });

  it.each(TRANSIENT_CODES.map((code) => [code]))(
    "treats %s as transient for reads, ambiguous for writes",
    (code) => {
      expect(classifyFacts({ code, statusCode: 500 }, false)).toBe("transient");
      expect(classifyFacts({ code, statusCode: 500 }, true)).toBe("ambiguous");
    },
  );

  it.each(TRANSIENT_HTTP_STATUSES.map((status) => [status]))(
    "treats HTTP %d with an unknown code as transient for reads, ambiguous for writes",
    (statusCode) => {
      expect(classifyFacts({ code: "SomethingOdd", statusCode }, false)).toBe("transient");
      expect(classifyFacts({ code: "SomethingOdd", statusCode }, true)).toBe("ambiguous");
    },
  );

  it.each([...SOCKET_ERROR_CODES, ...UNCERTAIN_OUTCOME_CODES].map((code) => [code]))(
    "treats failure %s as transient for reads, ambiguous for writes",
    (code) => {
      expect(classifyFacts({ code }, false)).toBe("transient");
      expect(classifyFacts({ code }, true)).toBe("ambiguous");
    },
  );

  it.each<[string, FailureFacts, boolean, ErrorKind]>([
    ["HTTP 429 without a code", { code: "TooMany", statusCode: 429 }, true, "throttling"],
    ["a refused connection on a write (never sent)", { code: "ECONNREFUSED" }, true, "transient"],
    ["a temporary DNS failure on a write (never sent)", { code: "EAI_AGAIN" }, true, "transient"],
    [
      "unobtainable credentials on a write (never sent)",
      { code: "CredentialsUnavailable" },
      true,
      "transient",
    ],
    [
      "a proxy that would not open the tunnel, on a write (never sent)",
      { code: "ProxyConnectFailed" },
      true,
      "transient",
    ],
    ["an unknown host", { code: "ENOTFOUND" }, false, "fatal"],
    ["a bad signature", { code: "SignatureDoesNotMatch", statusCode: 400 }, false, "fatal"],
    ["an unknown AccessKey", { code: "InvalidAccessKeyId.NotFound", statusCode: 404 }, false, "fatal"],
    ["a missing parameter on a write", { code: "MissingParameter.Name", statusCode: 400 }, true, "fatal"],
    [
      "an unfinished job on a write",
      { code: "InvalidParameter.InvalidState", statusCode: 400 },
      true,
      "fatal",
    ],
    [
      "an unknown library on a write",
      { code: "InvalidParameter.ResourceNotFound", statusCode: 404 },
      true,
      "fatal",
    ],
    ["the library quota", { code: "QuotaExceeded.FpShotDB", statusCode: 403 }, true, "fatal"],
    ["an unknown action", { code: "InvalidAction.NotFound", statusCode: 404 }, false, "fatal"],
    ["a permission error", { code: "Forbidden.RAM", statusCode: 403 }, false, "fatal"],
    ["an unrecognised failure on a read", { code: "UnknownFailure" }, false, "fatal"],
    [
      "an unrecognised failure on a write (may have been sent)",
      { code: "UnknownFailure" },
      true,
      "ambiguous",
    ],
  ])("classifies %s as the table says", (_name, facts, write, kind) => {
    expect(classifyFacts(facts, write)).toBe(kind);
  });
});

describe("failureFacts", () => {
  it.each<[string, unknown, FailureFacts]>([
    [
      "an openapi-client ResponseError",
      responseError("Throttling.User", 400),
      { code: "Throttling.User", statusCode: 400 },
    ],
    ["an httpx timeout (no code)", timeoutError(), { code: "RequestTimeout" }],
    ["a socket reset", socketError("ECONNRESET"), { code: "ECONNRESET" }],
    ["a non-JSON body", new SyntaxError("Unexpected token '<'"), { code: "InvalidResponse" }],
    ["a non-object body", new Error("The value is not a object"), { code: "InvalidResponse" }],
    [
      "a ResponseError without Code",
      responseError("undefined", 500),
      { code: "UnknownFailure", statusCode: 500 },
    ],
    ["a plain string", "boom", { code: "UnknownFailure" }],
  ])("reads %s", (_name, error, facts) => {
    expect(failureFacts(error)).toEqual(facts);
  });
});

describe("classifyError", () => {
  it("keeps the kind an MpsApiError already carries", () => {
    const error = new MpsApiError("m", "SubmitFpDBDeleteJob", "InternalError", "ambiguous", 500);
    expect(classifyError(error, false)).toBe("ambiguous");
  });

  it("classifies raw SDK errors with the write flag", () => {
    expect(classifyError(timeoutError(), false)).toBe("transient");
    expect(classifyError(timeoutError(), true)).toBe("ambiguous");
    expect(classifyError(responseError("InvalidParameter", 400), false)).toBe("fatal");
  });
});

describe("isWriteAction", () => {
  it.each(READ_ACTIONS.map((action) => [action]))("treats %s as a read", (action) => {
    expect(isWriteAction(action)).toBe(false);
  });

  it.each([["CreateFpShotDB"], ["SubmitFpDBDeleteJob"], ["SomeFutureAction"]])(
    "treats %s as a write",
    (action) => {
      expect(isWriteAction(action)).toBe(true);
    },
  );
});
