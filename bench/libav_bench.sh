#!/bin/sh
# Scoring speed of a 1080p H.264 distorted video read through libav
# (tools/input/libav.c) against the same frames from Y4M.
#   bench/libav_bench.sh [BUILD] [FRAMES] [RUNS]
# Needs ffmpeg (Debian) and a build with libav. Prints fps per run (the
# report's "fps": frames / scoring time), the medians and the median ratio.
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
fps() { # $1 = distorted file
  "$T" -r "$D/ref.y4m" -d "$1" -q --json -o "$D/out.json" --no_prediction
  sed -n 's/.*"fps": *\([0-9.]*\).*/\1/p' "$D/out.json" | head -n 1
}
y=""; m=""; q=""
i=0
while [ "$i" -lt "$RUNS" ]; do
  a=$(fps "$D/dis.y4m"); b=$(fps "$D/dis.mp4")
  r=$(awk -v a="$b" -v b="$a" 'BEGIN {printf "%.3f", a / b}')
  echo "run $i: y4m $a fps, mp4 $b fps, ratio $r"
  y="$y $a"; m="$m $b"; q="$q $r"
  i=$((i + 1))
done
med() { printf '%s\n' $1 | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
my=$(med "$y"); mm=$(med "$m")
# On a shared machine the load drifts between runs: the median of the
# back-to-back pairs' ratios is steadier than the ratio of the medians.
echo "median: y4m $my fps, mp4 $mm fps; median ratio of pairs $(med "$q") ($(nproc) CPUs)"
