#!/usr/bin/env bash
# Runs the libFuzzer harnesses of tests/fuzz, each for a bounded time, and prints per harness
# the executions, the corpus size and the verdict. Non-zero exit on any crash, leak, timeout,
# oversized allocation or sanitizer report; the input is kept in build-sanitize/fuzz/findings/.
#   scripts/fuzz.sh                       # every harness, 60 s each
#   scripts/fuzz.sh --seconds 30 idx      # some harnesses
# Seeds are read from tests/fuzz/corpus/<harness>/ (committed); new inputs the fuzzer finds
# go to build-sanitize/fuzz/corpus/<harness>/ and are reused by the next run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${DLTRAIN_SANITIZE_BUILD_DIR:-$root/build-sanitize}"
seconds=60
harnesses=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) harnesses+=("$1"); shift ;;
  esac
done
if [ ${#harnesses[@]} -eq 0 ]; then
  harnesses=($(ls "$root/tests/fuzz" | sed -n 's/^fuzz_\(.*\)\.cpp$/\1/p'))
fi

"$root/scripts/sanitized-build.sh" "${harnesses[@]/#/fuzz_}"

export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$root/tests/fuzz/lsan.supp:print_suppressions=0"
failed=()
printf '%-12s %12s %8s  %s\n' harness executions corpus verdict
for name in "${harnesses[@]}"; do
  work="$build_dir/fuzz/corpus/$name" findings="$build_dir/fuzz/findings/$name"
  mkdir -p "$work" "$findings"
  log="$build_dir/fuzz/$name.log"
  verdict=clean
  # -rss_limit_mb / -malloc_limit_mb: a lying size field that allocates gigabytes is a finding.
  if ! TMPDIR="$build_dir/fuzz" "$build_dir/tests/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=3072 -malloc_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$findings/" \
      "$work" "$root/tests/fuzz/corpus/$name" >"$log" 2>&1; then
    verdict="FAILED (see $log and $findings)"
    failed+=("$name")
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  corpus=$(find "$work" "$root/tests/fuzz/corpus/$name" -type f | wc -l)
  printf '%-12s %12s %8s  %s\n' "$name" "${runs:-?}" "$corpus" "$verdict"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in: ${failed[*]}" >&2
  exit 1
fi
