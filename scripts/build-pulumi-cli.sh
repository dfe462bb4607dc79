#!/usr/bin/env bash
# Builds the Pulumi CLI that the real-engine test tier runs: Pulumi's own `pkg/v3/cmd/pulumi` at the version of
# the pinned @pulumi/pulumi, compiled from the Go module proxy's copy of github.com/pulumi/pulumi/pkg/v3 (see
# tools/pulumi/go.mod), into .cache/pulumi-cli/ beside the two plugins the CLI looks for next to itself:
#   pulumi-language-nodejs          tools/pulumi/language-host (the Go module of Pulumi's own host is not served
#                                   by the proxy this project can reach)
#   pulumi-resource-pulumi-nodejs   the script the sdk/v3 module ships under nodejs/dist
# Idempotent: a second run with unchanged inputs only checks a stamp; otherwise Go's module and build caches make
# a rebuild a link step.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

version="v3.248.0"
out="$root/.cache/pulumi-cli"
module="$root/tools/pulumi"

go_bin="${GO:-}"
if [ -z "$go_bin" ]; then
  if command -v go >/dev/null 2>&1; then
    go_bin="$(command -v go)"
  elif [ -x /usr/local/go/bin/go ]; then
    go_bin=/usr/local/go/bin/go
  else
    echo "build-pulumi-cli: no Go toolchain (go on PATH or /usr/local/go/bin/go); install Go 1.25+ to build the CLI" >&2
    exit 2
  fi
fi

stamp_input() {
  cat "$module/go.mod" "$module/go.sum" "$0"
  echo "$version"
  "$go_bin" version
}
stamp="$(stamp_input | sha256sum | cut -d' ' -f1)"

mkdir -p "$out"
if [ -x "$out/pulumi" ] && [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ]; then
  echo "build-pulumi-cli: $out/pulumi is up to date ($("$out/pulumi" version))"
else
  rm -f "$out/.stamp"
  echo "build-pulumi-cli: building github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$version (a cold build takes ~10 min on 2 cores)"
  (
    cd "$module"
    GOFLAGS=-mod=mod GOTOOLCHAIN=local "$go_bin" build \
      -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
      -o "$out/pulumi.partial" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  )
  mv "$out/pulumi.partial" "$out/pulumi"
fi

sdk_dir="$(cd "$module" && GOFLAGS=-mod=mod GOTOOLCHAIN=local "$go_bin" list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
install -m 0755 "$sdk_dir/nodejs/dist/pulumi-resource-pulumi-nodejs" "$out/pulumi-resource-pulumi-nodejs"

cat >"$out/pulumi-language-nodejs" <<EOF
#!/bin/sh
exec node "$module/language-host/pulumi-language-nodejs.js" "\$@"
EOF
chmod 0755 "$out/pulumi-language-nodejs"

echo "$stamp" >"$out/.stamp"
echo "build-pulumi-cli: $out/pulumi $("$out/pulumi" version), plugins: pulumi-language-nodejs, pulumi-resource-pulumi-nodejs"
