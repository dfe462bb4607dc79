/**
 * BASELINE FOR BENCHMARKS ONLY — not part of the package, not exported, not for use.
 *
 * A dynamic provider written the straightforward way Pulumi's documentation example would: a new SDK client for
 * every call, submit the job, then poll that one job every 5 seconds, and on throttling sleep a fixed second and
 * try again. bench/scenarios/naive.ts runs it side by side with FingerprintLibrary to measure what the shared rate
 * limiter, batched polling and backoff buy.
 */
import type * as pulumi from "@pulumi/pulumi";
// `import = require` rather than `import * as`: the harness compiles programs with tsx, whose namespace import
// is a copy of the module made of getters that Pulumi's closure serializer breaks ("$Util.RuntimeOptions is not
// a constructor" in the host). The module object itself is serialized as a require() of the package, which is
// also what the Pulumi CLI's ts-node produces for the `import * as` form.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import $OpenApi = require("@alicloud/openapi-client");
// eslint-disable-next-line @typescript-eslint/no-require-imports
import $Util = require("@alicloud/tea-util");
import { MPS_RPC_PARAMS } from "../../test/support/mps-rpc";

const POLL_EVERY_MS = 5000;
const THROTTLE_SLEEP_MS = 1000;

async function call(action: string, query: Record<string, string>): Promise<Record<string, unknown>> {
  const endpoint = new URL(process.env.NAIVE_MPS_ENDPOINT ?? "");
  const client = new $OpenApi.default(
    new $OpenApi.Config({
      accessKeyId: process.env.NAIVE_ACCESS_KEY_ID,
      accessKeySecret: process.env.NAIVE_ACCESS_KEY_SECRET,
      endpoint: endpoint.host,
      protocol: endpoint.protocol.replace(":", ""),
    }),
  );
  const params = new $OpenApi.Params({ action, ...MPS_RPC_PARAMS });
  for (;;) {
    try {
      const res = await client.callApi(
        params,
        new $OpenApi.OpenApiRequest({ query }),
        new $Util.RuntimeOptions({}),
      );
      return res.body as Record<string, unknown>;
    } catch (err) {
      if (String((err as { code?: string }).code ?? "").startsWith("Throttling")) {
        await new Promise((r) => setTimeout(r, THROTTLE_SLEEP_MS));
        continue;
      }
      throw err;
    }
  }
}

/** The naive provider: create, and delete with one job poll loop per resource. */
export const naiveProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    const body = await call("CreateFpShotDB", { Name: String(inputs.libraryName) });
    const library = body.FpShotDB as { FpDBId: string };
    return { id: library.FpDBId, outs: { ...inputs, fpDbId: library.FpDBId } };
  },
  async delete(id) {
    const body = await call("SubmitFpDBDeleteJob", { FpDBId: id, DelType: "Delete" });
    const jobId = String(body.JobId);
    for (;;) {
      await new Promise((r) => setTimeout(r, POLL_EVERY_MS));
      const list = await call("QueryFpDBDeleteJobList", { JobIds: jobId });
      const jobs = (list.FpDBDeleteJobList as { FpDBDeleteJob: { Status: string }[] }).FpDBDeleteJob;
      const status = jobs[0]?.Status;
      if (status === "Success") return;
      if (status === "Fail") throw new Error(`Delete job ${jobId} failed`);
    }
  },
};
