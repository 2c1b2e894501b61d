#!/usr/bin/env bash
# The test command (npm test): Debian programs the tests need, the Go-built tools (built once
# into a cache outside the clone, only when missing), type check, then every test file under
# test/ with node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
bash scripts/tools.sh
export CHECKPOINT_DISABLE=1
export TF_CLI_CONFIG_FILE="$PWD/terraformrc.empty"
[ -d .gen/providers/hcloud ] || npm run --silent gen:hcloud
echo "type check (tsc --noEmit)"
npx tsc --noEmit -p .
mapfile -t files < <(find test -name '*.test.ts' | sort)
if [ $# -gt 0 ]; then files=("$@"); fi
node --import tsx --test --test-reporter=spec "${files[@]}"
