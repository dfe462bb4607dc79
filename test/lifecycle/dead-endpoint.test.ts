/**
 * An endpoint where nothing listens (a stopped emulator, a stale port), through Pulumi's provider host: the
 * provider says at the first retry that it is retrying, before the error that ends the backoff.
 */
import * as net from "node:net";
import { LifecycleFixture } from "../support/lifecycle";
import { rejection } from "../support/thrown";

let fx: LifecycleFixture;
let deadEndpoint: string;

beforeAll(async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  deadEndpoint = `http://127.0.0.1:${port}`;
  fx = await LifecycleFixture.start({
    config: { "pulumi-mps-fpdb:endpoint": deadEndpoint, "pulumi-mps-fpdb:maxAttempts": "3" },
  });
});

afterAll(async () => {
  await fx.close();
});

it("says at the first retry that the endpoint refused, then fails naming it", async () => {
  const err = await rejection(fx.create("nowhere", {}));

  expect(err.message).toContain(`Nothing accepts connections at ${deadEndpoint}`);
  const retryLines = fx
    .output()
    .split("\n")
    .filter((line) => line.includes("retrying in"));
  expect(retryLines[0]).toMatch(
    new RegExp(
      `^\\[mps-fpdb\\] MPS CreateFpShotDB at ${deadEndpoint.replace(/\./g, "\\.")} failed with ECONNREFUSED on attempt 1 of 3; retrying in \\d+\\.\\d s$`,
    ),
  );
  // progressIntervalMs is 200 ms here and the backoff milliseconds: the later retries are counted, not each said.
  expect(retryLines.length).toBeLessThan(3);
});
