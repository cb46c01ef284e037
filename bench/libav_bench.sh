#!/bin/sh
# Scoring speed of a 1080p H.264 distorted video read through libav
# (tools/input/libav.c) against the same frames from Y4M, at 1 and 2
# scoring threads.
#   bench/libav_bench.sh [BUILD] [FRAMES] [RUNS]
# Needs ffmpeg (Debian) and a build with libav. Each run scores the Y4M and
# the .mp4 back to back (interleaved, so both see the same load), RUNS
# times per thread count; the figure is the best fps of each (the run the
# least disturbed by other processes) and their ratio. fps is the report's
# "fps": frames / scoring time. The CPU time per frame (user + system, all
# threads, decoding included; the lowest of the runs) is printed beside it:
# on a machine whose cores are all busy, the speed ratio tends to the
# ratio of CPU times.
set -eu
BUILD=${1:-build}
FRAMES=${2:-120}
RUNS=${3:-3}
T=$BUILD/tools/tinyvmaf
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT INT TERM
ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=1920x1080:rate=30" -frames:v "$FRAMES" \
  -pix_fmt yuv420p "$D/ref.y4m"
ffmpeg -nostdin -v error -i "$D/ref.y4m" -c:v libx264 -crf 28 -preset veryfast "$D/dis.mp4"
ffmpeg -nostdin -v error -i "$D/dis.mp4" "$D/dis.y4m"
if ! "$T" -r "$D/ref.y4m" -d "$D/dis.mp4" -q --no_prediction --frame_cnt 1 >/dev/null 2>&1; then
  echo "libav bench skipped: this build does not read .mp4 (no FFmpeg libraries)"
  exit 0
fi
# CPU seconds used by this shell's children so far (the second line of
# `times`, which must run in this shell, not in a $(...) subshell).
cpu() { awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m");
  t += p[1] * 60 + p[2] } printf "%.3f", t }' "$D/times"; }
run() { # $1 = distorted file, $2 = threads; sets fps and cps (CPU s/frame)
  times > "$D/times"; c0=$(cpu)
  "$T" -r "$D/ref.y4m" -d "$1" -q --json -o "$D/out.json" --no_prediction --threads "$2"
  times > "$D/times"
  cps=$(awk -v a="$c0" -v b="$(cpu)" -v n="$FRAMES" 'BEGIN {printf "%.4f", (b - a) / n}')
  fps=$(sed -n 's/.*"fps": *\([0-9.]*\).*/\1/p' "$D/out.json" | head -n 1)
}
max() { awk -v a="$1" -v b="$2" 'BEGIN {print (b > a ? b : a)}'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN {print (a == 0 || b < a ? b : a)}'; }
summary=""
for t in 1 2; do
  by=0; bm=0; cy=0; cm=0; i=0
  while [ "$i" -lt "$RUNS" ]; do
    run "$D/dis.y4m" "$t"; a=$fps; ca=$cps
    run "$D/dis.mp4" "$t"; b=$fps; cb=$cps
    echo "threads $t, run $i: y4m $a fps ($ca CPU s/frame), mp4 $b fps ($cb CPU s/frame)"
    by=$(max "$by" "$a"); bm=$(max "$bm" "$b"); cy=$(min "$cy" "$ca"); cm=$(min "$cm" "$cb")
    i=$((i + 1))
  done
  r=$(awk -v a="$bm" -v b="$by" 'BEGIN {printf "%.3f", a / b}')
  rc=$(awk -v a="$cy" -v b="$cm" 'BEGIN {printf "%.3f", a / b}')
  summary="$summary
threads $t: best of $RUNS: y4m $by fps, mp4 $bm fps, ratio $r; CPU s/frame y4m $cy, mp4 $cm, ratio $rc"
done
echo "libav bench, 1080p H.264 (x264 crf 28) vs the same frames from Y4M, $FRAMES frames,$summary"
echo "($(nproc) CPUs, load average $(cut -d ' ' -f 1-3 /proc/loadavg))"
