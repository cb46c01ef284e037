#!/bin/sh
# `make bench`: speed figures (information, never pass/fail). Builds its
# clips from Debian-packaged natural content into $BUILD/bench-clips.
set -u
build=${1:-build}
here=$(dirname "$0")
/usr/bin/python3 "$here/bench_engine.py" "$build"
/usr/bin/python3 "$here/batch_bench.py" "$build"
# Benchmarks registered with meson's benchmark() (tiny models, training).
meson test -C "$build" --benchmark --verbose 2>&1 | grep -v "^ninja:" || true
