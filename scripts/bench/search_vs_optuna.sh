#!/bin/sh
# dltrain's TPE (bench_search: the `dltrain search` worker loop and SQLite study, trials evaluate
# a function) against Optuna 3.1's TPESampler (Debian python3-optuna, defaults, seeded) on the
# same functions, spaces and trial budget. Prints a Markdown table of the best (lowest) objective
# per seed and the means. Build first: ninja -C build bench_search.
#   scripts/bench/search_vs_optuna.sh [trials] [seeds] [functions]
set -eu
trials=${1:-40}
seeds=${2:-0,1,2,3,4}
functions=${3:-mixed hartmann6}
cd "$(dirname "$0")/../.."
bench="${DLTRAIN_BUILD_DIR:-build}/scripts/bench/bench_search"
if [ ! -x "$bench" ]; then
  echo "search_vs_optuna.sh: $bench not found; build it first: cmake --build ${DLTRAIN_BUILD_DIR:-build} --target bench_search" >&2
  exit 1
fi
best() { sed 's/.*"best": \([-0-9.e]*\).*/\1/'; }
echo "| function | seed | dltrain TPE | Optuna 3.1 TPE |"
echo "| --- | --- | --- | --- |"
for function in $functions; do
  ours=$("$bench" --function "$function" --trials "$trials" --seeds "$seeds" | best)
  theirs=$(/usr/bin/python3 scripts/bench/search_vs_optuna.py --function "$function" --trials "$trials" --seeds "$seeds" | best)
  echo "$seeds" | tr ',' '\n' | paste - "$(printf '%s\n' "$ours" > /tmp/ours.$$; echo /tmp/ours.$$)" \
    "$(printf '%s\n' "$theirs" > /tmp/theirs.$$; echo /tmp/theirs.$$)" |
    awk -v f="$function" -v n="$trials" '{printf "| %s (%s trials) | %s | %.4f | %.4f |\n", f, n, $1, $2, $3; a += $2; b += $3}
      END {printf "| %s (%s trials) | **mean** | **%.4f** | **%.4f** |\n", f, n, a / NR, b / NR}'
  rm -f /tmp/ours.$$ /tmp/theirs.$$
done
