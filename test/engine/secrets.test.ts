import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { decryptConfig, encryptConfig, passphraseFromEnv, WrongPassphraseError } from "../../harness/secrets";
import { readStackConfig } from "../../harness/stack-config";

describe("secret config in the state file", () => {
  it("round-trips under the passphrase and never holds the plaintext", () => {
    const stored = encryptConfig({ "alicloud:secretKey": "very-secret-value" }, "pass");
    expect(JSON.stringify(stored)).not.toContain("very-secret-value");
    expect(stored.values["alicloud:secretKey"]).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(decryptConfig(stored, "pass")).toEqual({ "alicloud:secretKey": "very-secret-value" });
  });

  it("refuses another passphrase, and a value moved to another key", () => {
    const stored = encryptConfig({ a: "one", b: "two" }, "pass");
    expect(() => decryptConfig(stored, "other")).toThrow(WrongPassphraseError);
    const swapped = { ...stored, values: { a: stored.values.b, b: stored.values.a } };
    expect(() => decryptConfig(swapped, "pass")).toThrow(WrongPassphraseError);
  });

  it("finds the passphrase as the Pulumi CLI does", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "passphrase-"));
    const file = path.join(dir, "p.txt");
    fs.writeFileSync(file, "from-file\n");
    expect(passphraseFromEnv({ PULUMI_CONFIG_PASSPHRASE: "", PULUMI_CONFIG_PASSPHRASE_FILE: file })).toBe("");
    expect(passphraseFromEnv({ PULUMI_CONFIG_PASSPHRASE_FILE: file })).toBe("from-file");
    expect(passphraseFromEnv({})).toBeUndefined();
    expect(() => passphraseFromEnv({ PULUMI_CONFIG_PASSPHRASE_FILE: path.join(dir, "missing") })).toThrow(
      /PULUMI_CONFIG_PASSPHRASE_FILE .*missing cannot be read/,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("Pulumi.<stack>.yaml", () => {
  it("namespaces bare keys with the project, passes structured values as JSON and lists secure keys", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-yaml-"));
    fs.writeFileSync(
      path.join(dir, "Pulumi.prod.yaml"),
      "config:\n  region: cn-shanghai\n  app:count: 3\n  app:tags:\n    - a\n  app:key:\n    secure: v1:abc\n",
    );
    expect(readStackConfig(dir, "prod", "app")).toEqual({
      file: path.join(dir, "Pulumi.prod.yaml"),
      config: { "app:region": "cn-shanghai", "app:count": "3", "app:tags": '["a"]' },
      secureKeys: ["app:key"],
    });
    expect(readStackConfig(dir, "dev", "app")).toEqual({ config: {}, secureKeys: [] });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
