#!/usr/bin/env bash
# `npm test`: provisions what the suite needs (scripts/provision.sh), builds, then runs every suite on the Node 24
# it provisioned — whatever Node ran npm (claw-mesh itself needs 22.12+, the real OpenClaw gateway 24.16+), so one
# command is enough on a fresh machine. Arguments go to vitest for the unit and integration run.
set -euo pipefail
cd "$(dirname "$0")/.."
provision_env=$(bash scripts/provision.sh --print-env) # a failure stops here (eval "$(…)" would hide it)
eval "$provision_env"
node -v >&2
npm run build
npx vitest run --project unit --project integration "$@"
npm run test:e2e
