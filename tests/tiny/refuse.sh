#!/bin/sh
# One refusal per invocation: refuse.sh CASE. Each must exit non-zero with
# one stderr line naming the cause.
. "$(dirname "$0")/common.sh"
case=$1
scratch "refuse-$case"
mk() { "$TINY_MKMODEL" "$1" "$2" "${3:-0}" || fail "mkmodel $1"; }
csv() {
    printf 'adm2,vif_scale0,vif_scale1,vif_scale2,vif_scale3,motion2\n'
    printf '0.9,0.5,0.7,0.8,0.9,5\n'
}
csv >"$T/f.csv"
P() { "$TINY_CLI" predict --features "$T/f.csv" --tiny-model "$@"; }
case $case in
sha256)
    mk mlp "$T/m.onnx"
    printf '\0' >>"$T/m.onnx" # one byte appended: digest no longer matches
    expect_refusal "sha256 mismatch" P "$T/m.onnx" ;;
no-digest)
    mk mlp "$T/m.onnx"
    rm "$T/m.json"
    expect_refusal "no sha256 to verify" P "$T/m.onnx" ;;
jail-symlink)
    mkdir "$T/models" "$T/elsewhere"
    mk mlp "$T/elsewhere/m.onnx"
    ln -s ../elsewhere/m.onnx "$T/models/m.onnx"
    ln -s ../elsewhere/m.json "$T/models/m.json"
    export TINYVMAF_MODEL_DIR=$T/models
    expect_refusal "outside the model directory" P "$T/models/m.onnx" ;;
jail-dotdot)
    mkdir "$T/models" "$T/elsewhere"
    mk mlp "$T/elsewhere/m.onnx"
    export TINYVMAF_MODEL_DIR=$T/models
    expect_refusal "outside the model directory" \
        P "$T/models/../elsewhere/m.onnx" ;;
jail-sibling)
    mkdir "$T/models" "$T/models2"
    mk mlp "$T/models2/m.onnx"
    export TINYVMAF_MODEL_DIR=$T/models
    expect_refusal "outside the model directory" P "$T/models2/m.onnx" ;;
registry-dotdot)
    mkdir "$T/models" "$T/elsewhere"
    mk mlp "$T/elsewhere/m.onnx"
    sha=$(sha256sum "$T/elsewhere/m.onnx" | cut -d' ' -f1)
    printf '{"schema_version":1,"models":[{"id":"m","kind":"fr","file":"../elsewhere/m.onnx","sha256":"%s","opset":17,"license":"x"}]}\n' \
        "$sha" >"$T/models/registry.json"
    expect_refusal "registry.json" P m --model-dir "$T/models" ;;
unknown-op)
    mk unknown_op "$T/m.onnx"
    expect_refusal "unsupported op 'Frobnicate'" P "$T/m.onnx" ;;
opset99)
    mk opset99 "$T/m.onnx"
    expect_refusal "opset 99 not supported" P "$T/m.onnx" ;;
ir99)
    mk ir99 "$T/m.onnx"
    expect_refusal "IR version 99 not supported" P "$T/m.onnx" ;;
truncated)
    mk truncated "$T/m.onnx"
    expect_refusal "truncated or corrupt" P "$T/m.onnx" ;;
dims-exceed)
    mk dims_exceed "$T/m.onnx"
    expect_refusal "dims need" P "$T/m.onnx" ;;
external-outside)
    mkdir "$T/models"
    mk external_outside "$T/models/m.onnx"
    [ -f "$T/m.onnx.data" ] || fail "mkmodel did not write the outside data file"
    expect_refusal "outside the model directory" P "$T/models/m.onnx" ;;
nan-row)
    mk mlp "$T/m.onnx"
    printf '0.91,nan,0.7,0.8,0.9,5\n' >>"$T/f.csv"
    expect_refusal "not finite" P "$T/m.onnx" ;;
missing-column)
    mk mlp "$T/m.onnx"
    printf 'adm2,vif_scale0\n0.9,0.5\n' >"$T/f.csv"
    expect_refusal "no column 'vif_scale1'" P "$T/m.onnx" ;;
unknown-id)
    expect_refusal "unknown tiny model id" P no_such_model --model-dir "$TINY_SOURCE_ROOT/models" ;;
*)
    fail "unknown case $case" ;;
esac
