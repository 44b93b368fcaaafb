#!/usr/bin/env bash
# Installs dltrain's Debian packages (only the missing ones), then configures and builds into
# build/. Safe to run again: it installs nothing new and rebuilds only what changed.
#   ./scripts/setup.sh                 # Release build with the vision module
#   DLTRAIN_CMAKE_ARGS="-DDLTRAIN_WITH_VISION=OFF" ./scripts/setup.sh
#   ./scripts/setup.sh --packages-only   # install, do not build
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${DLTRAIN_BUILD_DIR:-$root/build}"

packages=(
  g++ cmake ninja-build ccache pkg-config
  libtorch-dev libgloo-dev libopenblas0-pthread libdnnl-dev
  libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev zlib1g-dev
  libopencv-dev catch2 dataset-fashion-mnist libsqlite3-dev
  clang libclang-rt-14-dev
)

say() { printf 'setup: %s\n' "$*" >&2; }

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    say "apt-get not found: dltrain's setup needs Debian 12 (or a derivative)."
    say "install these packages (or their equivalents) by hand: ${missing[*]}"
    exit 1
  fi
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    say "these packages are missing and installing them needs root: ${missing[*]}"
    say "run: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    say "then run this script again."
    exit 1
  fi
  say "installing ${#missing[@]} package(s): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  say "all ${#packages[@]} packages present"
fi

[ "${1:-}" = "--packages-only" ] && exit 0

# Configure once; later runs only rebuild. Extra CMake flags come from DLTRAIN_CMAKE_ARGS.
if [ ! -f "$build_dir/build.ninja" ]; then
  # clang by default (CXX=g++ overrides): on LibTorch's headers it compiles about twice as fast as
  # g++, whose precompiled header still re-instantiates every template in each file.
  if [ -z "${CXX:-}" ] && command -v clang++ >/dev/null 2>&1; then
    export CC=clang CXX=clang++
  fi
  # shellcheck disable=SC2086
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release ${DLTRAIN_CMAKE_ARGS:-}
fi
jobs="$(nproc)"
say "building in $build_dir with $jobs jobs"
cmake --build "$build_dir" -j "$jobs"
say "done: $build_dir/dltrain"
