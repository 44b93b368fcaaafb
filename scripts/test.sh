#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through ctest.
#   ./scripts/test.sh              # everything
#   ./scripts/test.sh -R config    # extra arguments go to ctest
#   ./scripts/test.sh --sanitize   # the suite built with ASan + UBSan (clang) in build-sanitize/
#   ./scripts/test.sh --sanitize --quick   # only the readers' modules (config, data, io, eval): CI's share
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${DLTRAIN_BUILD_DIR:-$root/build}"

sanitize=0 quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) sanitize=1; shift ;;
    --quick) quick=1; shift ;;
    *) break ;;
  esac
done

# Every Catch2 test case must reach ctest under its own name. catch_discover_tests splits the
# listed names into a CMake list: a ';' splits a name into tests that match nothing, and an
# unbalanced '[' swallows the names after it -- both silently, so they are refused here.
check_all_tests_registered() {
  local listed=0 registered binary bad names
  for binary in "$build_dir"/tests/test_*; do
    [ -f "$binary" ] && [ -x "$binary" ] || continue
    # Catch2 exits with the number of tests listed, so the status says nothing here.
    names=$("$binary" --list-test-names-only) || true
    bad=$(printf '%s\n' "$names" | grep '[][;]' || true)
    if [ -n "$bad" ]; then
      echo "test.sh: $(basename "$binary"): rename these tests (no ';', '[' or ']' in names): $bad" >&2
      exit 1
    fi
    listed=$((listed + $(printf '%s\n' "$names" | grep -c .)))
  done
  registered=$(ctest --test-dir "$build_dir" -N | sed -n 's/^Total Tests: //p')
  if [ "$listed" != "$registered" ]; then
    echo "test.sh: the test binaries hold $listed test cases but ctest knows $registered" >&2
    exit 1
  fi
}

if [ "$sanitize" = 0 ]; then
  "$root/scripts/setup.sh"
  check_all_tests_registered
  cd "$build_dir"
  exec ctest --output-on-failure -j "$(nproc)" "$@"
fi

# Any report fails the test: UBSan halts, ASan's leak check runs at exit.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$root/tests/fuzz/lsan.supp:print_suppressions=0"
if [ "$quick" = 1 ]; then
  "$root/scripts/sanitized-build.sh" test_config test_data test_io test_eval
  cd "${DLTRAIN_SANITIZE_BUILD_DIR:-$root/build-sanitize}"
  exec ctest --output-on-failure -j "$(nproc)" -R '^(config|data|io|eval):' "$@"
fi
"$root/scripts/sanitized-build.sh" all
cd "${DLTRAIN_SANITIZE_BUILD_DIR:-$root/build-sanitize}"
exec ctest --output-on-failure -j "$(nproc)" "$@"
