/**
 * A library created and destroyed through an HTTPS proxy, end to end: Pulumi's real dynamic-provider host, the
 * real SDK, `HTTPS_PROXY` with credentials, a CONNECT proxy on 127.0.0.1 that tunnels (never to the host asked
 * for) to a local TLS front with a certificate for `mts.cn-hangzhou.aliyuncs.com` made at test time, and the
 * emulator behind it. The host trusts that certificate through `NODE_EXTRA_CA_CERTS`, which Node only reads at
 * start-up: that is why this runs in the host process and not in jest's. Nothing leaves this machine.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { DEFAULT_ACCESS_KEY_SECRET } from "../../emulator";
import { basicProxyAuthorization, startConnectProxy, type ConnectProxy } from "../support/connect-proxy";
import { LifecycleFixture } from "../support/lifecycle";
import { selfSignedCertificate, startTlsFront, type TlsFront } from "../support/tls-front";

const MTS_HOST = "mts.cn-hangzhou.aliyuncs.com";
const DNS_GUARD = path.join(__dirname, "..", "support", "dns-guard-preload.cjs");
const PROXY_USER = "svc-proxy";
const PROXY_PASSWORD = "proxy-PASSWORD-roundtrip";

let dir: string;
let front: TlsFront;
let proxy: ConnectProxy;
let fx: LifecycleFixture;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mps-fpdb-proxy-"));
  const certificate = await selfSignedCertificate(MTS_HOST);
  const caFile = path.join(dir, "test-only-ca.pem");
  await writeFile(caFile, certificate.cert);
  // The front forwards to the emulator, which the fixture starts below; it is only asked once a request comes.
  front = await startTlsFront(certificate, () => fx.emulator.port);
  proxy = await startConnectProxy({ kind: "tunnel", port: () => front.port });
  const proxyUrl = proxy.url({ user: PROXY_USER, password: PROXY_PASSWORD });
  fx = await LifecycleFixture.start({
    config: { "pulumi-mps-fpdb:endpoint": `https://${MTS_HOST}` },
    env: {
      // Both spellings, as proxy-from-env prefers the lower-case one and the machine may have either set.
      HTTPS_PROXY: proxyUrl,
      https_proxy: proxyUrl,
      ALL_PROXY: "",
      all_proxy: "",
      // The host's own gRPC traffic with the test engine is loopback and must not be sent to the proxy.
      NO_PROXY: "127.0.0.1,localhost",
      no_proxy: "127.0.0.1,localhost",
      NODE_EXTRA_CA_CERTS: caFile,
      // Refuses any DNS lookup of a real name in the host: a request that skipped the proxy fails here.
      NODE_OPTIONS: `--require ${DNS_GUARD}`,
    },
  });
});

afterAll(async () => {
  await fx?.close();
  await proxy?.close();
  await front?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("through an HTTPS proxy", () => {
  it("creates and destroys a library, every request through the proxy's tunnel, with no secret in the output", async () => {
    const lib = await fx.create("proxied", { description: "via the proxy" });
    expect(lib.outputs).toMatchObject({ fpDbId: lib.id, status: "active", libraryName: "proxied" });
    await fx.delete(lib);
    expect(fx.emulator.admin.state().libraries.find((l) => l.fpDbId === lib.id)).toMatchObject({
      status: "deleted",
      deleted: true,
    });

    // Every API request went through a CONNECT to the MPS host, authenticated, and TLS carried its name.
    expect(proxy.connects.length).toBeGreaterThan(0);
    for (const connect of proxy.connects) {
      expect(connect).toEqual({
        target: `${MTS_HOST}:443`,
        proxyAuthorization: basicProxyAuthorization(PROXY_USER, PROXY_PASSWORD),
      });
    }
    expect(proxy.plainRequests).toEqual([]);
    expect(new Set(front.serverNames)).toEqual(new Set([MTS_HOST]));

    // The emulator checked each V3 signature over the host header the client signed: the aliyuncs name.
    const requests = fx.emulator.admin.requests();
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) {
      expect(request).toMatchObject({ signatureVersion: "v3", status: 200, headers: { host: MTS_HOST } });
    }

    const output = await fx.waitForOutput(`Requests to ${MTS_HOST} go through the proxy`);
    expect(output).toContain(
      `[mps-fpdb] Requests to ${MTS_HOST} go through the proxy http://127.0.0.1:${proxy.port}`,
    );
    expect(output).not.toContain("DNS-GUARD");
    expect(output).not.toContain(DEFAULT_ACCESS_KEY_SECRET);
    expect(output).not.toContain(PROXY_PASSWORD);
    expect(output).not.toContain(basicProxyAuthorization(PROXY_USER, PROXY_PASSWORD).slice("Basic ".length));
    expect(fx.provider).not.toContain(PROXY_PASSWORD);
  });
});
