/**
 * Where JSON text goes wrong. `JSON.parse` decides validity; this scanner only locates the first error, because
 * V8's messages do not always carry a position (`Unexpected token ']', "[1,]" is not valid JSON`).
 */

/** The first syntax error of a JSON text. */
export interface JsonSyntaxError {
  /** 0-based character offset. */
  offset: number;
  /** 1-based line and column of the offset. */
  line: number;
  column: number;
  /** `unexpected character 'x'` or `unexpected end of input`. */
  problem: string;
}

/** Undefined when `text` is valid JSON; else where and what the first error is. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    const offset = new Scanner(text).firstErrorOffset();
    const lines = text.slice(0, offset).split("\n");
    const problem =
      offset >= text.length
        ? "unexpected end of input"
        : `unexpected character ${JSON.stringify(text[offset])}`;
    return { offset, line: lines.length, column: lines[lines.length - 1].length + 1, problem };
  }
}

class ScanError {
  constructor(readonly offset: number) {}
}

/** A strict RFC 8259 recognizer that throws a `ScanError` at the first character it cannot accept. */
class Scanner {
  private i = 0;

  constructor(private readonly s: string) {}

  firstErrorOffset(): number {
    try {
      this.value();
      this.ws();
      if (this.i < this.s.length) return this.i;
      // JSON.parse refused something this scanner accepts; point at the end rather than guess.
      return this.s.length;
    } catch (err) {
      if (err instanceof ScanError) return err.offset;
      throw err;
    }
  }

  private fail(): never {
    throw new ScanError(this.i);
  }

  private ws(): void {
    while (this.i < this.s.length && " \t\n\r".includes(this.s[this.i])) this.i++;
  }

  private value(): void {
    this.ws();
    const c = this.s[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const word of ["true", "false", "null"]) {
      if (c === word[0]) return this.literal(word);
    }
    this.fail();
  }

  private literal(word: string): void {
    for (const ch of word) {
      if (this.s[this.i] !== ch) this.fail();
      this.i++;
    }
  }

  private object(): void {
    this.i++;
    this.ws();
    if (this.s[this.i] === "}") {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail();
      this.string();
      this.ws();
      if (this.s[this.i] !== ":") this.fail();
      this.i++;
      this.value();
      this.ws();
      if (this.s[this.i] === ",") {
        this.i++;
        continue;
      }
      if (this.s[this.i] === "}") {
        this.i++;
        return;
      }
      this.fail();
    }
  }

  private array(): void {
    this.i++;
    this.ws();
    if (this.s[this.i] === "]") {
      this.i++;
      return;
    }
    for (;;) {
      this.value();
      this.ws();
      if (this.s[this.i] === ",") {
        this.i++;
        continue;
      }
      if (this.s[this.i] === "]") {
        this.i++;
        return;
      }
      this.fail();
    }
  }

  private string(): void {
    this.i++;
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined || c < " ") this.fail();
      if (c === '"') {
        this.i++;
        return;
      }
      if (c === "\\") {
        this.i++;
        const e = this.s[this.i];
        if (e === "u") {
          for (let k = 0; k < 4; k++) {
            this.i++;
            if (!/[0-9a-fA-F]/.test(this.s[this.i] ?? "")) this.fail();
          }
        } else if (e === undefined || !'"\\/bfnrt'.includes(e)) {
          this.fail();
        }
      }
      this.i++;
    }
  }

  private number(): void {
    if (this.s[this.i] === "-") this.i++;
    if (this.s[this.i] === "0") this.i++;
    else this.digits();
    if (this.s[this.i] === ".") {
      this.i++;
      this.digits();
    }
    if (this.s[this.i] === "e" || this.s[this.i] === "E") {
      this.i++;
      if (this.s[this.i] === "+" || this.s[this.i] === "-") this.i++;
      this.digits();
    }
  }

  private digits(): void {
    const start = this.i;
    while (this.i < this.s.length && this.s[this.i] >= "0" && this.s[this.i] <= "9") this.i++;
    if (this.i === start) this.fail();
  }
}
