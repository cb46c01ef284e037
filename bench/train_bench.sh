#!/bin/sh
# Training speed (`make bench`, never pass/fail): 90 epochs of mlp_medium on
# 330 499 synthetic rows on one core, tinyvmaf per ISA level beside
# upstream's recipe in Debian's PyTorch (tools/train_torch.py, 1 thread).
# usage: train_bench.sh TINYVMAF TRAIN_SYNTH SOURCE_ROOT WORKDIR
set -eu
cli=$1 synth=$2 src=$3 work=$4
rows=330499
mkdir -p "$work"
data=$work/train_bench_${rows}.csv
[ -s "$data" ] || "$synth" "$data" $rows 20 1

pin=""
if command -v taskset >/dev/null 2>&1; then pin="taskset -c 0"; fi

secs() { sed -n 's/.* seed [0-9]*, \([0-9.]*\) s$/\1/p'; }

echo "train-bench: mlp_medium, 90 epochs, batch 256, $rows rows, one core"
for level in "0 best" "16 avx2" "63 c"; do
    set -- $level
    t=$($pin "$cli" train --data "$data" --arch mlp_medium --cpumask "$1" \
        --epochs 90 --quiet | secs)
    echo "  tinyvmaf ($2 kernels): ${t} s"
    [ "$1" = 0 ] && ours=$t
done
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    theirs=$($pin /usr/bin/python3 "$src/tools/train_torch.py" --data "$data" --arch mlp_medium \
        --epochs 90 --seeds 0 --threads 1 | sed -n 's/^seconds: \([0-9.]*\) .*/\1/p')
    echo "  torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') (1 thread): ${theirs} s"
    /usr/bin/python3 -c "print('  speed-up: %.1fx' % ($theirs / $ours))"
else
    echo "  torch: not installed (apt-get install python3-torch), no comparison"
fi
