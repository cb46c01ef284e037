#!/bin/sh
# Models written by tiny_mkmodel (no shared fixtures needed): both torch
# graph forms, external data, and the rest of the op set, against the
# helper's plain-C reference with the same operation order.
. "$(dirname "$0")/common.sh"
scratch selfmade
for v in mlp mlp_const external ops; do
    "$TINY_MKMODEL" "$v" "$T/$v.onnx" 300 || fail "mkmodel $v"
    "$TINY_CLI" predict --tiny-model "$T/$v.onnx" --features "$T/$v.csv" >"$T/$v.got" ||
        fail "predict $v"
    compare_scores "$T/$v.got" "$T/$v.expected" rel 1e-6 "$v"
done
# A row-separable model gives the same bits whatever the batch split.
"$TINY_CLI" predict --tiny-model "$T/mlp.onnx" --features "$T/mlp.csv" --batch 7 >"$T/mlp.b7" ||
    fail "predict --batch 7"
cmp -s "$T/mlp.got" "$T/mlp.b7" || fail "fp32 output depends on the batch split"
echo "mlp: --batch 7 bit-identical to one batch"
# Header-only CSV: no rows, no output, success.
head -n 1 "$T/mlp.csv" >"$T/empty.csv"
"$TINY_CLI" predict --tiny-model "$T/mlp.onnx" --features "$T/empty.csv" >"$T/empty.got" ||
    fail "header-only CSV"
[ ! -s "$T/empty.got" ] || fail "scores for a header-only CSV"
# Blanks around column names and numbers are ignored.
sed 's/,/ , /g' "$T/mlp.csv" >"$T/blanks.csv"
"$TINY_CLI" predict --tiny-model "$T/mlp.onnx" --features "$T/blanks.csv" >"$T/blanks.got" ||
    fail "predict on a CSV with blanks around fields"
cmp -s "$T/mlp.got" "$T/blanks.got" || fail "blanks around CSV fields changed the scores"
echo "mlp: blanks around CSV fields give the same scores"
