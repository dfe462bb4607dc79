import {
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  startEmulator,
  type RunningEmulator,
} from "../../emulator";
import { sdkCaller, sdkError } from "../support/emulator";
import { acsDate, send, signV2, signV3 } from "./raw-request";

// GIVEN one emulator with the default account, WHEN requests arrive signed in every way the SDK signs them and
// in ways an attacker or a broken clock would, THEN the emulator accepts exactly the valid ones.
describe("emulator signature verification", () => {
  let emu: RunningEmulator;
  const keys = { accessKeyId: DEFAULT_ACCESS_KEY_ID, accessKeySecret: DEFAULT_ACCESS_KEY_SECRET };
  const awkward = "a b&c=d/é*()!'~ 指纹 +%";

  beforeAll(async () => {
    emu = await startEmulator({ quota: 1000, activateSeconds: 0 });
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.admin.reset());

  it("accepts V3 (ACS3-HMAC-SHA256) requests from openapi-client with params in the query", async () => {
    const call = sdkCaller({ host: emu.host });
    const answer = await call("CreateFpShotDB", { Name: "v3-lib" });
    expect(answer.statusCode).toBe(200);
    expect(emu.admin.requests().at(-1)).toMatchObject({ signatureVersion: "v3", status: 200 });
  });

  it("accepts V3 requests whose params travel in a signed form body", async () => {
    const call = sdkCaller({ host: emu.host });
    await call("CreateFpShotDB", {}, { Name: "form-lib", Description: awkward });
    expect(emu.admin.state().libraries).toEqual([
      expect.objectContaining({ name: "form-lib", description: awkward }),
    ]);
  });

  it("accepts legacy V2 (HMAC-SHA1) requests from openapi-client, query and form body", async () => {
    const call = sdkCaller({ host: emu.host, signatureAlgorithm: "v2" });
    await call("CreateFpShotDB", { Name: "v2-query" });
    await call("CreateFpShotDB", {}, { Name: "v2-body", Description: awkward });
    expect(emu.admin.state().libraries.map((l) => [l.name, l.description])).toEqual([
      ["v2-query", undefined],
      ["v2-body", awkward],
    ]);
    expect(emu.admin.requests().map((r) => r.signatureVersion)).toEqual(["v2", "v2"]);
  });

  it.each([["v3" as const], ["v2" as const]])(
    "round-trips UserData with spaces, &=/*()!'~ and multi-byte characters intact (%s)",
    async (version) => {
      const call = sdkCaller({ host: emu.host, signatureAlgorithm: version === "v2" ? "v2" : undefined });
      const fpDbId = emu.admin.seedLibrary({ name: "lib" });
      const submitted = await call("SubmitFpDBDeleteJob", {
        FpDBId: fpDbId,
        DelType: "Delete",
        UserData: awkward,
      });
      const listed = await call("QueryFpDBDeleteJobList", { JobIds: String(submitted.body.JobId) });
      expect(listed.body).toMatchObject({ FpDBDeleteJobList: { FpDBDeleteJob: [{ UserData: awkward }] } });
      expect(emu.admin.state().jobs[0]).toMatchObject({ userData: awkward, delType: "Delete" });
    },
  );

  it("accepts an STS request (x-acs-security-token signed) and keeps the token out of the request log", async () => {
    const call = sdkCaller({ host: emu.host, securityToken: "sts-token-value-123" });
    await call("ListFpShotDB", { FpDBIds: "x" });
    const logged = emu.admin.requests().at(-1)!;
    expect(logged.status).toBe(200);
    expect(logged.headers["x-acs-security-token"]).toBe("<redacted>");
    expect(JSON.stringify(emu.admin.requests())).not.toContain("sts-token-value-123");
  });

  it("rejects a wrong secret with 400 SignatureDoesNotMatch", async () => {
    const call = sdkCaller({ host: emu.host, accessKeySecret: "not-the-secret" });
    const error = await sdkError(call("ListFpShotDB", {}));
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe("SignatureDoesNotMatch");
    expect(error.data.Message).toBe("Specified signature is not matched with our calculation.");
  });

  it("rejects a wrong secret on V2 with 400 SignatureDoesNotMatch", async () => {
    const call = sdkCaller({ host: emu.host, accessKeySecret: "not-the-secret", signatureAlgorithm: "v2" });
    const error = await sdkError(call("ListFpShotDB", {}));
    expect([error.statusCode, error.code]).toEqual([400, "SignatureDoesNotMatch"]);
  });

  it.each([["v3" as const], ["v2" as const]])(
    "rejects an unknown AccessKeyId with 404 InvalidAccessKeyId.NotFound (%s)",
    async (version) => {
      const call = sdkCaller({
        host: emu.host,
        accessKeyId: "LTAI5tNobodyHasThisKey",
        signatureAlgorithm: version === "v2" ? "v2" : undefined,
      });
      const error = await sdkError(call("ListFpShotDB", {}));
      expect([error.statusCode, error.code, error.data.Message]).toEqual([
        404,
        "InvalidAccessKeyId.NotFound",
        "Specified access key is not found.",
      ]);
    },
  );

  it("accepts a raw V3 request signed by an independent signer", async () => {
    const raw = signV3({ ...keys, host: emu.host, action: "CreateFpShotDB", query: { Name: awkward } });
    const answer = await send(emu.port, raw);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ FpShotDB: { Name: awkward, State: "active" } });
  });

  it("hashes a chunked body exactly as sent", async () => {
    const raw = signV3({
      ...keys,
      host: emu.host,
      action: "CreateFpShotDB",
      form: { Name: "chunked " + awkward },
    });
    const answer = await send(emu.port, { ...raw, chunked: true });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ FpShotDB: { Name: "chunked " + awkward } });
  });

  it("rejects a tampered query value with 400 SignatureDoesNotMatch", async () => {
    const raw = signV3({ ...keys, host: emu.host, action: "CreateFpShotDB", query: { Name: "good" } });
    const answer = await send(emu.port, { ...raw, path: raw.path.replace("good", "evil") });
    expect(answer.status).toBe(400);
    expect(answer.body.Code).toBe("SignatureDoesNotMatch");
    expect(emu.admin.state().libraries).toEqual([]);
  });

  it("rejects an added query parameter with 400 SignatureDoesNotMatch", async () => {
    const raw = signV3({ ...keys, host: emu.host, action: "CreateFpShotDB", query: { Name: "good" } });
    const answer = await send(emu.port, { ...raw, path: `${raw.path}&ModelId=12` });
    expect([answer.status, answer.body.Code]).toEqual([400, "SignatureDoesNotMatch"]);
  });

  it("verifies a re-encoded but equal query (the signature covers decoded values, not the raw text)", async () => {
    const raw = signV3({ ...keys, host: emu.host, action: "CreateFpShotDB", query: { Name: "a~b" } });
    const answer = await send(emu.port, { ...raw, path: raw.path.replace("a~b", "a%7Eb") });
    expect(answer.status).toBe(200);
  });

  it("rejects a tampered body (hash no longer matches x-acs-content-sha256) with 400 SignatureDoesNotMatch", async () => {
    const raw = signV3({ ...keys, host: emu.host, action: "CreateFpShotDB", form: { Name: "good" } });
    const answer = await send(emu.port, { ...raw, body: Buffer.from("Name=evil") });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      Code: "SignatureDoesNotMatch",
      Message:
        "Specified signature is not matched with our calculation: x-acs-content-sha256 is not the SHA-256 of the request body.",
    });
    expect(emu.admin.state().libraries).toEqual([]);
  });

  it("rejects a tampered V2 parameter with 400 SignatureDoesNotMatch", async () => {
    const raw = signV2({ ...keys, host: emu.host, action: "CreateFpShotDB", params: { Name: "good" } });
    const answer = await send(emu.port, { ...raw, path: raw.path.replace("Name=good", "Name=evil") });
    expect([answer.status, answer.body.Code]).toEqual([400, "SignatureDoesNotMatch"]);
  });

  it("rejects a date older than the allowed skew with 400 InvalidTimeStamp.Expired", async () => {
    const stale = acsDate(Date.now() - 16 * 60 * 1000);
    const answer = await send(
      emu.port,
      signV3({ ...keys, host: emu.host, action: "ListFpShotDB", date: stale }),
    );
    expect(answer.status).toBe(400);
    expect(answer.body.Code).toBe("InvalidTimeStamp.Expired");
    expect(answer.body.Message).toMatch(
      new RegExp(
        `^Specified time stamp or date value is expired: x-acs-date ${stale} differs from the server time .* by 9\\d\\d s \\(limit 900 s\\)\\.$`,
      ),
    );
  });

  it("rejects a stale V2 Timestamp with 400 InvalidTimeStamp.Expired", async () => {
    const stale = acsDate(Date.now() + 20 * 60 * 1000);
    const answer = await send(
      emu.port,
      signV2({ ...keys, host: emu.host, action: "ListFpShotDB", timestamp: stale }),
    );
    expect([answer.status, answer.body.Code]).toEqual([400, "InvalidTimeStamp.Expired"]);
  });

  it("rejects a malformed date with 400 InvalidTimeStamp.Format", async () => {
    const raw = signV3({
      ...keys,
      host: emu.host,
      action: "ListFpShotDB",
      date: "Tue, 24 Nov 2026 05:00:00 GMT",
    });
    const answer = await send(emu.port, raw);
    expect([answer.status, answer.body.Code]).toEqual([400, "InvalidTimeStamp.Format"]);
  });

  it("rejects a replayed request (nonce reused) with 400 SignatureNonceUsed", async () => {
    const raw = signV3({ ...keys, host: emu.host, action: "CreateFpShotDB", query: { Name: "once" } });
    expect((await send(emu.port, raw)).status).toBe(200);
    const replay = await send(emu.port, raw);
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({
      Code: "SignatureNonceUsed",
      Message: "Specified signature nonce was used already.",
    });
    expect(emu.admin.state().libraries).toHaveLength(1);
  });

  it("rejects a reused V2 SignatureNonce with 400 SignatureNonceUsed", async () => {
    const first = signV2({ ...keys, host: emu.host, action: "ListFpShotDB", nonce: "fixed-nonce" });
    const second = signV2({
      ...keys,
      host: emu.host,
      action: "QueryFpDBDeleteJobList",
      nonce: "fixed-nonce",
    });
    expect((await send(emu.port, first)).status).toBe(200);
    expect((await send(emu.port, second)).body.Code).toBe("SignatureNonceUsed");
  });

  it("does not burn a nonce on a request whose signature is wrong", async () => {
    const bad = signV3({
      ...keys,
      accessKeySecret: "wrong",
      host: emu.host,
      action: "ListFpShotDB",
      nonce: "n-1",
    });
    const good = signV3({ ...keys, host: emu.host, action: "ListFpShotDB", nonce: "n-1" });
    expect((await send(emu.port, bad)).body.Code).toBe("SignatureDoesNotMatch");
    expect((await send(emu.port, good)).status).toBe(200);
  });

  it("rejects a request that does not sign a required header with 400 IncompleteSignature", async () => {
    const raw = signV3({ ...keys, host: emu.host, action: "ListFpShotDB" });
    const authorization = raw.headers
      .authorization!.replace("x-acs-signature-nonce;", "")
      .replace(/Signature=[0-9a-f]+/, "Signature=00");
    const answer = await send(emu.port, { ...raw, headers: { ...raw.headers, authorization } });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      Code: "IncompleteSignature",
      Message:
        "The request signature does not conform to Aliyun standards: the header x-acs-signature-nonce is not in SignedHeaders.",
    });
  });

  it("rejects an unsigned request with 400 IncompleteSignature", async () => {
    const answer = await send(emu.port, {
      method: "POST",
      path: "/",
      headers: { host: emu.host, "x-acs-action": "ListFpShotDB", "x-acs-version": "2014-06-18" },
      body: Buffer.alloc(0),
    });
    expect([answer.status, answer.body.Code]).toEqual([400, "IncompleteSignature"]);
  });

  it("keeps signatures out of the request log while recording everything else", async () => {
    const call = sdkCaller({ host: emu.host });
    await call("ListFpShotDB", { FpDBIds: "abc" });
    const v2 = sdkCaller({ host: emu.host, signatureAlgorithm: "v2" });
    await v2("ListFpShotDB", { FpDBIds: "abc" });
    const [v3Request, v2Request] = emu.admin.requests();
    expect(v3Request!.headers.authorization).toMatch(
      /^ACS3-HMAC-SHA256 Credential=LTAI5tEmulatorDefaultKey,SignedHeaders=[a-z0-9;-]+,Signature=<redacted>$/,
    );
    expect(v2Request!.query).toMatchObject({
      FpDBIds: "abc",
      Signature: "<redacted>",
      AccessKeyId: DEFAULT_ACCESS_KEY_ID,
    });
    expect(JSON.stringify(emu.admin.requests())).not.toContain(DEFAULT_ACCESS_KEY_SECRET);
  });
});
