#!/bin/sh
# A model exported by Debian's python3-torch 1.13 (Constant-node Squeeze
# axes, IR 8, no value_info) matches torch's own output within 1e-5.
. "$(dirname "$0")/common.sh"
scratch torch
"$TINY_PYTHON" "$(dirname "$0")/torch_export.py" "$T/t.onnx"
rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || fail "torch export failed"
"$TINY_CLI" predict --tiny-model "$T/t.onnx" --features "$T/t.csv" >"$T/t.got" || fail predict
compare_scores "$T/t.got" "$T/t.expected" rel 1e-5 "torch 1.13 export"
