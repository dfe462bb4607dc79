import { makeUrn, parseUrn } from "../../harness/urn";
import {
  canonicalJson,
  containsUnknown,
  markSecrets,
  SECRET_SIG,
  SIG_KEY,
  stripSecrets,
  toStruct,
  UNKNOWN,
  fromStruct,
  wrapSecret,
} from "../../harness/wire";

describe("wire encodings", () => {
  it("uses the SDK's constants for unknowns and secrets", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const rpc = require("@pulumi/pulumi/runtime/rpc");
    expect(UNKNOWN).toBe(rpc.unknownValue);
    expect(SIG_KEY).toBe(rpc.specialSigKey);
    expect(SECRET_SIG).toBe(rpc.specialSecretSig);
  });

  it("strips secrets and names the top-level keys that held one, nested ones included", () => {
    const props = { a: wrapSecret("s"), b: { inner: wrapSecret(1) }, c: "plain" };
    expect(stripSecrets(props)).toEqual({
      plain: { a: "s", b: { inner: 1 }, c: "plain" },
      secretKeys: ["a", "b"],
    });
  });

  it("marks outputs secret by key without wrapping twice", () => {
    expect(markSecrets({ a: "s", b: wrapSecret("t"), c: 1 }, ["a", "b", "missing"])).toEqual({
      a: wrapSecret("s"),
      b: wrapSecret("t"),
      c: 1,
    });
  });

  it("round-trips property bags through google.protobuf.Struct", () => {
    const props = { s: "x", n: 1.5, b: true, z: null, list: [1, "a"], nested: { k: wrapSecret("v") } };
    expect(fromStruct(toStruct(props))).toEqual(props);
  });

  it("finds unknowns anywhere in a value and compares canonically", () => {
    expect(containsUnknown({ a: [{ b: UNKNOWN }] })).toBe(true);
    expect(containsUnknown({ a: ["known"] })).toBe(false);
    expect(canonicalJson({ b: 1, a: { d: 1, c: 2 } })).toBe('{"a":{"c":2,"d":1},"b":1}');
  });
});

describe("URNs", () => {
  it("builds URNs like the engine: no stack type in the chain, parents' types joined with $", () => {
    const stackUrn = makeUrn("dev", "proj", "pulumi:pulumi:Stack", "proj-dev");
    expect(makeUrn("dev", "proj", "pkg:m:T", "a", stackUrn)).toBe("urn:pulumi:dev::proj::pkg:m:T::a");
    const comp = makeUrn("dev", "proj", "my:c:Comp", "c");
    expect(makeUrn("dev", "proj", "pkg:m:T", "a", comp)).toBe("urn:pulumi:dev::proj::my:c:Comp$pkg:m:T::a");
  });

  it("parses names that contain :: and rejects text that is not a URN", () => {
    expect(parseUrn("urn:pulumi:dev::proj::a:b:C$pkg:m:T::x::y")).toEqual({
      stack: "dev",
      project: "proj",
      qualifiedType: "a:b:C$pkg:m:T",
      type: "pkg:m:T",
      name: "x::y",
    });
    expect(() => parseUrn("pkg:m:T")).toThrow(
      'not a Pulumi URN: "pkg:m:T" (expected urn:pulumi:stack::project::type::name)',
    );
  });
});
