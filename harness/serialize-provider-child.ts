/**
 * Child-process side of serialize-provider.ts: `node --require tsx/cjs serialize-provider-child.ts <module> <export>`
 * prints `{ text, containsSecrets }` as JSON.
 */
import { createRequire } from "node:module";
import * as path from "node:path";

const load = createRequire(__filename);

interface SerializeClosure {
  serializeFunction(f: () => unknown, args: { allowSecrets: boolean }): Promise<SerializedFunction>;
}
interface SerializedFunction {
  text: string;
  containsSecrets: boolean;
}

async function main(): Promise<void> {
  const [modulePath, exportName] = process.argv.slice(2);
  const mod = load(modulePath) as Record<string, unknown>;
  if (!(exportName in mod)) throw new Error(`${modulePath} has no export \`${exportName}\``);
  const provider = mod[exportName];
  const sdk = path.dirname(
    require.resolve("@pulumi/pulumi/package.json", { paths: [path.dirname(modulePath)] }),
  );
  const sc = load(path.join(sdk, "runtime", "closure", "serializeClosure")) as SerializeClosure;
  // The SDK serializes `() => provider` from its compiled JS (dynamic/index.js); build the same arrow text here,
  // because tsx would print this file's arrow as `()=>provider` and change the serialized text.
  const wrap = new Function("provider", "return () => provider;") as (p: unknown) => () => unknown;
  const sf = await sc.serializeFunction(wrap(provider), { allowSecrets: true });
  process.stdout.write(JSON.stringify({ text: sf.text, containsSecrets: sf.containsSecrets }));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
