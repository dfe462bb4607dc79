/**
 * Errors the emulator answers with, as the real gateway shapes them
 * (docs/mps-api.md, 'Statuses and error codes' and 'Conventions'): `{RequestId, HostId, Code, Message,
 * Recommend}` with the HTTP status of the project conventions.
 */
export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Documented messages of codes that faults commonly inject. */
export const KNOWN_MESSAGES: Readonly<Record<string, string>> = {
  InternalError: "The operation has failed due to some unknown error, exception or failure.",
  ServiceUnavailable: "The request has failed due to a temporary failure of the server.",
  Throttling: "Request was denied due to request throttling.",
  "Throttling.User": "Request was denied due to user flow control.",
  "Throttling.Api": "Request was denied due to api flow control.",
};

/** The message a fault-injected error carries when its rule gives none. */
export function defaultMessageFor(code: string): string {
  return KNOWN_MESSAGES[code] ?? `The request failed with ${code} (injected by the MPS emulator).`;
}

/** Builders of every error the emulator answers with, named by situation; messages say what to do next. */
export const errors = {
  invalidAction: (action: string) =>
    new ApiError(
      404,
      "InvalidAction.NotFound",
      `Specified api "${action}" is not found, please check your url and method.`,
    ),
  missingAction: () =>
    new ApiError(
      400,
      "MissingParameter.Action",
      'The input parameter "Action" that is mandatory for processing this request is not supplied (send the x-acs-action header).',
    ),
  invalidVersion: (version: string | undefined, expected: string) =>
    new ApiError(
      400,
      "InvalidVersion",
      `Specified parameter Version "${version ?? ""}" is not valid; this API serves version ${expected}.`,
    ),
  incompleteSignature: (detail: string) =>
    new ApiError(
      400,
      "IncompleteSignature",
      `The request signature does not conform to Aliyun standards: ${detail}.`,
    ),
  signatureDoesNotMatch: () =>
    new ApiError(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."),
  contentHashMismatch: () =>
    new ApiError(
      400,
      "SignatureDoesNotMatch",
      "Specified signature is not matched with our calculation: x-acs-content-sha256 is not the SHA-256 of the request body.",
    ),
  accessKeyNotFound: () =>
    new ApiError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."),
  timestampFormat: (name: string, value: string) =>
    new ApiError(
      400,
      "InvalidTimeStamp.Format",
      `Specified time stamp or date value is not well formatted: ${name} "${value}" is not YYYY-MM-DDThh:mm:ssZ.`,
    ),
  timestampExpired: (
    name: string,
    value: string,
    serverTime: string,
    skewSeconds: number,
    maxSkewSeconds: number,
  ) =>
    new ApiError(
      400,
      "InvalidTimeStamp.Expired",
      `Specified time stamp or date value is expired: ${name} ${value} differs from the server time ${serverTime} by ${skewSeconds} s (limit ${maxSkewSeconds} s).`,
    ),
  nonceUsed: () => new ApiError(400, "SignatureNonceUsed", "Specified signature nonce was used already."),
  throttled: () => new ApiError(400, "Throttling.User", KNOWN_MESSAGES["Throttling.User"]!),
  internal: () => new ApiError(500, "InternalError", KNOWN_MESSAGES.InternalError!),
  missingParameter: (name: string) =>
    new ApiError(
      400,
      `MissingParameter.${name}`,
      `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
    ),
  invalidParameter: (name: string, detail: string) =>
    new ApiError(400, `InvalidParameter.${name}`, `The specified parameter "${name}" is invalid: ${detail}.`),
  quotaExceeded: (quota: number) =>
    new ApiError(
      403,
      "QuotaExceeded.FpShotDB",
      `The number of fingerprint libraries has reached the quota of this account (${quota}). Delete libraries you no longer need (SubmitFpDBDeleteJob with DelType Delete) or ask for a higher quota.`,
    ),
  libraryNotFound: (fpDbId: string) =>
    new ApiError(
      404,
      "InvalidParameter.ResourceNotFound",
      `The resource operated "${fpDbId}" cannot be found.`,
    ),
  purgeNotSupported: (fpDbId: string, modelId: number) =>
    new ApiError(
      400,
      "InvalidParameter.NotSupported",
      `DelType "Purge" is not supported for library "${fpDbId}" with ModelId ${modelId}: libraries with ModelId 11-14 accept only DelType "Delete".`,
    ),
  unfinishedJob: (fpDbId: string) =>
    new ApiError(
      400,
      "InvalidParameter.InvalidState",
      `Cannot submit a job for library "${fpDbId}": the library has an unfinished job. Wait until it finishes (QueryFpDBDeleteJobList), then submit again if still needed.`,
    ),
};

/** The JSON error body of the real gateway. */
export function errorBody(error: ApiError, requestId: string, hostId: string): Record<string, string> {
  return {
    RequestId: requestId,
    HostId: hostId,
    Code: error.code,
    Message: error.message,
    Recommend: `https://next.api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=Mts`,
  };
}
