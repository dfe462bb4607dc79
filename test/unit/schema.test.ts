import * as fs from "node:fs";
import * as path from "node:path";
import {
  deriveSchema,
  INPUTS,
  OUTPUTS,
  SCHEMA,
  type InputSchema,
  type OutputSchema,
} from "../../core/schema";
import { makeStateReader } from "../../core/state";
import { plainString } from "../../core/values";
import { thrown } from "../support/thrown";

const README = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");

/** The rows of the Markdown table under a heading, as cells (escaped pipes kept as written). */
function tableUnder(heading: string): string[][] {
  const section = README.slice(README.indexOf(`\n${heading}\n`));
  const lines = section.split("\n").filter((line) => line.startsWith("|"));
  const first = section.split("\n").findIndex((line) => line.startsWith("|"));
  const table: string[] = [];
  for (const line of section.split("\n").slice(first)) {
    if (!line.startsWith("|")) break;
    table.push(line);
  }
  expect(lines.length).toBeGreaterThan(2);
  return table.slice(2).map((row) =>
    row
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim()),
  );
}

describe("the README's reference tables agree with the schema", () => {
  it("Input reference: one row per input, in schema order, with its type, default and what a change means", () => {
    const rows = tableUnder("## Input reference");
    expect(rows).toEqual(
      Object.entries(INPUTS).map(([name, spec]) => [
        `\`${name}\``,
        spec.readme.type,
        spec.readme.default,
        spec.readme.change,
      ]),
    );
  });

  it("Output reference: one row per output that is not a recorded input, in schema order", () => {
    const rows = tableUnder("## Output reference");
    expect(rows).toEqual(
      Object.entries(OUTPUTS).map(([name, spec]) => [`\`${name}\``, spec.readme.type, spec.readme.meaning]),
    );
  });
});

describe("adding a property is a change to the schema only", () => {
  const inputs: InputSchema = {
    ...INPUTS,
    colour: {
      role: "behaviour",
      value: "string",
      validate: plainString("Pass a colour."),
      readme: { type: "string", default: "none", change: "recorded only" },
    },
    keepForever: {
      role: "behaviour",
      value: "boolean",
      validate: (v) => (typeof v === "boolean" ? undefined : "`keepForever` must be true or false"),
      destroyReads: true,
      readme: { type: "boolean", default: "`false`", change: "recorded only" },
    },
  };
  const outputs: OutputSchema = {
    ...OUTPUTS,
    colourSeen: { value: "string", source: "service", readme: { type: "string", meaning: "as reported" } },
  };
  const derived = deriveSchema(inputs, outputs);
  const read = makeStateReader(derived);
  const stored = { fpDbId: "fp-1", region: "cn-shanghai", adopted: false, resourceName: "videos" };

  it("reaches every derived list and the validator table", () => {
    expect(derived.inputNames).toEqual([...SCHEMA.inputNames, "colour", "keepForever"]);
    expect(derived.behaviour).toEqual(expect.arrayContaining(["colour", "keepForever"]));
    expect(derived.recorded).toEqual([...SCHEMA.recorded, "colour", "keepForever"]);
    expect(derived.createOnly).toEqual(SCHEMA.createOnly);
    expect(derived.validators.colour(3, "colour")).toBe(
      "`colour` must be a string, got a number. Pass a colour.",
    );
    expect(derived.outputOnly).toEqual([...SCHEMA.outputOnly, "colourSeen"]);
    expect(derived.keptOnUpdate).toEqual([...SCHEMA.keptOnUpdate, "colourSeen"]);
    expect(derived.destroyReads.checked).toContain("keepForever");
  });

  it("is read back from state by the derived reader, and a malformed destroy-critical value is refused", () => {
    const state = read({
      ...stored,
      colour: "teal",
      colourSeen: "blue",
      keepForever: true,
    }) as unknown as Record<string, unknown>;
    expect(state).toMatchObject({ colour: "teal", colourSeen: "blue", keepForever: true });
    expect(read({ ...stored, colour: 7 })).not.toHaveProperty("colour");
    expect(thrown(() => read({ ...stored, keepForever: "yes" })).message).toMatch(
      /^State of library fp-1 \(videos\) has keepForever "yes", expected true or false\./,
    );
  });
});
