/**
 * The steps one MPS call passes through on its way to the wire, each a function of the next: the transport
 * composes them once, and each is tested alone with a stand-in for what comes after it.
 *
 * In the transport's order, outermost first:
 * 1. {@link credentialsFirst}: keys are obtained before anything else, so their failure is known to be unsent;
 * 2. {@link engineGate}: a write is refused once the engine is gone, and holds the host open while on the wire;
 * 3. {@link errorMapping}: whatever fails below becomes an `MpsApiError`;
 * 4. {@link wasItSent}: an unknown outcome is proven unsent when no connection was ever established;
 * 5. {@link connectionPolicy}: a write rides a connection of its own, and the call's connections are observed.
 */
import { MpsApiError } from "../errors";
import { beginWrite as processBeginWrite, EngineGoneError } from "../engine-watch";
import { markNotSent } from "../resilience/classify";
import { neverEstablished, withConnectionPolicy, type ConnectionFacts } from "./connections";
import { credentialsError, toMpsApiError, type CallContext } from "./error-mapping";

/** Code of the error for a write refused because the engine is gone (it was certainly not sent). */
export const ENGINE_GONE_CODE = "EngineGone";

/** One call on its way through the steps: what the error mapping needs, the query, and what steps learnt. */
export interface Call extends CallContext {
  readonly query: Readonly<Record<string, string>>;
  /** Set by {@link connectionPolicy} when the call enters it; read by {@link wasItSent} when the call failed. */
  connection?: ConnectionFacts;
}

/** Sends a call (through the steps after this one) and resolves to the parsed JSON body. */
export type Send = (call: Call) => Promise<Record<string, unknown>>;

/** One step: given what comes after it, how to send. */
export type Step = (next: Send) => Send;

/** The steps around `send`, the first one outermost. */
export function compose(steps: readonly Step[], send: Send): Send {
  return steps.reduceRight<Send>((next, step) => step(next), send);
}

/**
 * Asks the credential for keys before the call goes on. The SDK asks again right after; providers cache, so this
 * costs no second token exchange, and a failure here is one that certainly happened before anything was sent.
 */
export function credentialsFirst(credential: { getCredential(): Promise<unknown> }): Step {
  return (next) => async (call) => {
    try {
      await credential.getCredential();
    } catch (error) {
      throw credentialsError(error, call);
    }
    return next(call);
  };
}

/**
 * Lets a write through only while the engine that started this provider host is alive, and holds the host open
 * until the write is answered should the engine die meanwhile (see ../engine-watch). Reads pass untouched.
 * `beginWrite` is the process's engine watch unless a test gives its own.
 */
export function engineGate(beginWrite: (action: string) => () => void = processBeginWrite): Step {
  return (next) => async (call) => {
    if (!call.write) return next(call);
    let settled: () => void;
    try {
      settled = beginWrite(call.action);
    } catch (error) {
      if (error instanceof EngineGoneError)
        throw new MpsApiError(error.message, call.action, ENGINE_GONE_CODE, "fatal");
      throw error;
    }
    try {
      return await next(call);
    } finally {
      settled();
    }
  };
}

/** Turns anything thrown after it (SDK, httpx, socket, body check) into an `MpsApiError` (see ./error-mapping). */
export function errorMapping(): Step {
  return (next) => async (call) => {
    try {
      return await next(call);
    } catch (error) {
      throw toMpsApiError(error, call);
    }
  };
}

/**
 * The verdict on a failure whose outcome would be unknown (ambiguous): when no connection of the call was ever
 * established, no request byte left, so even a write was certainly not sent and may be sent again. Any other
 * failure is passed on as it came, for the error mapping.
 */
export function wasItSent(): Step {
  return (next) => async (call) => {
    try {
      return await next(call);
    } catch (error) {
      if (call.connection === undefined || !neverEstablished(call.connection)) throw error;
      if (toMpsApiError(error, call).kind !== "ambiguous") throw error;
      const notSent = toMpsApiError(markNotSent(error), call);
      throw notSent.withMessage(
        `${notSent.message} The connection to ${call.endpoint} was never established, so the request was not ` +
          "sent.",
      );
    }
  };
}

/**
 * Runs the rest of the call under the connection policy (see ./connections): a write gets a connection of its
 * own, never one that sat idle, and the facts about the call's connections land on `call.connection`.
 */
export function connectionPolicy(run: typeof withConnectionPolicy = withConnectionPolicy): Step {
  return (next) => (call) => {
    const { facts, result } = run(call.write, () => next(call));
    call.connection = facts;
    return result;
  };
}
