#!/bin/sh
# Data-parallel scaling on this machine: the quickstart CNN on Fashion-MNIST, 1 rank x 1 thread
# vs 2 ranks x 1 thread (--nproc-per-node 2, Gloo on loopback), alternating, median of each.
# Prints samples/s, the scaling efficiency (2-rank rate / (2 x 1-rank rate)) and the share of
# rank 0's training time spent in the gradient all-reduce.
#   scripts/bench/distributed.sh [train_images] [rounds]     (DLTRAIN_BUILD_DIR: another build)
set -eu
images=${1:-12000}
rounds=${2:-3}
cd "$(dirname "$0")/../.."
dltrain="${DLTRAIN_BUILD_DIR:-build}/dltrain"
[ -x "$dltrain" ] || { echo "distributed.sh: $dltrain not found; run ./scripts/setup.sh first" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$1" "$2"; }
run() {  # name nproc
  "$dltrain" run configs/quickstart.yaml --quiet --output "$out" --force --set name="$1" --set threads=1 \
    --set data.subset.train="$images" --set data.subset.test=1000 --set data.workers=1 --set train.epochs=1 \
    --nproc-per-node "$2"
}
one="" two="" share=""
for _ in $(seq "$rounds"); do
  run one 1
  one="$one $(field "$out/one/summary.json" "d['samples_per_second']")"
  run two 2
  two="$two $(field "$out/two/summary.json" "d['samples_per_second']")"
  share="$share $(field "$out/two/summary.json" "d['distributed']['allreduce_fraction']")"
done
a=$(echo "$one" | tr ' ' '\n' | grep . | median)
b=$(echo "$two" | tr ' ' '\n' | grep . | median)
s=$(echo "$share" | tr ' ' '\n' | grep . | median)
echo "1 rank x 1 thread:  $a samples/s   (runs:$one)"
echo "2 ranks x 1 thread: $b samples/s   (runs:$two)"
awk "BEGIN {printf \"scaling efficiency: %.0f%%   all-reduce share of rank 0's training time: %.1f%%\n\", 100 * $b / (2 * $a), 100 * $s}"
