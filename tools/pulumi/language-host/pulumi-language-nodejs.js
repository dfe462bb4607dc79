#!/usr/bin/env node
/**
 * `pulumi-language-nodejs` for the test CLI built in tools/pulumi.
 *
 * Pulumi's own language host is a Go module (`sdk/nodejs/cmd/pulumi-language-nodejs/v3`) that the Go module proxy
 * reachable from this project's machines does not serve ("This module version is not available"), so this launcher
 * implements the same LanguageRuntime gRPC service (the service definition and messages come from
 * `@pulumi/pulumi/proto`, the pinned SDK) and reproduces what Pulumi 3.248's host hands to
 * `@pulumi/pulumi/cmd/run`:
 *
 * - arguments: `--monitor --engine --organization --project --root-directory --stack --pwd [--dry-run] --parallel
 *   <entry point> <args...>`, in that order, with the run script resolved from the program's folder;
 * - `PULUMI_CONFIG` (keys rewritten to `<namespace>:config:<name>`) and `PULUMI_CONFIG_SECRET_KEYS` (JSON);
 * - the `runtime.options` of Pulumi.yaml: `typescript` (default true: `PULUMI_NODEJS_TYPESCRIPT=true`), `tsconfig`
 *   (`PULUMI_NODEJS_TSCONFIG_PATH`) and `nodeargs`;
 * - exit codes: 0 is success, 32 is "already reported to the user" (`bail`), anything else is
 *   "Program exited with non-zero exit code: N";
 * - cancellation: the `Cancel` RPC, the end of the `Run` call and an interrupt of this process send the program
 *   SIGINT, then SIGKILL after 5 seconds (Go's `exec.CommandContext` with `WaitDelay`, as upstream).
 *
 * Differences from upstream, none of which the programs here use: no resource-monitor proxy and no `--sync` pipes
 * (synchronous invokes), no debugger attach, no bun runtime, no code generation, packing or linking, and
 * `InstallDependencies` only reports that it installs nothing (the repository's `npm ci` does that).
 */
"use strict";

const childProcess = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { Buffer } = require("node:buffer");
const { setInterval, setTimeout } = require("node:timers");
const grpc = require("@grpc/grpc-js");
const languageGrpc = require("@pulumi/pulumi/proto/language_grpc_pb.js");
const languagePb = require("@pulumi/pulumi/proto/language_pb.js");
const pluginPb = require("@pulumi/pulumi/proto/plugin_pb.js");
const emptyPb = require("google-protobuf/google/protobuf/empty_pb.js");

const VERSION = "3.248.0";
const BAIL_EXIT_CODE = 32;
const KILL_DELAY_MS = 5000;
// Upstream checks the engine every 5 minutes and stops when it is gone (rpcutil.Healthcheck).
const HEALTH_INTERVAL_MS = 5 * 60 * 1000;

const running = new Set();

function parseCommandLine(argv) {
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-version" || arg === "--version") {
      process.stdout.write(`v${VERSION}\n`);
      process.exit(0);
    }
    const flag = /^--?(tracing|runtime|root)(=(.*))?$/.exec(arg);
    if (flag) {
      if (flag[2] === undefined) i++;
      continue;
    }
    positional.push(arg);
  }
  return { engineAddress: positional[0] ?? "" };
}

function structToObject(struct) {
  return struct ? struct.toJavaScript() : {};
}

function runtimeOptions(info) {
  const options = structToObject(info && info.getOptions());
  const typescript = options.typescript === undefined ? true : options.typescript;
  if (typeof typescript !== "boolean") throw new Error("typescript option must be a boolean");
  if (options.tsconfig !== undefined && typeof options.tsconfig !== "string") {
    throw new Error("tsconfigpath option must be a string");
  }
  if (options.nodeargs !== undefined && typeof options.nodeargs !== "string") {
    throw new Error("nodeargs option must be a string");
  }
  return {
    typescript,
    tsconfig: options.tsconfig ?? "",
    nodeargs: options.nodeargs ? options.nodeargs.split(/\s+/).filter(Boolean) : [],
  };
}

function resolveRunScript(programDirectory) {
  const override = process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH;
  const request = override || "@pulumi/pulumi/cmd/run";
  try {
    return require.resolve(request, { paths: [programDirectory] });
  } catch (err) {
    if (err && err.code === "MODULE_NOT_FOUND") {
      throw new Error("It looks like the Pulumi SDK has not been installed. Have you run pulumi install?");
    }
    throw err;
  }
}

// `<package>:<name>` becomes `<package>:config:<name>`, the form every @pulumi/pulumi release reads.
function programConfig(request) {
  const config = {};
  request.getConfigMap().forEach((value, key) => {
    const colon = key.indexOf(":");
    if (colon < 0) throw new Error(`configuration key '${key}' is not namespaced by a package`);
    const namespace = key.slice(0, colon);
    const rest = key.slice(colon + 1);
    const name = rest.startsWith("config:") ? rest.slice("config:".length) : rest;
    config[`${namespace}:config:${name}`] = value;
  });
  return config;
}

function runArguments(request, runScript, engineAddress) {
  const info = request.getInfo();
  const args = [runScript];
  const add = (name, value) => {
    if (value !== "" && value !== undefined) args.push(`--${name}`, String(value));
  };
  add("monitor", request.getMonitorAddress());
  add("engine", engineAddress);
  add("organization", request.getOrganization());
  add("project", request.getProject());
  add("root-directory", info ? info.getRootDirectory() : "");
  add("stack", request.getStack());
  add("pwd", info ? info.getProgramDirectory() : request.getPwd());
  if (request.getDryrun()) args.push("--dry-run");
  add("parallel", request.getParallel());
  args.push((info && info.getEntryPoint()) || request.getProgram() || ".");
  args.push(...request.getArgsList());
  return args;
}

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGKILL"), KILL_DELAY_MS);
  timer.unref();
}

function runProgram(state, call, callback) {
  const request = call.request;
  const response = new languagePb.RunResponse();
  let child;
  try {
    const info = request.getInfo();
    const programDirectory = (info && info.getProgramDirectory()) || request.getPwd();
    const options = runtimeOptions(info);
    const runScript = resolveRunScript(programDirectory);
    const env = {
      ...process.env,
      PULUMI_CONFIG: JSON.stringify(programConfig(request)),
      PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(request.getConfigsecretkeysList()),
    };
    if (options.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
    if (options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;
    const args = [...options.nodeargs, ...runArguments(request, runScript, state.engineAddress)];
    child = childProcess.spawn(process.execPath, args, {
      cwd: programDirectory,
      env,
      stdio: ["ignore", "inherit", "inherit"],
    });
  } catch (err) {
    response.setError(err instanceof Error ? err.message : String(err));
    callback(null, response);
    return;
  }
  running.add(child);
  const onCancelled = () => stopChild(child);
  call.on("cancelled", onCancelled);
  child.on("error", (err) => {
    running.delete(child);
    response.setError(`Problem executing program (could not run language executor): ${err.message}`);
    callback(null, response);
  });
  child.on("exit", (code, signal) => {
    running.delete(child);
    call.removeListener("cancelled", onCancelled);
    if (code === 0) {
      response.setError("");
    } else if (code === BAIL_EXIT_CODE) {
      response.setBail(true);
    } else if (code !== null) {
      response.setError(`Program exited with non-zero exit code: ${code}`);
    } else {
      response.setError(`Program exited unexpectedly: signal: ${signal}`);
    }
    callback(null, response);
  });
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

// Upstream walks node_modules for packages whose package.json says `"pulumi": {"resource": true}`: the provider
// plugins a program needs. A dynamic provider needs none (the engine loads the bundled `pulumi-nodejs` plugin).
function requiredPackages(programDirectory) {
  const found = [];
  const seen = new Set();
  const visit = (dir) => {
    let real;
    try {
      real = fs.realpathSync(dir);
    } catch {
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      if (entry.name.startsWith("@")) {
        visit(full);
        continue;
      }
      const pkg = readJson(path.join(full, "package.json"));
      if (pkg && pkg.pulumi && pkg.pulumi.resource === true && pkg.name && pkg.version) {
        const name = pkg.pulumi.name || pkg.name.replace(/^@pulumi\//, "").replace(/^@/, "");
        const version = pkg.pulumi.version || pkg.version;
        found.push({
          name,
          version: version.startsWith("v") ? version : `v${version}`,
          server: pkg.pulumi.server,
        });
      }
      visit(path.join(full, "node_modules"));
    }
  };
  visit(path.join(programDirectory, "node_modules"));
  return found;
}

function main() {
  const state = parseCommandLine(process.argv.slice(2));
  const server = new grpc.Server({
    "grpc.max_receive_message_length": 400 * 1024 * 1024,
    "grpc.max_send_message_length": 400 * 1024 * 1024,
  });
  const unary = (fn) => (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request))
      .then(
        (answer) => callback(null, answer),
        (err) =>
          callback({ code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) }),
      );
  };

  server.addService(languageGrpc.LanguageRuntimeService, {
    handshake: unary((request) => {
      state.engineAddress = request.getEngineAddress();
      return new languagePb.LanguageHandshakeResponse();
    }),
    getPluginInfo: unary(() => {
      const info = new pluginPb.PluginInfo();
      info.setVersion(VERSION);
      return info;
    }),
    getRequiredPlugins: (_call, callback) =>
      callback({ code: grpc.status.UNIMPLEMENTED, details: "method GetRequiredPlugins not implemented" }),
    getRequiredPackages: unary((request) => {
      const info = request.getInfo();
      const response = new languagePb.GetRequiredPackagesResponse();
      const directory = info ? info.getProgramDirectory() : "";
      response.setPackagesList(
        (directory ? requiredPackages(directory) : []).map((p) => {
          const dependency = new pluginPb.PackageDependency();
          dependency.setName(p.name);
          dependency.setKind("resource");
          dependency.setVersion(p.version);
          if (p.server) dependency.setServer(p.server);
          return dependency;
        }),
      );
      return response;
    }),
    run: (call, callback) => runProgram(state, call, callback),
    installDependencies: (call) => {
      call.end();
    },
    runtimeOptionsPrompts: unary(() => new languagePb.RuntimeOptionsResponse()),
    template: unary(() => new languagePb.TemplateResponse()),
    about: unary(() => {
      const response = new languagePb.AboutResponse();
      response.setExecutable(process.execPath);
      response.setVersion(process.version);
      response.getMetadataMap().set("packagemanager", "npm");
      return response;
    }),
    getProgramDependencies: unary((request) => {
      const info = request.getInfo();
      const pkg = readJson(path.join(info ? info.getProgramDirectory() : ".", "package.json")) || {};
      const response = new languagePb.GetProgramDependenciesResponse();
      const deps = { ...(pkg.dependencies || {}), ...(pkg.devDependencies || {}) };
      response.setDependenciesList(
        Object.entries(deps).map(([name, version]) => {
          const dep = new languagePb.DependencyInfo();
          dep.setName(name);
          dep.setVersion(String(version));
          return dep;
        }),
      );
      return response;
    }),
    cancel: unary(() => {
      for (const child of running) stopChild(child);
      return new emptyPb.Empty();
    }),
  });

  server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) {
      process.stderr.write(`could not start language host RPC server: ${err.message}\n`);
      process.exit(1);
    }
    process.stdout.write(`${port}\n`);
  });

  const shutdown = () => {
    for (const child of running) stopChild(child);
    server.tryShutdown(() => process.exit(0));
    setTimeout(() => process.exit(0), KILL_DELAY_MS + 500).unref();
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  // The engine reads our stdout; once it is gone (the CLI died) nothing can use this host any more.
  process.stdout.on("error", shutdown);

  if (state.engineAddress) {
    const health = new grpc.Client(state.engineAddress, grpc.credentials.createInsecure());
    const timer = setInterval(() => {
      health.makeUnaryRequest(
        "/grpc.health.v1.Health/Check",
        () => Buffer.alloc(0),
        (b) => b,
        Buffer.alloc(0),
        (error) => {
          if (error && error.code !== grpc.status.UNIMPLEMENTED) shutdown();
        },
      );
    }, HEALTH_INTERVAL_MS);
    timer.unref();
  }
}

main();
