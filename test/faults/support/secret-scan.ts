/**
 * Collects everything a run exposes (state files, host and program output, error messages, the requests the
 * emulator received) and finds the AccessKey secret in any of it, also in its base64 and percent-encoded forms.
 */
import * as fs from "node:fs";
import type { RecordedRequest } from "../../../emulator";

/** One text that contained the secret. */
export interface Leak {
  /** Where the text came from, e.g. `state file /tmp/x/stack.json after destroy`. */
  source: string;
  /** The text around the first occurrence, the secret itself masked. */
  excerpt: string;
}

/** Texts gathered over a test file, scanned once at the end. */
export class SecretScan {
  private readonly texts: { source: string; text: string }[] = [];
  /** The AccessKeyIds that signed the scanned requests: proof the secret was in use. */
  readonly signers = new Set<string>();

  /** How many texts were gathered: a scan of nothing proves nothing. */
  get size(): number {
    return this.texts.length;
  }

  add(source: string, text: string): void {
    this.texts.push({ source, text });
  }

  addLines(source: string, lines: readonly string[]): void {
    this.add(source, lines.join("\n"));
  }

  /** The file's content, when it exists. */
  addFile(source: string, file: string): void {
    if (fs.existsSync(file)) this.add(source, fs.readFileSync(file, "utf8"));
  }

  /** Every recorded request as the emulator saw it (the signature is already redacted by the emulator). */
  addRequests(source: string, requests: readonly RecordedRequest[]): void {
    this.add(source, JSON.stringify(requests));
    for (const r of requests) this.signers.add(r.accessKeyId ?? "(unsigned)");
  }

  /** Every gathered text that holds `secret` in plain, base64 or percent-encoded form. */
  find(secret: string): Leak[] {
    const forms = [...new Set([secret, Buffer.from(secret).toString("base64"), encodeURIComponent(secret)])];
    const leaks: Leak[] = [];
    for (const { source, text } of this.texts) {
      const form = forms.find((f) => text.includes(f));
      if (form === undefined) continue;
      const at = text.indexOf(form);
      const excerpt = text
        .slice(Math.max(0, at - 80), at + form.length + 80)
        .split(form)
        .join("<SECRET>");
      leaks.push({ source, excerpt });
    }
    return leaks;
  }
}
