import { parseIni } from "../../../core/config/ini";

describe("parseIni (the ini package, as @alicloud/credentials reads the file)", () => {
  it("reads sections, trims keys and values, drops comments and quotes", () => {
    const text = [
      "; comment",
      "# another",
      "[default]",
      "type = access_key",
      "access_key_id=LTAI",
      'access_key_secret = "quoted"',
      "",
      "[ dev ]",
      "role_arn = acs:ram::1:role/x",
      "policy = a=b",
      "novalue",
    ].join("\r\n");
    expect(parseIni(text)).toEqual({
      default: { type: "access_key", access_key_id: "LTAI", access_key_secret: "quoted" },
      dev: { role_arn: "acs:ram::1:role/x", policy: "a=b", novalue: "true" },
    });
  });

  it('keeps keys before the first section under ""', () => {
    expect(parseIni("a = 1\n[s]\nb = 2")).toEqual({ "": { a: "1" }, s: { b: "2" } });
  });

  it("nests a dotted section name as the SDK does, so it is no profile of that name", () => {
    expect(parseIni("[team.dev]\ntype = access_key")).toEqual({ team: {} });
  });
});
