#!/bin/sh
# tinyvmaf models: lists a registry, verifies each sha256, fails on a mismatch.
. "$(dirname "$0")/common.sh"
scratch models
"$TINY_CLI" models --model-dir "$TINY_SOURCE_ROOT/models" >"$T/out" || fail "repo registry"
cat "$T/out"
mkdir "$T/reg"
"$TINY_MKMODEL" mlp "$T/reg/a.onnx" || fail mkmodel
"$TINY_MKMODEL" ops "$T/reg/b.onnx" || fail mkmodel
sa=$(sha256sum "$T/reg/a.onnx" | cut -d' ' -f1)
sb=$(sha256sum "$T/reg/b.onnx" | cut -d' ' -f1)
printf '{"schema_version":1,"models":[
 {"id":"a","kind":"fr","file":"a.onnx","sha256":"%s","opset":17,"license":"BSD-2-Clause-Patent"},
 {"id":"b","kind":"fr","file":"b.onnx","sha256":"%s","opset":13,"license":"BSD-2-Clause-Patent"}]}\n' \
    "$sa" "$sb" >"$T/reg/registry.json"
"$TINY_CLI" models --model-dir "$T/reg" >"$T/out" || { cat "$T/out"; fail "good registry"; }
cat "$T/out"
grep -q '^a .* ok ' "$T/out" && grep -q '^b .* ok ' "$T/out" || fail "entries not verified"
"$TINY_CLI" predict --model-dir "$T/reg" --tiny-model a --features /dev/null 2>/dev/null &&
    fail "empty CSV accepted"
printf 'x' >>"$T/reg/b.onnx"
"$TINY_CLI" models --model-dir "$T/reg" >"$T/out" 2>"$T/err" && fail "tampered file accepted"
cat "$T/out" "$T/err"
grep -q '^b .* MISMATCH ' "$T/out" || fail "mismatch not reported"
grep -q 'sha256 mismatch' "$T/err" || fail "mismatch cause not printed"
