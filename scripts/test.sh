#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through ctest.
#   ./scripts/test.sh              # everything
#   ./scripts/test.sh -R config    # extra arguments go to ctest
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${DLTRAIN_BUILD_DIR:-$root/build}"

"$root/scripts/setup.sh"
cd "$build_dir"
ctest --output-on-failure -j "$(nproc)" "$@"
