#!/bin/sh
# tinyvmaf models: lists a registry, verifies every pinned file (model,
# sidecar, external data), fails on a mismatch with one line naming the file.
. "$(dirname "$0")/common.sh"
scratch models
"$TINY_CLI" models --model-dir "$TINY_SOURCE_ROOT/models" >"$T/out" || fail "repo registry"
cat "$T/out"
# A registry that pins only the ONNX files, as registries did before...
mkdir "$T/src"
"$TINY_MKMODEL" mlp "$T/src/a.onnx" || fail mkmodel
"$TINY_MKMODEL" ops "$T/src/b.onnx" || fail mkmodel
"$TINY_MKMODEL" external "$T/src/c.onnx" || fail mkmodel
sa=$(sha256sum "$T/src/a.onnx" | cut -d' ' -f1)
sb=$(sha256sum "$T/src/b.onnx" | cut -d' ' -f1)
sc=$(sha256sum "$T/src/c.onnx" | cut -d' ' -f1)
printf '{"schema_version":1,"models":[
 {"id":"a","kind":"fr","file":"a.onnx","sha256":"%s","opset":17,"license":"BSD-2-Clause-Patent"},
 {"id":"b","kind":"fr","file":"b.onnx","sha256":"%s","opset":13,"license":"BSD-2-Clause-Patent"},
 {"id":"c","kind":"fr","file":"c.onnx","sha256":"%s","opset":17,"license":"BSD-2-Clause-Patent"}]}\n' \
    "$sa" "$sb" "$sc" >"$T/src/registry.json"
# ... fails: each sidecar (and c's external data) is unpinned.
"$TINY_CLI" models --model-dir "$T/src" >"$T/out" 2>"$T/err" && fail "unpinned sidecars accepted"
cat "$T/out" "$T/err"
[ "$(grep -c 'pins no sha256 for this sidecar' "$T/err")" -eq 3 ] || fail "unpinned sidecars not named"
# ... and its pinned copy verifies.
"$TINY_PYTHON" "$(dirname "$0")/pin_registry.py" "$T/src" "$T/reg" || fail "pin_registry.py"
grep -q '"c.onnx.data"' "$T/reg/registry.json" || fail "external data not pinned"
"$TINY_CLI" models --model-dir "$T/reg" >"$T/out" || { cat "$T/out"; fail "good registry"; }
cat "$T/out"
for id in a b c; do
    grep -q "^$id .* ok  *external " "$T/out" || fail "entry $id not verified"
done
"$TINY_CLI" predict --model-dir "$T/reg" --tiny-model a --features /dev/null 2>/dev/null &&
    fail "empty CSV accepted"
# TINYVMAF_MODEL_DIR names the external registry too.
TINYVMAF_MODEL_DIR=$T/reg "$TINY_CLI" models >"$T/out" || { cat "$T/out"; fail "env registry"; }
grep -q '^c .* ok  *external ' "$T/out" || fail "TINYVMAF_MODEL_DIR registry not listed"

# One tampered file per entry: the model, a sidecar, external data. Each is
# a MISMATCH with one stderr line naming the file; the exit status is 1.
printf 'x' >>"$T/reg/b.onnx"
printf ' ' >>"$T/reg/a.json"
printf '\0' >>"$T/reg/c.onnx.data"
"$TINY_CLI" models --model-dir "$T/reg" >"$T/out" 2>"$T/err"
rc=$?
cat "$T/out" "$T/err"
[ $rc -eq 1 ] || fail "exit $rc for tampered files, expected 1"
for id in a b c; do
    grep -q "^$id .* MISMATCH " "$T/out" || fail "mismatch of $id not reported"
done
[ "$(wc -l <"$T/err")" -eq 3 ] || fail "expected 3 stderr lines"
for f in b.onnx a.json c.onnx.data; do
    grep -q "/$f: sha256 mismatch" "$T/err" || fail "mismatch cause for $f not printed"
done

# Upstream's registry, when the shared fixtures are there: it pins only the
# ONNX files, so its shipped models with sidecars fail; a pinned copy of
# those entries verifies.
U=$TINY_UPSTREAM
if [ -f "$U/registry.json" ]; then
    "$TINY_CLI" models --model-dir "$U" >"$T/out" 2>"$T/err" && fail "upstream registry verified"
    grep -q '^vmaf_tiny_v2 .* MISMATCH ' "$T/out" || fail "upstream v2 not refused"
    grep -q 'vmaf_tiny_v2.json: the registry pins no sha256' "$T/err" ||
        fail "upstream v2's unpinned sidecar not named"
    "$TINY_PYTHON" "$(dirname "$0")/pin_registry.py" "$U" "$T/up" --only vmaf_tiny_v1 \
        --only vmaf_tiny_v2 --only vmaf_tiny_v3 --only vmaf_tiny_v4 >/dev/null || fail "pin upstream"
    "$TINY_CLI" models --model-dir "$T/up" >"$T/out" || { cat "$T/out"; fail "pinned upstream"; }
    [ "$(grep -c ' ok  *external ' "$T/out")" -eq 6 ] || { cat "$T/out"; fail "6 upstream files"; }
    echo "upstream registry refused; its pinned copy verified (6 models)"
fi
