import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_SETTINGS, type Settings } from "../../core/config/settings";
import { INPUTS, OUTPUTS, SCHEMA, type InputSpec, type OutputSpec } from "../../core/schema";
import {
  PACKAGE_NAME,
  RESOURCE_TOKEN,
  packageSchema,
  packageSchemaJson,
  type PropertySpec,
} from "../../plugin/package-schema";

const ROOT = path.join(__dirname, "..", "..");
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string })
  .version;

interface Schema {
  name: string;
  version?: string;
  meta?: { supportPack?: boolean };
  config: { variables: Record<string, PropertySpec> };
  provider: { inputProperties: Record<string, PropertySpec> };
  types: Record<
    string,
    { type: string; enum?: { value: string }[]; properties?: Record<string, PropertySpec> }
  >;
  resources: Record<
    string,
    {
      inputProperties: Record<string, PropertySpec>;
      requiredInputs: string[];
      properties: Record<string, PropertySpec>;
      required: string[];
    }
  >;
  language: {
    nodejs: { packageName: string };
    python: { packageName: string };
    go: { importBasePath: string };
  };
}

const schema = packageSchema(VERSION) as Schema;
const resource = schema.resources[RESOURCE_TOKEN];
const inputs: Record<string, InputSpec> = INPUTS;
const outputs: Record<string, OutputSpec> = OUTPUTS;

/** The type a value of core/schema.ts must have in the package schema, written out here independently. */
const EXPECTED_TYPE: Record<string, PropertySpec> = {
  string: { type: "string" },
  number: { type: "number" },
  integer: { type: "integer" },
  boolean: { type: "boolean" },
  json: { $ref: "pulumi.json#/Any" },
  jobRecords: { type: "array", items: { $ref: `#/types/${PACKAGE_NAME}:index:JobRecord` } },
  deletion: { $ref: `#/types/${PACKAGE_NAME}:index:DeletionRecord` },
};

/** The property's type without its description and secret flag. */
function typeOf(p: PropertySpec): PropertySpec {
  const { description: _d, secret: _s, ...type } = p;
  return type;
}

/** The values of the enum a property refers to, or undefined for a property that is not an enum. */
function enumValues(p: PropertySpec): string[] | undefined {
  const token = p.$ref?.startsWith("#/types/") ? p.$ref.slice("#/types/".length) : undefined;
  const type = token ? schema.types[token] : undefined;
  return type?.enum?.map((e) => e.value);
}

describe("schema.json", () => {
  it("is what the generator makes from core/schema.ts now", () => {
    const committed = fs.readFileSync(path.join(ROOT, "schema.json"), "utf8");
    const current = packageSchemaJson(VERSION);
    if (committed !== current) {
      throw new Error(
        "schema.json is stale: core/schema.ts, core/config/settings.ts or plugin/package-schema.ts changed since " +
          "it was generated. Run npm run gen:sdk and commit schema.json and sdk/.",
      );
    }
    expect(JSON.parse(committed)).toEqual(schema);
  });

  it("names the package, carries the package.json version and is written for per-language SDK packages", () => {
    expect(schema.name).toBe("mps-fpdb");
    expect(RESOURCE_TOKEN).toBe("mps-fpdb:index:FingerprintLibrary");
    expect(schema.version).toBe(VERSION);
    expect(schema.meta?.supportPack).toBe(true);
    expect(schema.language.python.packageName).toBe("pulumi_mps_fpdb");
    expect(schema.language.go.importBasePath).toMatch(/\/sdk\/go\/mpsfpdb$/);
    expect(schema.language.nodejs.packageName).not.toBe("pulumi-mps-fpdb");
  });
});

describe("the resource's properties come from core/schema.ts", () => {
  it.each(Object.keys(INPUTS))("input %s: its type, enum, optional, described, not secret", (name) => {
    const spec = inputs[name];
    const property = resource.inputProperties[name];
    expect(property).toBeDefined();
    if (spec.enum) {
      expect(property.$ref).toBeDefined();
      expect(enumValues(property)).toEqual([...spec.enum]);
    } else {
      expect(typeOf(property)).toEqual(EXPECTED_TYPE[spec.value]);
    }
    expect(property.secret).toBeUndefined();
    expect(resource.requiredInputs).not.toContain(name);
    expect(spec.summary).toBeTruthy();
    expect(property.description).toContain(spec.summary);
    expect(property.description).toContain(spec.readme.default);
  });

  it("declares no input that core/schema.ts does not", () => {
    expect(Object.keys(resource.inputProperties)).toEqual(Object.keys(INPUTS));
  });

  it.each(SCHEMA.recorded)("recorded input %s: echoed as an output of the same type", (name) => {
    expect(resource.properties[name]).toEqual(resource.inputProperties[name]);
  });

  it.each(Object.keys(OUTPUTS))("output %s: its type, secret flag and required-ness", (name) => {
    const spec = outputs[name];
    const property = resource.properties[name];
    expect(property).toBeDefined();
    const input = inputs[name];
    if (input?.enum) expect(enumValues(property)).toEqual([...input.enum]);
    else expect(typeOf(property)).toEqual(EXPECTED_TYPE[spec.value]);
    expect(property.secret === true).toBe(spec.secret === true);
    expect(resource.required.includes(name)).toBe(spec.destroyReads === "required");
    expect(property.description).toBeTruthy();
  });

  it("declares no output beyond the recorded inputs and the outputs, and jobTagKey is the secret one", () => {
    expect(Object.keys(resource.properties).sort()).toEqual(
      [...SCHEMA.recorded, ...Object.keys(OUTPUTS)].sort(),
    );
    const secret = Object.keys(resource.properties).filter((n) => resource.properties[n].secret === true);
    expect(secret).toEqual(SCHEMA.secretOutputs);
    expect(secret).toEqual(["jobTagKey"]);
  });

  it("keeps no link to a README section, which would point nowhere in an SDK's documentation", () => {
    const texts = JSON.stringify(schema);
    expect(texts).not.toMatch(/\]\(#/);
  });
});

describe("the provider's configuration", () => {
  const settingNames = [...Object.keys(DEFAULT_SETTINGS), "endpoint", "pollIntervalMs"] as (keyof Settings)[];

  it.each(settingNames)("package setting %s is a config key and an explicit provider argument", (name) => {
    expect(schema.config.variables[name]?.description).toBeTruthy();
    expect(schema.provider.inputProperties[name]).toEqual(schema.config.variables[name]);
  });

  it("has the region, credentials, profile and endpoint type, with the credentials' secrets secret", () => {
    for (const name of ["region", "accessKey", "secretKey", "securityToken", "profile", "endpointType"]) {
      expect(schema.config.variables[name]).toBeDefined();
    }
    const secret = Object.keys(schema.config.variables).filter((n) => schema.config.variables[n].secret);
    expect(secret.sort()).toEqual(["secretKey", "securityToken"]);
    expect(schema.provider.inputProperties).toEqual(schema.config.variables);
  });
});

describe("a property added to core/schema.ts reaches the package schema with nothing else changed", () => {
  const table = {
    inputs: {
      ...INPUTS,
      colour: {
        role: "behaviour",
        value: "string",
        enum: ["red", "green"],
        validate: () => undefined,
        summary: "The library's colour.",
        readme: { type: "string", default: "none", change: "recorded only" },
      },
    } as Record<string, InputSpec>,
    outputs: {
      ...OUTPUTS,
      colourSeen: {
        value: "number",
        source: "service",
        secret: true,
        destroyReads: "required",
        readme: { type: "number", meaning: "as reported" },
      },
    } as Record<string, OutputSpec>,
  };
  const grown = packageSchema(VERSION, table) as Schema;
  const library = grown.resources[RESOURCE_TOKEN];

  it("an input with a fixed set of values: an optional input and a recorded output, both of its own enum type", () => {
    expect(library.inputProperties.colour).toEqual({
      $ref: `#/types/${PACKAGE_NAME}:index:Colour`,
      description: "The library's colour. Default: none. A change means: recorded only.",
    });
    expect(grown.types[`${PACKAGE_NAME}:index:Colour`].enum).toEqual([{ value: "red" }, { value: "green" }]);
    expect(library.properties.colour).toEqual(library.inputProperties.colour);
    expect(library.requiredInputs).toEqual([]);
  });

  it("an output: its type, its secret flag and, read by destroy, required", () => {
    expect(library.properties.colourSeen).toEqual({
      type: "number",
      description: "As reported.",
      secret: true,
    });
    expect(library.required).toContain("colourSeen");
    expect(library.inputProperties.colourSeen).toBeUndefined();
    expect(resource.properties.colourSeen).toBeUndefined();
  });
});
