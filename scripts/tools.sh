#!/usr/bin/env bash
# npm run tools: builds the real programs the tests run and that Debian does not ship at the
# pinned version, from their Go modules (no registry, no prebuilt download), into a cache outside
# the clone so a fresh clone on the same machine reuses them:
#   ${TORRUST_TOOLS_CACHE:-~/.cache/torrust-tracker-cdktf/tools}/<name>-<version>/bin/<binary>
# One line per tool: built (seconds, peak MB) or cached. A tool is rebuilt only when its
# folder has no .built marker (a failed build leaves none); an in-repo tool (how=local) has the hash
# of its sources in its folder name, so editing it rebuilds it. Usage: scripts/tools.sh [name...]
# Prints the cache path of each tool with --print NAME (exit 1 when not built).
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="${TORRUST_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/torrust-tracker-cdktf/tools}"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0
export PATH="/usr/local/go/bin:$PATH"

# name | version | how | module | binary. how: install = go install MODULE@VERSION; source:PKG = go mod
# download MODULE@VERSION and go build PKG in a writable copy (for modules whose @v/list the module
# proxy refuses, which go install reads); tofu = source:./cmd/tofu with its version flag; local = go
# build of the in-repo folder given as module.
TOOLS=(
  "tofu|1.10.10|tofu|github.com/opentofu/opentofu|tofu"
  "hcloud-provider|1.68.0|source:.|github.com/hetznercloud/terraform-provider-hcloud|terraform-provider-hcloud"
  "caddy|2.10.2|install|github.com/caddyserver/caddy/v2/cmd/caddy|caddy"
  "pebble|2.10.1|install|github.com/letsencrypt/pebble/v2/cmd/pebble|pebble"
  "prometheus|3.5.1|install|github.com/prometheus/prometheus/cmd/prometheus@v0.305.1|prometheus"
  "promtool|3.5.1|install|github.com/prometheus/prometheus/cmd/promtool@v0.305.1|promtool"
  # Not the real provider (the module proxy refuses it): a schema-only STAND-IN, see its README.
  "cloudflare-provider-standin|5.14.0|local|tools/cloudflare-provider-standin|terraform-provider-cloudflare"
  # go install refuses it here (the proxy refuses its @v/list): built from the downloaded module.
  "json-exporter|0.7.0|source:.|github.com/prometheus-community/json_exporter|json_exporter"
  # The rehearsal's TLS client (Go's crypto/tls offers the post-quantum groups), see its main.go.
  "tls-probe|1|local|rehearsal/tls-probe|tls-probe"
)

field() { local IFS='|'; read -r -a f <<<"$1"; echo "${f[$2]}"; }
# Hash of an in-repo tool's build inputs (go.mod, go.sum, *.go of its main package), first 12 hex digits.
src_hash() { (cd "$1" && find . -maxdepth 1 -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-12; }
dir_of() {
  local d="$CACHE/$(field "$1" 0)-$(field "$1" 1)"
  [ "$(field "$1" 2)" = local ] && d="$d-$(src_hash "$(field "$1" 3)")"
  echo "$d"
}
find_tool() { for t in "${TOOLS[@]}"; do [ "$(field "$t" 0)" = "$1" ] && { echo "$t"; return 0; }; done; return 1; }

if [ "${1:-}" = "--print" ]; then
  t=$(find_tool "${2:?--print NAME}") || { echo "unknown tool ${2}" >&2; exit 2; }
  d=$(dir_of "$t")
  [ -f "$d/.built" ] || exit 1
  echo "$d/bin/$(field "$t" 4)"
  exit 0
fi

# One build at a time (test commands of parallel sessions may start this): the others wait.
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
if ! flock -n 9; then echo "tools: another build is running; waiting for it" >&2; flock 9; fi

if [ ! -x /usr/local/go/bin/go ]; then
  echo "tools: Go is not at /usr/local/go; these machines have it (see README)" >&2
  exit 1
fi
[ -x /usr/bin/time ] || { echo "tools: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }

build() {
  local name=$1 version=$2 how=$3 module=$4 binary=$5 out=$6
  case "$how" in
    install)
      local ref="$module@v$version"
      [[ "$module" == *@* ]] && ref="$module"
      GOBIN="$out/bin" go install -trimpath -ldflags="-s -w" "$ref"
      ;;
    tofu|source:*)
      # go install refuses modules with replace directives (tofu) and reads the module's @v/list,
      # which the proxy refuses for some (hcloud): download, build in a writable copy.
      local src pkg=./cmd/tofu ldflags="-s -w -X github.com/opentofu/opentofu/version.dev=no"
      [ "$how" = tofu ] || { pkg=${how#source:}; ldflags="-s -w"; }
      src=$(go mod download -json "$module@v$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
      [ -n "$src" ] || { echo "tools: go mod download $module@v$version gave no folder" >&2; return 1; }
      rm -rf "$out/src" && mkdir -p "$out/src" && cp -r "$src/." "$out/src/" && chmod -R u+w "$out/src"
      (cd "$out/src" && go build -trimpath -ldflags="$ldflags" -o "$out/bin/$binary" "$pkg")
      rm -rf "$out/src"
      ;;
    local)
      (cd "$module" && go build -trimpath -ldflags="-s -w" -o "$out/bin/$binary" .)
      ;;
  esac
}

want=("$@")
for t in "${TOOLS[@]}"; do
  name=$(field "$t" 0); version=$(field "$t" 1)
  if [ ${#want[@]} -gt 0 ] && [[ ! " ${want[*]} " == *" $name "* ]]; then continue; fi
  out=$(dir_of "$t")
  if [ -f "$out/.built" ]; then
    printf 'tools: %-16s %-8s cached   %s\n' "$name" "$version" "$(cat "$out/.built")"
    continue
  fi
  # A rebuilt in-repo tool replaces the builds of its older sources.
  if [ "$(field "$t" 2)" = local ]; then rm -rf "${out%-*}"-*; fi
  rm -rf "$out" && mkdir -p "$out/bin"
  printf 'tools: %-16s %-8s building from %s ...\n' "$name" "$version" "$(field "$t" 3)"
  log="$out/build.log"
  start=$(date +%s)
  export -f build
  if ! /usr/bin/time -v -o "$out/time.txt" bash -c 'build "$@"' _ "$name" "$version" "$(field "$t" 2)" "$(field "$t" 3)" "$(field "$t" 4)" "$out" >"$log" 2>&1; then
    echo "tools: $name $version FAILED; last lines of $log:" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  secs=$(( $(date +%s) - start ))
  peak=$(awk -F': ' '/Maximum resident set size/ { printf "%d", $2 / 1024 }' "$out/time.txt")
  echo "built in ${secs} s, peak ${peak} MB (cold module cache: more)" > "$out/.built"
  printf 'tools: %-16s %-8s built in %s s, peak %s MB -> %s\n' "$name" "$version" "$secs" "$peak" "$out/bin/$(field "$t" 4)"
done
