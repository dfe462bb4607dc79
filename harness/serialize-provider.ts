/**
 * Serializing a dynamic provider object exactly as `new pulumi.dynamic.Resource(provider, ...)` does, in a plain
 * Node child process (under jest, modules are not in Node's `require.cache`, which changes the closure text).
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { resolvePulumiSdk } from "./project";
import { BOOTSTRAP, childEnv } from "./child-env";

/** What the SDK stores as `__provider`, and whether it captured a secret. */
export interface SerializedProvider {
  text: string;
  containsSecrets: boolean;
}

/**
 * Loads `modulePath` (a .ts or .js file) in a child process and serializes its export `exportName` with the
 * SDK's closure serializer (`serializeFunction(() => provider, { allowSecrets: true })`), using the
 * `@pulumi/pulumi` the module itself resolves. `cwd` defaults to the module's folder.
 */
export function serializeProvider(
  modulePath: string,
  exportName: string,
  cwd?: string,
): Promise<SerializedProvider> {
  const abs = path.resolve(modulePath);
  const dir = cwd ?? path.dirname(abs);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BOOTSTRAP, abs, exportName],
      {
        cwd: dir,
        env: {
          ...process.env,
          ...childEnv("serialize-provider-child.ts", resolvePulumiSdk(path.dirname(abs))),
        },
        maxBuffer: 256 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err) {
          reject(
            new Error(`could not serialize \`${exportName}\` of ${abs}: ${stderr.trim() || err.message}`),
          );
          return;
        }
        resolve(JSON.parse(stdout) as SerializedProvider);
      },
    );
  });
}
