/**
 * `pulumi-resource-mps-fpdb`: the provider plugin's process. The engine starts it with its own address as the
 * first argument that is not a flag; the plugin serves the ResourceProvider service on a loopback port chosen by
 * the system and prints that port first on stdout, which is how the engine finds it. Everything else it has to
 * say goes through the engine's Log RPC (plugin/log.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { installEngineWatch } from "../core/engine-watch";
import { engineLog } from "./log";
import { providerServer, type ProviderService } from "./server";

/** Names under which this package's package.json may be found above the running file. */
const PACKAGE_NAMES = ["pulumi-mps-fpdb", "pulumi-resource-mps-fpdb"];

/**
 * The plugin's version: the package's, read from the first package.json of this package above the running file
 * (the source tree, the compiled dist/, or a plugin folder that carries one).
 */
export function pluginVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name !== undefined && PACKAGE_NAMES.includes(pkg.name) && pkg.version) return pkg.version;
    } catch {
      // No readable package.json here: look further up.
    }
    if (path.dirname(dir) === dir) return "0.0.0";
  }
}

/** Starts the plugin: binds the server, prints the port, and serves until the engine goes away. */
export async function start(
  args: readonly string[],
): Promise<{ port: number; service: ProviderService; stop(): Promise<void> }> {
  const engineAddress = args.find((arg) => !arg.startsWith("-"));
  const log = engineLog(engineAddress);
  const { server, service } = providerServer({ version: pluginVersion(), log: log.send });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    port,
    service,
    stop: () =>
      new Promise<void>((resolve) => {
        log.close();
        server.tryShutdown(() => resolve());
      }),
  };
}

if (require.main === module) {
  start(process.argv.slice(2)).then(
    ({ port, service }) => {
      // The engine reads the port from the first line; a number printed as text, nothing else on the line.
      process.stdout.write(`${port}\n`);
      // Once the engine is gone (its process ended, or stdout/stderr broke), no new write to MPS starts and the
      // process exits as soon as none is on the wire (core/engine-watch.ts).
      const watch = installEngineWatch(true);
      // The CLI closes a plugin with SIGINT (to its process group, which is the plugin's own), then SIGKILL five
      // seconds later; Node's default would end the process at once, cutting a submit to MPS in half. Both
      // signals are taken as Cancel, and the process ends as soon as no write is on the wire.
      const stop = (signal: NodeJS.Signals): void => {
        service.interrupted(signal);
        const exitWhenIdle = (): void => {
          if ((watch?.inFlight ?? 0) === 0) process.exit(0);
          else setTimeout(exitWhenIdle, 20);
        };
        exitWhenIdle();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    },
    (err: unknown) => {
      process.stderr.write(`pulumi-resource-mps-fpdb could not start: ${String(err)}\n`);
      process.exit(1);
    },
  );
}
