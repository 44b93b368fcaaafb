#!/bin/bash
# On a GPU machine with an upstream LibTorch 2.x + CUDA (e.g. the device tool's, in a Python
# venv) and the .deps/ folder made by scripts/gpu-prepare.sh: builds dltrain without the vision
# module, runs the distributed and training unit tests, then trains the quickstart CNN for one
# epoch on 1 GPU (with amp) and, where there are >= 2 GPUs, on 2 GPUs with NCCL
# (--nproc-per-node 2). Prints samples/s and exits non-zero on any failure. About 5 minutes.
#   bash scripts/gpu-check.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
python=python3
[ -x /opt/torch/.venv/bin/python3 ] && python=/opt/torch/.venv/bin/python3
torch_prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
deps="$PWD/.deps/root/usr"
[ -d "$deps" ] || { echo "gpu-check: .deps/ is missing; run scripts/gpu-prepare.sh on the CPU machine and carry .deps" >&2; exit 1; }
export LD_LIBRARY_PATH="$deps/lib/x86_64-linux-gnu:$("$python" -c 'import torch, os; print(os.path.dirname(torch.__file__))')/lib:${LD_LIBRARY_PATH:-}"
nvidia-smi -L

build=build-gpu
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDLTRAIN_WITH_VISION=OFF -DDLTRAIN_USE_PCH=ON \
  -DCMAKE_PREFIX_PATH="$torch_prefix;$deps" -DCMAKE_CUDA_ARCHITECTURES=native
ninja -C "$build" -j"$(nproc)" dltrain test_dist test_train test_data
"$build/tests/test_dist"
# The smoke and imbalance runs read the full Fashion-MNIST from /usr/share/datasets (Debian's
# package); they run on the CPU machine.
"$build/tests/test_train" -# "~[#training_smoke_test]" "~[#imbalance_run_test]"
"$build/tests/test_data" "batches are page-locked exactly when they feed a CUDA device"

rate() { "$python" -c "import json,sys; d=json.load(open(sys.argv[1])); print(f\"{d['samples_per_second']:.0f} samples/s on {d['device']}, test accuracy {d['final'].get('test/accuracy')}\")" "$1"; }
common=(--output /tmp/gpu-check --force --set data.train=.deps/fmnist/train --set data.test=.deps/fmnist/t10k
        --set train.epochs=1 --set data.workers=4)
"$build/dltrain" run configs/quickstart.yaml "${common[@]}" --set name=one-gpu --set device=cuda
echo "1 GPU: $(rate /tmp/gpu-check/one-gpu/summary.json)"
# Again over the same run directory: --force deletes it first (io/remove_tree.h).
"$build/dltrain" run configs/quickstart.yaml "${common[@]}" --set name=one-gpu --set device=cuda --quiet
"$build/dltrain" run configs/quickstart.yaml "${common[@]}" --set name=one-gpu-amp --set device=cuda --set train.amp=true
echo "1 GPU, amp: $(rate /tmp/gpu-check/one-gpu-amp/summary.json)"
if [ "$(nvidia-smi -L | wc -l)" -ge 2 ]; then
  "$build/dltrain" run configs/quickstart.yaml "${common[@]}" --set name=two-gpu --set device=cuda --nproc-per-node 2
  echo "2 GPUs (NCCL): $(rate /tmp/gpu-check/two-gpu/summary.json)"
else
  # One GPU: two ranks share it over Gloo, which still exercises CUDA tensors in the collectives.
  "$build/dltrain" run configs/quickstart.yaml "${common[@]}" --set name=two-ranks --set device=cuda:0 \
    --set distributed.backend=gloo --nproc-per-node 2
  echo "2 ranks on 1 GPU (Gloo): $(rate /tmp/gpu-check/two-ranks/summary.json)"
fi
echo "gpu-check: all passed"
