import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { UNKNOWN } from "../../../core/values";
import {
  fromStruct,
  isSecret,
  markSecret,
  reveal,
  secret,
  SECRET_SIG,
  SIG_KEY,
  toStruct,
  unwrap,
} from "../../../plugin/properties";

describe("plugin properties", () => {
  it("knows the engine's secret envelope and reveals secrets at any depth", () => {
    expect(secret("x")).toEqual({ [SIG_KEY]: SECRET_SIG, value: "x" });
    expect(isSecret(secret(1))).toBe(true);
    expect(isSecret({ value: 1 })).toBe(false);
    expect(reveal({ a: [secret({ b: secret("c") })] })).toEqual({ a: [{ b: "c" }] });
  });

  it("names the top-level keys that held a secret and marks them again", () => {
    const { plain, secretKeys } = unwrap({ a: "1", b: secret("2"), c: { d: secret(3) }, e: null });
    expect(plain).toEqual({ a: "1", b: "2", c: { d: 3 }, e: null });
    expect([...secretKeys].sort()).toEqual(["b", "c"]);
    const marked = markSecret({ ...plain, f: "absent from the keys" }, [...secretKeys, "missing", "e"]);
    expect(marked.b).toEqual(secret("2"));
    expect(marked.c).toEqual(secret({ d: 3 }));
    expect(marked.a).toBe("1");
    expect(marked.e).toBeNull();
    expect(marked).not.toHaveProperty("missing");
    expect(markSecret({ b: secret("2") }, ["b"]).b).toEqual(secret("2"));
  });

  it("carries the unknown value and leaves undefined members out of a Struct", () => {
    const struct = toStruct({ a: UNKNOWN, b: undefined, c: [1, undefined], d: { e: true } });
    expect(fromStruct(struct)).toEqual({ a: UNKNOWN, c: [1, null], d: { e: true } });
    expect(fromStruct(undefined)).toBeUndefined();
    expect(fromStruct(new Struct())).toEqual({});
  });
});
