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

script_name=build-pulumi-yaml
skipped_note="the real-engine tier's YAML programs will not run; the other tiers run"
# shellcheck source=lib/go-tool-build.sh
source "$root/scripts/lib/go-tool-build.sh"
parse_args "$@"

version="v1.25.0"
out="$root/.cache/pulumi-cli"
module="$root/tools/pulumi-yaml"
package="github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"

find_go "pulumi-language-yaml"

stamp_input() {
  cat "$module/go.mod" "$module/go.sum" "$0" "$root/scripts/lib/go-tool-build.sh"
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
