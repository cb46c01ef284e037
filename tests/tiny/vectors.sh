#!/bin/sh
# predict reproduces the upstream reference vectors (onnxruntime 1.30).
# Rows 1-47 run one per batch, rows 48-1047 as one batch (README).
. "$(dirname "$0")/common.sh"
need_upstream
scratch vectors
U=$TINY_UPSTREAM
head -n 48 "$U/vectors.csv" >"$T/single.csv"
{ head -n 1 "$U/vectors.csv"; tail -n +49 "$U/vectors.csv"; } >"$T/block.csv"
for spec in v2:7:rel v3:8:rel v3.int8:9:exact v4:10:rel; do
    m=${spec%%:*}; rest=${spec#*:}; col=${rest%%:*}; mode=${rest#*:}
    { "$TINY_CLI" predict --tiny-model "$U/vmaf_tiny_$m.onnx" --features "$T/single.csv" --batch 1 &&
      "$TINY_CLI" predict --tiny-model "$U/vmaf_tiny_$m.onnx" --features "$T/block.csv"; } \
        >"$T/got_$m" || fail "predict $m"
    tail -n +2 "$U/vectors.csv" | cut -d, -f"$col" >"$T/ref_$m"
    compare_scores "$T/got_$m" "$T/ref_$m" "$mode" 1e-4 "vmaf_tiny_$m"
done

# By registry id, including the int8 siblings the registry lists by digest.
# Upstream's registry pins only the ONNX files, so ids go through a pinned
# copy (sidecars and external data pinned too); v2 is also copied as "upv2",
# an id the built-in registry (searched first without --model-dir) lacks.
P=$T/pinned
"$TINY_PYTHON" "$(dirname "$0")/pin_registry.py" "$U" "$P" --as vmaf_tiny_v2=upv2 >"$T/pin.log" ||
    fail "pin_registry.py"
"$TINY_CLI" predict --model-dir "$P" --tiny-model vmaf_tiny_v3_int8 --features "$T/block.csv" \
    >"$T/id_v3i8" || fail "predict by id vmaf_tiny_v3_int8"
tail -n 1000 "$T/got_v3.int8" | cmp -s - "$T/id_v3i8" || fail "id vmaf_tiny_v3_int8 differs from path"
"$TINY_CLI" predict --model-dir "$P" --tiny-model vmaf_tiny_v2 --features "$T/block.csv" \
    >"$T/id_v2" || fail "predict by id vmaf_tiny_v2 (--model-dir)"
tail -n 1000 "$T/got_v2" | cmp -s - "$T/id_v2" || fail "id vmaf_tiny_v2 differs from path"
TINYVMAF_MODEL_DIR=$P "$TINY_CLI" predict --tiny-model upv2 --features "$T/block.csv" \
    >"$T/id_upv2" || fail "predict by id from TINYVMAF_MODEL_DIR"
tail -n 1000 "$T/got_v2" | cmp -s - "$T/id_upv2" || fail "id upv2 (TINYVMAF_MODEL_DIR) differs from path"
# The same ids straight from upstream's registry: refused (unpinned sidecar).
"$TINY_CLI" predict --model-dir "$U" --tiny-model vmaf_tiny_v2 --features "$T/block.csv" \
    >"$T/id_up" 2>"$T/err_up" && fail "id vmaf_tiny_v2 loaded from upstream's registry"
grep -q 'vmaf_tiny_v2.json: the registry pins no sha256' "$T/err_up" || { cat "$T/err_up"; fail "cause"; }
[ ! -s "$T/id_up" ] || fail "scores printed despite the refusal"

# v4.int8 (sidecar digest from vmaf_tiny_v4.json's int8_sha256) and v1
# (external data, digest from the registry) have no reference column:
# check they load and agree with their fp32 sibling / stay finite.
"$TINY_CLI" predict --tiny-model "$U/vmaf_tiny_v4.int8.onnx" --features "$T/block.csv" \
    >"$T/got_v4i8" || fail "predict v4.int8"
tail -n 1000 "$T/got_v4" >"$T/v4_block"
# Sanity bound only: int8 vs fp32 differs by up to ~1 point on these rows.
compare_scores "$T/got_v4i8" "$T/v4_block" rel 0.05 "vmaf_tiny_v4.int8 vs v4 (sanity bound)"
"$TINY_CLI" predict --model-dir "$P" --tiny-model vmaf_tiny_v4_int8 --features "$T/block.csv" \
    | cmp -s - "$T/got_v4i8" || fail "id vmaf_tiny_v4_int8 differs from path"
"$TINY_CLI" predict --tiny-model "$U/vmaf_tiny_v1.onnx" --features "$T/block.csv" \
    >"$T/got_v1" 2>"$T/err_v1" || { cat "$T/err_v1"; fail "predict v1 (external data)"; }
[ "$(wc -l <"$T/got_v1")" -eq 1000 ] || fail "v1 row count"
awk '$1 != $1 + 0 || $1 < -50 || $1 > 150 { exit 1 }' "$T/got_v1" || fail "v1 scores out of range"
echo "vmaf_tiny_v1: 1000 rows, all finite and in range"
# By path nothing pins v1's external data: a warning. By id from the pinned
# copy the registry pins it: the same scores, no warning about the data.
grep -q 'vmaf_tiny_v1.onnx.data: external data not pinned' "$T/err_v1" ||
    { cat "$T/err_v1"; fail "no warning for v1's unpinned external data (by path)"; }
"$TINY_CLI" predict --model-dir "$P" --tiny-model vmaf_tiny_v1 --features "$T/block.csv" \
    >"$T/id_v1" 2>"$T/err_id_v1" || { cat "$T/err_id_v1"; fail "predict by id vmaf_tiny_v1"; }
cmp -s "$T/got_v1" "$T/id_v1" || fail "id vmaf_tiny_v1 differs from path"
! grep -q '\.data' "$T/err_id_v1" || { cat "$T/err_id_v1"; fail "warning about pinned data"; }
echo "vmaf_tiny_v1 by id: external data pinned, same scores as by path"
