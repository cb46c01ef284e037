#!/bin/sh
# `make bench`: one benchmark run (information, never pass/fail), ending with
# one summary table: tinyvmaf beside libvmaf (VMAF_BIN, VMAF_BIN_NOASM), vmaf_v0.6.1
# and the v1 model for the size (vmaf_v1.0.16_3d0h, _1d5h_2160), at
# 1080p and 2160p, 1 and 2 threads, and the per-kernel cycles per pixel.
# Self-contained: clips are made from Debian-packaged content in
# $BUILD/bench-clips. The slower figures (tiny models vs onnxruntime, training
# speed, batch throughput, libav input) are `make bench-extra`.
set -u
build=${1:-build}
here=$(dirname "$0")
exec /usr/bin/python3 "$here/bench_engine.py" "$build"
