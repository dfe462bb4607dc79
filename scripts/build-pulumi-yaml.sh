#!/usr/bin/env bash
# Builds Pulumi's YAML language host, `pulumi-language-yaml`, from the Go module proxy's copy of
# github.com/pulumi/pulumi-yaml (tools/pulumi-yaml/go.mod pins it) into .cache/pulumi-cli/, beside the CLI that
# scripts/build-pulumi-cli.sh builds: the CLI looks for language hosts next to itself, so YAML programs (the
# plugin's real-engine scenarios) run with no host on PATH.
#
# Why a module of its own: pulumi-yaml v1.25.0 needs pkg/v3 and sdk/v3 at v3.206.0 or later and compiles against
# the versions it was made for; in tools/pulumi's module Go would raise them to the CLI's v3.248.0, against which
# newer pulumi-yaml releases no longer compile (pcl.BindProgram changed). The host talks to the CLI over gRPC only,
# so the two binaries need not share a Pulumi version.
#
# The host has no -version flag: the release is stamped into the binary (the same linker variable pulumi-yaml's
# own Makefile sets, which its GetPluginInfo answers) and checked after the build with `go version -m`.
# Idempotent: a second run with unchanged inputs only checks a stamp. Built without cgo, so it is one static file
# and the CLI folder stays movable.
#
# --optional: as build-pulumi-cli.sh (a machine without Go, or a failed build, is reported and exits 0).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

optional=false
for arg in "$@"; do
  case "$arg" in
    --optional) optional=true ;;
    *)
      echo "build-pulumi-yaml: unknown argument $arg (usage: build-pulumi-yaml.sh [--optional])" >&2
      exit 2
      ;;
  esac
done

version="v1.25.0"
out="$root/.cache/pulumi-cli"
module="$root/tools/pulumi-yaml"
package="github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"

give_up() {
  echo "build-pulumi-yaml: $1" >&2
  if $optional; then
    echo "build-pulumi-yaml: the real-engine tier's YAML programs will not run; the other tiers run" >&2
    exit 0
  fi
  exit 2
}

go_bin="${GO:-}"
if [ -n "$go_bin" ] && [ ! -x "$go_bin" ]; then
  give_up "GO=$go_bin is not an executable Go toolchain"
elif [ -z "$go_bin" ]; then
  if command -v go >/dev/null 2>&1; then
    go_bin="$(command -v go)"
  elif [ -x /usr/local/go/bin/go ]; then
    go_bin=/usr/local/go/bin/go
  else
    give_up "no Go toolchain (go on PATH or /usr/local/go/bin/go): install Go 1.25+ to build pulumi-language-yaml"
  fi
fi

stamp_input() {
  cat "$module/go.mod" "$module/go.sum" "$0"
  echo "$version"
  "$go_bin" version
}
stamp="$(stamp_input | sha256sum | cut -d' ' -f1)"
target="$out/pulumi-language-yaml"

mkdir -p "$out"
if [ -x "$target" ] && [ -f "$out/.stamp-yaml" ] && [ "$(cat "$out/.stamp-yaml")" = "$stamp" ]; then
  echo "build-pulumi-yaml: $target is up to date ($version)"
  exit 0
fi

rm -f "$out/.stamp-yaml"
echo "build-pulumi-yaml: building $package@$version with $("$go_bin" version) (a cold build takes a few minutes on 2 cores)"
if ! (
  cd "$module"
  CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local "$go_bin" build \
    -ldflags "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=$version" \
    -o "$target.partial" "$package"
); then
  rm -f "$target.partial"
  give_up "go build of pulumi-language-yaml failed (see above; it needs Go 1.25+ and the Go module proxy)"
fi

# The binary's own build record must name the pinned release and the stamp, or the wrong module was built.
info="$("$go_bin" version -m "$target.partial")"
if ! grep -Eq "^[[:space:]]+mod[[:space:]]+github.com/pulumi/pulumi-yaml[[:space:]]+$version[[:space:]]" <<<"$info" ||
  ! grep -q "pulumi-yaml/pkg/version.Version=$version" <<<"$info"; then
  rm -f "$target.partial"
  echo "$info" >&2
  give_up "the built pulumi-language-yaml does not record github.com/pulumi/pulumi-yaml $version (see above)"
fi
mv "$target.partial" "$target"
echo "$stamp" >"$out/.stamp-yaml"
echo "build-pulumi-yaml: $target (github.com/pulumi/pulumi-yaml $version)"
