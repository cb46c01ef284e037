#!/bin/sh
# `make bench-extra`: the figures that do not fit `make bench`'s 5 minutes:
# batch throughput, libav input vs Y4M, SpEED chroma alone beside libvmaf's,
# and the benchmarks registered with meson's benchmark() (tiny models vs
# onnxruntime-node, training speed).
set -u
build=${1:-build}
here=$(dirname "$0")
/usr/bin/python3 "$here/batch_bench.py" "$build"
sh "$here/libav_bench.sh" "$build" || true
/usr/bin/python3 "$here/speed_chroma_bench.py" "$build" || true
meson test -C "$build" --benchmark --verbose 2>&1 | grep -v "^ninja:" || true
