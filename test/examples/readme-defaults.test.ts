/**
 * What the example READMEs say about the provider's defaults is what the provider does: the quickstart README once
 * said the default poll was 5 s when it was 1 s.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_POLL_INTERVAL_SECONDS } from "../../core/schema";

const examples = path.resolve(__dirname, "..", "..", "examples");
const readmes = fs
  .readdirSync(examples)
  .map((name) => path.join(examples, name, "README.md"))
  .filter((file) => fs.existsSync(file));

it("the quickstart README gives the default poll interval the provider uses", () => {
  const text = fs.readFileSync(path.join(examples, "quickstart", "README.md"), "utf8").replace(/\s+/g, " ");
  const said = /default (\d+(?:\.\d+)?) s of `pollIntervalSeconds`/.exec(text);
  expect(said?.[1]).toBe(String(DEFAULT_POLL_INTERVAL_SECONDS));
});

it.each(readmes.map((file) => [path.relative(examples, file), file]))(
  "%s states no other default for the poll interval",
  (_name, file) => {
    const text = fs.readFileSync(file, "utf8").replace(/\s+/g, " ");
    for (const match of text.matchAll(
      /default (\d+(?:\.\d+)?) ?s\b[^.;)]*poll|poll[^.;(]*default (\d+(?:\.\d+)?) ?s\b/gi,
    )) {
      expect(match[1] ?? match[2]).toBe(String(DEFAULT_POLL_INTERVAL_SECONDS));
    }
  },
);
