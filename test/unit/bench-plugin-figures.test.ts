import {
  librariesYaml,
  median,
  PLUGIN_PROJECT,
  PLUGIN_TYPE,
  stateBytes,
} from "../../bench/scenarios/plugin-figures";

describe("the plugin benchmark's figures", () => {
  test("the YAML program declares one FingerprintLibrary per library, each purged by one trigger", () => {
    const yaml = librariesYaml(3);
    expect(yaml).toContain(`name: ${PLUGIN_PROJECT}\nruntime: yaml\n`);
    expect(yaml.match(new RegExp(`type: ${PLUGIN_TYPE}`, "g"))).toHaveLength(3);
    for (const name of ["bench-0", "bench-1", "bench-2"]) expect(yaml).toContain(`\n  ${name}:\n`);
    expect(yaml).not.toContain("bench-3");
    expect(yaml.match(/purgeTrigger: \$\{purgeTrigger\}/g)).toHaveLength(3);
    expect(() => librariesYaml(0)).toThrow(/1 or more/);
  });

  test("state bytes count only the resources of the type, as compact JSON, and the export per resource", () => {
    const bare = { urn: "u", type: PLUGIN_TYPE, inputs: { a: "xy" }, outputs: { b: 1 } };
    const library = {
      ...bare,
      sourcePosition: "project:///index.ts#1",
      stackTrace: [{ sourcePosition: "x" }],
    };
    const other = { urn: "p", type: "pulumi:providers:mps-fpdb", inputs: { big: "z".repeat(1000) } };
    const text = JSON.stringify(
      { version: 3, deployment: { resources: [other, library, library] } },
      null,
      2,
    );
    const figures = stateBytes(text, PLUGIN_TYPE);
    expect(figures.resources).toBe(2);
    expect(figures.entryBytes).toBe(Buffer.byteLength(JSON.stringify(library)));
    expect(figures.entryBytesWithoutSource).toBe(Buffer.byteLength(JSON.stringify(bare)));
    expect(figures.propertyBytes).toBe('{"a":"xy"}'.length + '{"b":1}'.length);
    expect(figures.exportBytesPerResource).toBe(Math.round(Buffer.byteLength(text) / 2));
  });

  test("state bytes refuse a text that is no export, or an export without the type", () => {
    expect(() => stateBytes("{}", PLUGIN_TYPE)).toThrow(/not a stack export/);
    expect(() => stateBytes(JSON.stringify({ deployment: { resources: [] } }), PLUGIN_TYPE)).toThrow(
      /no resource of type/,
    );
  });

  test("the median is the middle value, or the mean of the middle two", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/no values/);
  });
});
