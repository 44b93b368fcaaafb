#!/usr/bin/env bash
# Builds TARGETs in build-sanitize/: clang with AddressSanitizer + UndefinedBehaviorSanitizer
# and libFuzzer coverage. scripts/test.sh --sanitize and scripts/fuzz.sh share this tree, so
# the libraries they both need compile once.
#   scripts/sanitized-build.sh test_config fuzz_idx
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${DLTRAIN_SANITIZE_BUILD_DIR:-$root/build-sanitize}"

"$root/scripts/setup.sh" --packages-only  # clang and its sanitizer runtimes among them
if [ ! -f "$build_dir/build.ninja" ]; then
  # -O1 with line tables: readable sanitizer reports at a fraction of a -O3 -g build's cost.
  # The vision module is on, as in the main build: the CLI tests drive image files and augment
  # (the quick subset and the fuzzers do not link it, so they do not pay for it).
  CC=clang CXX=clang++ cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DDLTRAIN_FUZZ=ON \
    >/dev/null
fi
cmake --build "$build_dir" -j "$(nproc)" --target "$@"
