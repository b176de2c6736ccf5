#!/usr/bin/env bash
# Builds the real tailscale, tailscaled and headscale for the end-to-end suite into the cache, once per version.
# Needs Go (1.26.5+) and, on a cold cache, the Go module proxy. Prints the directories it provisioned: the current
# tailscale, headscale, and the oldest tailscale claw-mesh supports (for the flag contract tests).
# Current here means the newest release the module proxy serves whose dependencies it serves too: tailscale 1.104.x
# needs go1.27.3+ and dependencies the proxy refuses (403), so 1.102.5 is the newest that builds; headscale 0.29.3.
set -euo pipefail
CACHE="${CLAW_MESH_CACHE:-$HOME/.cache/claw-mesh}"
TAILSCALE_VERSION="${TAILSCALE_VERSION:-1.102.5}"
HEADSCALE_VERSION="${HEADSCALE_VERSION:-0.29.3}"
TAILSCALE_OLDEST_VERSION="${TAILSCALE_OLDEST_VERSION:-1.98.10}"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
[ -x "$GO" ] || { echo "provision: Go is needed to build tailscale and headscale (install Go 1.26.5+ or set GO=/path/to/go)" >&2; exit 1; }
# Module and build caches live in claw-mesh's cache so a second run (and CI) builds nothing.
export GOPATH="$CACHE/gopath" GOMODCACHE="$CACHE/gopath/pkg/mod" GOCACHE="$CACHE/go-build" CGO_ENABLED=0 GOFLAGS=-buildvcs=false

build() { # dir, ldflags, packages...: build into a scratch dir, then move, so a present dir is always complete
  local dir="$1" ldflags="$2"; shift 2
  [ -d "$dir" ] && return 0
  local tmp="$dir.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  GOBIN="$tmp" nice -n 10 "$GO" install -trimpath -ldflags "$ldflags" "$@" || { rm -rf "$tmp"; return 1; }
  mv "$tmp" "$dir"
}

TS_DIR="$CACHE/go-bin-tailscale-$TAILSCALE_VERSION"
HS_DIR="$CACHE/go-bin-headscale-$HEADSCALE_VERSION"
# Without the stamps `tailscale version` says "<v>-ERR-BuildInfo" (the version package reads them, not the module).
build "$TS_DIR" "-s -w -X tailscale.com/version.longStamp=$TAILSCALE_VERSION -X tailscale.com/version.shortStamp=$TAILSCALE_VERSION" \
  "tailscale.com/cmd/tailscale@v$TAILSCALE_VERSION" "tailscale.com/cmd/tailscaled@v$TAILSCALE_VERSION"
TS_OLDEST_DIR="$CACHE/go-bin-tailscale-$TAILSCALE_OLDEST_VERSION"
build "$TS_OLDEST_DIR" "-s -w -X tailscale.com/version.longStamp=$TAILSCALE_OLDEST_VERSION -X tailscale.com/version.shortStamp=$TAILSCALE_OLDEST_VERSION" \
  "tailscale.com/cmd/tailscale@v$TAILSCALE_OLDEST_VERSION"
# proxy.golang.org answers 403 to headscale's version list, which `go install pkg@version` reads (to look for
# deprecations). So: download the module and its dependencies from the proxy as usual, then let the install read
# the list from the module cache just filled (a file:// proxy in front of the real one).
if [ ! -d "$HS_DIR" ]; then
  hs_mod=$("$GO" mod download -json "github.com/juanfont/headscale@v$HEADSCALE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  (cd "$hs_mod" && "$GO" mod download)
  GOPROXY="file://$GOMODCACHE/cache/download,${GOPROXY:-$("$GO" env GOPROXY)}" \
    build "$HS_DIR" "-s -w" "github.com/juanfont/headscale/cmd/headscale@v$HEADSCALE_VERSION"
fi
echo "$TS_DIR"
echo "$HS_DIR"
echo "$TS_OLDEST_DIR"
