#!/bin/sh
# Loader benchmark: dltrain vs torchvision on the same Fashion-MNIST images and ops, alternating
# runs, median of each, as a ratio. Build first: ninja -C build bench_loader (DLTRAIN_BUILD_DIR: another build).
#   scripts/bench/loader.sh [images] [rounds]
set -eu
images=${1:-20000}
rounds=${2:-3}
cd "$(dirname "$0")/../.."
bench="${DLTRAIN_BUILD_DIR:-build}/scripts/bench/bench_loader"
if [ ! -x "$bench" ]; then
  echo "loader.sh: $bench not found; build it first: cmake --build ${DLTRAIN_BUILD_DIR:-build} --target bench_loader" >&2
  exit 1
fi
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
rate() { sed 's/.*"images_per_second": \([0-9.]*\).*/\1/'; }
for pipeline in standard heavy; do
  for workers in 1 2; do
    ours="" theirs=""
    for _ in $(seq "$rounds"); do
      ours="$ours $("$bench" --images "$images" --workers "$workers" --pipeline "$pipeline" | rate)"
      theirs="$theirs $(/usr/bin/python3 scripts/bench/loader_torchvision.py --images "$images" --workers "$workers" --pipeline "$pipeline" | rate)"
    done
    a=$(echo "$ours" | tr ' ' '\n' | grep . | median)
    b=$(echo "$theirs" | tr ' ' '\n' | grep . | median)
    echo "$pipeline workers=$workers dltrain=$a img/s torchvision=$b img/s ratio=$(awk "BEGIN {printf \"%.1f\", $a / $b}")"
  done
done
