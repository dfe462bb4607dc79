import { randomBytes, randomUUID } from "node:crypto";

/** A RequestId in the gateway's format: an upper-case GUID. */
export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

/** A library or job id in the service's format: 32 lower-case hex characters. */
export function newResourceId(): string {
  return randomBytes(16).toString("hex");
}
