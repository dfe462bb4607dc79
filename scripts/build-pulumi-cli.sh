#!/usr/bin/env bash
# Builds the Pulumi CLI that the real-engine test tier runs: Pulumi's own `pkg/v3/cmd/pulumi` at the version of
# the pinned @pulumi/pulumi, compiled from the Go module proxy's copy of github.com/pulumi/pulumi/pkg/v3 (see
# tools/pulumi/go.mod), into .cache/pulumi-cli/ beside the two plugins the CLI looks for next to itself:
#   pulumi-language-nodejs          tools/pulumi/language-host, bundled with its dependencies into one file (the Go
#                                   module of Pulumi's own host is not served by the proxy this project can reach)
#   pulumi-resource-pulumi-nodejs   the script the sdk/v3 module ships under nodejs/dist
#   pulumi-language-python          tools/pulumi/language-host-python, a Go stand-in for Pulumi's Python host (whose
#                                   module the proxy does not serve either), beside pulumi-language-python-exec, the
#                                   script the sdk/v3 module ships under python/cmd, which it runs with the program's
#                                   Python
#   pulumi-language-go              tools/pulumi/language-host-go, a Go module of its own standing in for Pulumi's
#                                   Go host (not served by the proxy either): it builds Go programs with `go build`
#   pulumi-language-yaml            Pulumi's YAML host, built by scripts/build-pulumi-yaml.sh (run at the end)
# The folder is self-contained: nothing in it points back into this clone or needs the clone's node_modules, so it
# keeps working when the clone moves or is reinstalled, and can be copied elsewhere (the build proves it on a copy).
# Idempotent: a second run with unchanged inputs only checks a stamp; otherwise Go's module and build caches make
# a rebuild a link step.
#
# --optional (what `npm test` runs): a machine without Go, or a build that fails, is not an error; the script says
# that the real-engine tier will not run and why, and exits 0 so the other tiers still run. (Under CI=true the
# tier then fails, see jest.config.js.)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

script_name=build-pulumi-cli
skipped_note="the real-engine tier (test/real-engine) will be skipped; the other tiers run"
# shellcheck source=lib/go-tool-build.sh
source "$root/scripts/lib/go-tool-build.sh"
parse_args "$@"

version="v3.248.0"
out="$root/.cache/pulumi-cli"
module="$root/tools/pulumi"

find_go "Pulumi's CLI"

# The language host is bundled from this clone's devDependencies; say so instead of failing inside the bundler.
for dependency in esbuild @grpc/grpc-js @pulumi/pulumi google-protobuf; do
  if ! node -e 'require.resolve(process.argv[1] + "/package.json", { paths: [process.argv[2]] })' \
    "$dependency" "$root" >/dev/null 2>&1; then
    give_up "$dependency is not installed in $root/node_modules: run npm ci first (the language host is bundled from it)"
  fi
done

stamp_input() {
  cat "$module/go.mod" "$module/go.sum" "$0" "$root/scripts/lib/go-tool-build.sh" "$root/scripts/self-contained-bundle.js"
  echo "$version"
  "$go_bin" version
}
stamp="$(stamp_input | sha256sum | cut -d' ' -f1)"

mkdir -p "$out"
if [ -x "$out/pulumi" ] && [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ]; then
  echo "build-pulumi-cli: $out/pulumi is up to date ($("$out/pulumi" version))"
else
  rm -f "$out/.stamp"
  echo "build-pulumi-cli: building github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$version with $("$go_bin" version) (a cold build takes ~10 min on 2 cores; Go's cache makes the next one seconds)"
  if ! (
    cd "$module"
    GOFLAGS=-mod=mod GOTOOLCHAIN=local "$go_bin" build \
      -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
      -o "$out/pulumi.partial" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  ); then
    rm -f "$out/pulumi.partial"
    give_up "go build of Pulumi's CLI failed (see above; it needs Go 1.25+ and the Go module proxy)"
  fi
  mv "$out/pulumi.partial" "$out/pulumi"
fi

if ! sdk_dir="$(cd "$module" && GOFLAGS=-mod=mod GOTOOLCHAIN=local "$go_bin" list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"; then
  give_up "could not locate the github.com/pulumi/pulumi/sdk/v3 module (see above)"
fi
install -m 0755 "$sdk_dir/nodejs/dist/pulumi-resource-pulumi-nodejs" "$out/pulumi-resource-pulumi-nodejs"

# Rebundled on every run (it takes a fraction of a second), so an edit of the launcher never needs a stamp change;
# written beside and renamed, so a test run that starts the host meanwhile never reads half a file.
node "$module/language-host/bundle.js" "$out/pulumi-language-nodejs.js.partial"
mv "$out/pulumi-language-nodejs.js.partial" "$out/pulumi-language-nodejs.js"
# Relative to the wrapper's own folder (the engine runs it by its full path), never to this clone.
cat >"$out/pulumi-language-nodejs.partial" <<'WRAPPER'
#!/bin/sh
exec node "$(dirname "$0")/pulumi-language-nodejs.js" "$@"
WRAPPER
chmod 0755 "$out/pulumi-language-nodejs.partial"
mv "$out/pulumi-language-nodejs.partial" "$out/pulumi-language-nodejs"

# The Python host: built on every run like the Node host (Go's cache makes it a link step), static (no cgo), so it
# needs nothing from this clone, and the exec script beside it is where it looks for it.
if ! (
  cd "$module"
  CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local "$go_bin" build \
    -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
    -o "$out/pulumi-language-python.partial" ./language-host-python
); then
  rm -f "$out/pulumi-language-python.partial"
  give_up "go build of the Python language host (tools/pulumi/language-host-python) failed (see above)"
fi
mv "$out/pulumi-language-python.partial" "$out/pulumi-language-python"
install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$out/pulumi-language-python-exec"

# The Go language host: built on every run (Go's cache makes it a link step), static (no cgo) so the folder stays
# movable, and stamped with the release it stands in for, which it must answer to -version.
if ! (
  cd "$root/tools/pulumi/language-host-go"
  CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" GOTOOLCHAIN=local "$go_bin" build \
    -ldflags "-X main.version=$version" \
    -o "$out/pulumi-language-go.partial" .
) || [ "$("$out/pulumi-language-go.partial" -version)" != "$version" ]; then
  rm -f "$out/pulumi-language-go.partial"
  give_up "go build of the Go language host (tools/pulumi/language-host-go) failed (see above)"
fi
mv "$out/pulumi-language-go.partial" "$out/pulumi-language-go"

# Proof that the language host needs nothing from this clone: a copy in a folder with no node_modules above it
# must load every module it uses (`-version` runs after all of them are loaded).
check_dir="$(mktemp -d)"
trap 'rm -rf "$check_dir"' EXIT
cp "$out/pulumi-language-nodejs" "$out/pulumi-language-nodejs.js" "$check_dir/"
if ! answer="$(cd "$check_dir" && NODE_PATH= "$check_dir/pulumi-language-nodejs" -version 2>&1)" || [ "$answer" != "$version" ]; then
  echo "$answer" >&2
  give_up "the bundled language host does not run on its own (a copy outside the clone answered the above)"
fi

echo "$stamp" >"$out/.stamp"
echo "build-pulumi-cli: $out/pulumi $("$out/pulumi" version), plugins: pulumi-language-nodejs (bundled, self-contained), pulumi-resource-pulumi-nodejs, pulumi-language-python (+ -exec)"

# The YAML language host, from a Go module of its own (the script says why), into the same folder.
if $optional; then
  bash "$root/scripts/build-pulumi-yaml.sh" --optional
else
  bash "$root/scripts/build-pulumi-yaml.sh"
fi
