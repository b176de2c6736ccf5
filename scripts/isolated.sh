#!/usr/bin/env bash
# Runs a command inside a fresh network namespace that has only a loopback interface: no route anywhere, so
# nothing the command starts (OpenClaw phoning home at start, a DNS lookup, a stray tailnet address) can leave this
# machine. The e2e suite runs in one (npm run test:e2e); the namespaces its hosts live in are made from inside it
# and see nothing but each other. Needs root (ip netns), like the e2e suite itself.
set -euo pipefail
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null 2>&1; then
  echo "isolated.sh: needs root and iproute2 (ip netns) to run the suite with no route off this machine" >&2
  exit 1
fi
ns="cmiso$$"
ip netns add "$ns"
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip -n "$ns" link set lo up
ip netns exec "$ns" "$@"
