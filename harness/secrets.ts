/**
 * Secret config kept in the state file the way Pulumi's passphrase secrets provider keeps it: encrypted with
 * AES-256-GCM under a key derived from a passphrase (here scrypt; Pulumi uses PBKDF2), so `destroy` and
 * `refresh` can configure the provider with the values of the last update without the file revealing them.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";

/** Secret config values as stored. */
export interface EncryptedConfig {
  kdf: "scrypt";
  /** Base64 salt of the key derivation. */
  salt: string;
  /** Key -> `v1:<base64 iv>:<base64 ciphertext and tag>`. */
  values: Record<string, string>;
}

const SCRYPT = { N: 1 << 14, r: 8, p: 1 };
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Thrown when the passphrase does not open the stored values. */
export class WrongPassphraseError extends Error {}

function deriveKey(passphrase: string, salt: Buffer): Buffer {
  return crypto.scryptSync(passphrase, salt, KEY_BYTES, SCRYPT);
}

/** Encrypts `values` under `passphrase`; the key name is authenticated with its value. */
export function encryptConfig(values: Record<string, string>, passphrase: string): EncryptedConfig {
  const salt = crypto.randomBytes(16);
  const key = deriveKey(passphrase, salt);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(Buffer.from(name, "utf8"));
    const body = Buffer.concat([cipher.update(value, "utf8"), cipher.final(), cipher.getAuthTag()]);
    out[name] = `v1:${iv.toString("base64")}:${body.toString("base64")}`;
  }
  return { kdf: "scrypt", salt: salt.toString("base64"), values: out };
}

/** Decrypts what {@link encryptConfig} stored. Throws {@link WrongPassphraseError} for another passphrase. */
export function decryptConfig(stored: EncryptedConfig, passphrase: string): Record<string, string> {
  const key = deriveKey(passphrase, Buffer.from(stored.salt, "base64"));
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(stored.values)) {
    const [version, iv, body] = text.split(":");
    if (version !== "v1" || !iv || !body)
      throw new Error(`stored secret \`${name}\` is not in the v1 format`);
    const data = Buffer.from(body, "base64");
    const decipher = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"));
    decipher.setAAD(Buffer.from(name, "utf8"));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    try {
      out[name] = Buffer.concat([
        decipher.update(data.subarray(0, data.length - TAG_BYTES)),
        decipher.final(),
      ]).toString("utf8");
    } catch {
      throw new WrongPassphraseError("wrong passphrase");
    }
  }
  return out;
}

/**
 * The passphrase as the Pulumi CLI finds it: `PULUMI_CONFIG_PASSPHRASE`, else the file named by
 * `PULUMI_CONFIG_PASSPHRASE_FILE`. Undefined when neither is set.
 */
export function passphraseFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) return env.PULUMI_CONFIG_PASSPHRASE;
  const file = env.PULUMI_CONFIG_PASSPHRASE_FILE;
  if (!file) return undefined;
  try {
    return fs.readFileSync(file, "utf8").replace(/\r?\n$/, "");
  } catch (err) {
    throw new Error(
      `PULUMI_CONFIG_PASSPHRASE_FILE ${file} cannot be read (${(err as Error).message}); fix the path or unset it`,
    );
  }
}

/**
 * Encrypts and decrypts secret values in the state file under one key derived from the passphrase and the
 * state's salt, as the engine keeps secret resource properties as `ciphertext` in its checkpoints.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** A new random salt, base64. */
  static newSalt(): string {
    return crypto.randomBytes(16).toString("base64");
  }

  static derive(passphrase: string, salt: string): SecretBox {
    return new SecretBox(deriveKey(passphrase, Buffer.from(salt, "base64")));
  }

  /** `v1:<iv>:<ciphertext and tag>` of the value's JSON. */
  seal(value: unknown): string {
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([
      cipher.update(JSON.stringify(value), "utf8"),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return `v1:${iv.toString("base64")}:${body.toString("base64")}`;
  }

  /** The value {@link seal} encrypted. Throws {@link WrongPassphraseError} for another key. */
  unseal(text: string): unknown {
    const [version, iv, body] = text.split(":");
    if (version !== "v1" || !iv || !body)
      throw new Error("a secret in the state file is not in the v1 format");
    const data = Buffer.from(body, "base64");
    const decipher = crypto.createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64"));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    try {
      const plain = Buffer.concat([
        decipher.update(data.subarray(0, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return JSON.parse(plain.toString("utf8")) as unknown;
    } catch {
      throw new WrongPassphraseError("wrong passphrase");
    }
  }
}
