#!/bin/sh
# On this (CPU) machine: gathers what scripts/gpu-check.sh needs on a GPU machine that has
# LibTorch 2.x with CUDA but none of Debian's -dev packages and no network (see
# ../shared/docs/gpu-device.md). Writes .deps/ (ignored by git; carry it):
#   .deps/root/usr/...     the small header/library packages, extracted (about 10 MB)
#   .deps/fmnist/          a Fashion-MNIST IDX subset (train 6000, t10k 1000 images)
set -eu
cd "$(dirname "$0")/.."
mkdir -p .deps/debs .deps/root .deps/fmnist
(cd .deps/debs && apt-get download libyaml-cpp-dev libyaml-cpp0.7 libspdlog-dev libspdlog1.10 libfmt-dev libfmt9 \
  libcli11-dev catch2 nlohmann-json3-dev libsqlite3-dev libsqlite3-0 libgloo-dev)
for deb in .deps/debs/*.deb; do dpkg -x "$deb" .deps/root; done
# An IDX subset: the header with the new count, then the first records.
python3 - <<'PY'
import gzip, struct
src = "/usr/share/datasets/fashion-mnist"
for split, count in (("train", 6000), ("t10k", 1000)):
    for kind, record in (("images-idx3-ubyte", 28 * 28), ("labels-idx1-ubyte", 1)):
        data = gzip.open(f"{src}/{split}-{kind}.gz").read()
        dims = data[3]
        header = bytearray(data[: 4 + 4 * dims])
        struct.pack_into(">I", header, 4, count)
        with open(f".deps/fmnist/{split}-{kind}", "wb") as out:
            out.write(header + data[4 + 4 * dims : 4 + 4 * dims + count * record])
PY
du -sh .deps
