import { NonceCache, NONCE_WINDOW_MS } from "../../emulator/signing/nonces";
import { canonicalParams, decodeParams, rfc3986 } from "../../emulator/signing/rfc3986";
import { canonicalRequest } from "../../emulator/signing/v3";
import type { WireRequest } from "../../emulator/signing/wire";
import { parseSignedTime } from "../../emulator/time";

// The pure pieces of signature verification, checked against the captured example in
// docs/mps-api.md, 'V3 signature'.
describe("emulator canonicalization", () => {
  it("encodes like Alibaba's signers: RFC 3986 plus ! ' ( ) *, with ~ literal", () => {
    expect(rfc3986("a b&c=d/é*()!'~")).toBe("a%20b%26c%3Dd%2F%C3%A9%2A%28%29%21%27~");
  });

  it("decodes the wire query before re-encoding, so %20, + and literal characters all canonicalize alike", () => {
    const forms = ["UserData=a%20b%2A", "UserData=a+b*", "UserData=a%20b%2a"];
    const canonical = forms.map((q) => canonicalParams(decodeParams(q)));
    expect(new Set(canonical)).toEqual(new Set(["UserData=a%20b%2A"]));
  });

  it("sorts by encoded name, then value, and keeps empty values as k=", () => {
    expect(
      canonicalParams([
        ["b", "2"],
        ["a", ""],
        ["B", "x"],
        ["a", "1"],
      ]),
    ).toBe("B=x&a=&a=1&b=2");
  });

  it("rebuilds the canonical request captured from openapi-client 0.4.15 (docs/mps-api.md)", () => {
    const wire: WireRequest = {
      method: "POST",
      path: "/",
      query: decodeParams(
        "FpDBId=88c6abcd&DelType=Delete&UserData=a%20b%26c%3Dd%2F%C3%A9*()!%27~&PipelineId=fb710000",
      ),
      body: Buffer.alloc(0),
      form: [],
      headers: {
        host: ["127.0.0.1:39661"],
        "x-acs-version": ["2014-06-18"],
        "x-acs-action": ["SubmitFpDBDeleteJob"],
        "user-agent": ["AlibabaCloud"],
        "x-acs-date": ["2026-11-24T04:03:40Z"],
        "x-acs-signature-nonce": ["29b5b80acab33c05929b53de5cc97eb9"],
        accept: ["application/json"],
        "x-acs-content-sha256": ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
        "x-acs-credentials-provider": ["static_ak"],
      },
    };
    const signed = [
      "host",
      "x-acs-action",
      "x-acs-content-sha256",
      "x-acs-credentials-provider",
      "x-acs-date",
      "x-acs-signature-nonce",
      "x-acs-version",
    ];
    expect(
      canonicalRequest(wire, signed, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ).toBe(
      [
        "POST",
        "/",
        "DelType=Delete&FpDBId=88c6abcd&PipelineId=fb710000&UserData=a%20b%26c%3Dd%2F%C3%A9%2A%28%29%21%27~",
        "host:127.0.0.1:39661",
        "x-acs-action:SubmitFpDBDeleteJob",
        "x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "x-acs-credentials-provider:static_ak",
        "x-acs-date:2026-11-24T04:03:40Z",
        "x-acs-signature-nonce:29b5b80acab33c05929b53de5cc97eb9",
        "x-acs-version:2014-06-18",
        "",
        "host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      ].join("\n"),
    );
  });

  it("joins the sorted, trimmed values of a repeated signed header with commas", () => {
    const wire: WireRequest = {
      method: "POST",
      path: "/",
      query: [],
      body: Buffer.alloc(0),
      form: [],
      headers: { host: ["h"], "x-acs-extra": [" b ", "a"] },
    };
    expect(canonicalRequest(wire, ["host", "x-acs-extra"], "p")).toBe(
      "POST\n/\n\nhost:h\nx-acs-extra:a,b\n\nhost;x-acs-extra\np",
    );
  });

  it.each([
    ["2026-11-24T04:03:40Z", Date.UTC(2026, 10, 24, 4, 3, 40)],
    ["2026-11-24T04:03:40.250Z", Date.UTC(2026, 10, 24, 4, 3, 40, 250)],
    ["2026-02-30T00:00:00Z", undefined],
    ["2026-11-24 04:03:40", undefined],
    ["2026-11-24T04:03:40+08:00", undefined],
  ])("parses the signed time %s", (value, expected) => {
    expect(parseSignedTime(value)).toBe(expected);
  });

  describe("nonce cache", () => {
    it("refuses a nonce inside the 15-minute window and forgets it afterwards", () => {
      const nonces = new NonceCache();
      expect(nonces.use("AK", "n", 0)).toBe(true);
      expect(nonces.use("AK", "n", NONCE_WINDOW_MS - 1)).toBe(false);
      expect(nonces.use("OTHER-AK", "n", 1)).toBe(true);
      expect(nonces.use("AK", "n", NONCE_WINDOW_MS)).toBe(true);
    });

    it("stays bounded: expired nonces are dropped as time passes", () => {
      const nonces = new NonceCache();
      for (let i = 0; i < 1000; i++) nonces.use("AK", `n${i}`, i);
      expect(nonces.size).toBe(1000);
      nonces.use("AK", "late", NONCE_WINDOW_MS + 500);
      expect(nonces.size).toBe(500);
    });
  });
});
