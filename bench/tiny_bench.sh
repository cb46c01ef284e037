#!/bin/sh
# Tiny-model throughput, tinyvmaf vs onnxruntime-node on the same rows.
#   tiny_bench.sh TINY_BENCH_EXE UPSTREAM_DIR NODE_DIR
# Installs onnxruntime-node into NODE_DIR (a build directory, gitignored)
# on first use; without npm or network it prints tinyvmaf's numbers alone.
set -u
exe=$1 upstream=$2 node_dir=$3
here=$(dirname "$0")
models="$upstream/vmaf_tiny_v2.onnx $upstream/vmaf_tiny_v3.onnx"
[ -f "$upstream/vectors.csv" ] || { echo "tiny bench: no fixtures at $upstream"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
ort=0
if [ ! -d "$node_dir/node_modules/onnxruntime-node" ] && command -v npm >/dev/null; then
    mkdir -p "$node_dir"
    echo "tiny bench: installing onnxruntime-node into $node_dir"
    (cd "$node_dir" && [ -f package.json ] || echo '{"private":true}' >package.json) &&
        (cd "$node_dir" && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund \
            --loglevel=error onnxruntime-node >/dev/null 2>&1) ||
        echo "tiny bench: npm install onnxruntime-node failed"
fi
have_ort=0
[ -d "$node_dir/node_modules/onnxruntime-node" ] && command -v node >/dev/null && have_ort=1
# Alternate the two runtimes and keep each one's best of 3: on a shared,
# busy host this is the fairest figure either can reach.
: >"$tmp/c"
: >"$tmp/ort"
for rep in 1 2 3; do
    # shellcheck disable=SC2086
    "$exe" "$upstream" $models >>"$tmp/c" || { echo "tiny bench: tiny_bench failed"; exit 1; }
    if [ $have_ort = 1 ]; then
        # shellcheck disable=SC2086
        node "$here/tiny_ort.js" "$node_dir" "$upstream" $models >>"$tmp/ort" && ort=1
    fi
done
best() { awk '{ k = $1 " " $2; if (!(k in m) || $3 > m[k]) { m[k] = $3; if (!(k in o)) ord[n++] = k; o[k] = 1 } }
              END { for (i = 0; i < n; i++) print ord[i], m[ord[i]] }' "$1"; }
best "$tmp/c" >"$tmp/c.best"
best "$tmp/ort" >"$tmp/ort.best"
echo "tiny models: rows/s, one thread, best of 3 ($(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
awk 'FILENAME == ARGV[1] { o[$1 " " $2] = $3; next }
     FNR == 1 { printf "%-20s %6s %16s %22s %8s\n", "model", "batch", "tinyvmaf", "onnxruntime-node", "ratio" }
     { k = $1 " " $2; r = (k in o) ? o[k] : "-"
       printf "%-20s %6d %16.0f %22s %8s\n", $1, $2, $3, r, r == "-" ? "-" : sprintf("%.1fx", $3 / r) }' \
    "$tmp/ort.best" "$tmp/c.best"
[ $ort = 1 ] || echo "(onnxruntime-node not available: tinyvmaf only)"
