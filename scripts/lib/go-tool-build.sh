# Sourced by the scripts that build Go programs for the real-engine tier (build-pulumi-cli.sh, build-pulumi-yaml.sh):
# their --optional argument, how they give up, and how they find Go. Before sourcing, a script sets
#   script_name   the name its messages start with
#   skipped_note  what does not run when an --optional build gives up
# and after sourcing calls `parse_args "$@"` and `find_go "<what needs Go>"`, which sets go_bin.

optional=false

parse_args() {
  for arg in "$@"; do
    case "$arg" in
      --optional) optional=true ;;
      *)
        echo "$script_name: unknown argument $arg (usage: $script_name.sh [--optional])" >&2
        exit 2
        ;;
    esac
  done
}

# Says why the build did not happen. With --optional the tests go on without what it builds.
give_up() {
  echo "$script_name: $1" >&2
  if $optional; then
    echo "$script_name: $skipped_note" >&2
    exit 0
  fi
  exit 2
}

# GO if set, else go on PATH, else the standard install location.
find_go() {
  go_bin="${GO:-}"
  if [ -n "$go_bin" ] && [ ! -x "$go_bin" ]; then
    give_up "GO=$go_bin is not an executable Go toolchain"
  elif [ -z "$go_bin" ]; then
    if command -v go >/dev/null 2>&1; then
      go_bin="$(command -v go)"
    elif [ -x /usr/local/go/bin/go ]; then
      go_bin=/usr/local/go/bin/go
    else
      give_up "no Go toolchain (go on PATH or /usr/local/go/bin/go): install Go 1.25+ to build $1"
    fi
  fi
}
