#!/bin/sh
# One refusal per invocation: refuse.sh CASE. Each must exit non-zero with
# one stderr line naming the cause, and print no score. The trust-root cases
# first reproduce the finding (the tampered file moves the score where
# nothing pins it), then assert the refusal.
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
D=$(dirname "$0")
# pin SRC DEST [pin_registry.py options]: a pinned copy of SRC's registry.
pin() { "$TINY_PYTHON" "$D/pin_registry.py" "$@" >"$T/pin.log" || fail "pin_registry.py $*"; }
tamper() { "$TINY_PYTHON" "$D/tamper.py" "$@" || fail "tamper.py $*"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
# mkreg DIR ID...: a registry.json pinning only the ONNX files DIR/ID.onnx.
mkreg() {
    d=$1
    shift
    {
        printf '{"schema_version":1,"models":['
        sep=
        for id in "$@"; do
            printf '%s{"id":"%s","kind":"fr","file":"%s.onnx","sha256":"%s"}' \
                "$sep" "$id" "$id" "$(sha "$d/$id.onnx")"
            sep=,
        done
        printf ']}\n'
    } >"$d/registry.json"
}
# Scoring the bundled sample pair (12 frames, 320x180).
clips() {
    for w in ref dis; do
        "$TINY_PYTHON" -c 'import lzma, shutil, sys
shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' \
            "$TINY_SOURCE_ROOT/samples/city_320x180_$w.y4m.xz" "$T/$w.y4m" || fail "sample $w"
    done
}
S() { "$TINY_CLI" -r "$T/ref.y4m" -d "$T/dis.y4m" "$@"; }
# The tiny model's score in the summary line "...; ID: SCORE [N frames, WxH]".
tiny_score() { sed -n 's/.*; [^;:]*: \([-+0-9.eE]*\) \[.*/\1/p'; }
# differ A B: |A - B| > 10 (the finding: a tampered file moves the score).
differ() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; exit !(a != "" && b != "" && (d > 10 || d < -10)) }'; }
# T20 CMD...: CMD under a 20 s timeout; a timeout is a second stderr line.
T20() {
    timeout 20 "$@"
    r=$?
    [ $r -ne 124 ] || echo "timed out after 20 s: $*" >&2
    return $r
}
# expect_models_fail KEYWORD ARGS...: `tinyvmaf models ARGS` exits 1 with
# exactly one stderr line containing KEYWORD.
expect_models_fail() {
    kw=$1
    shift
    T20 "$TINY_CLI" models "$@" >"$T/out" 2>"$T/err"
    rc=$?
    cat "$T/out"
    [ "$rc" -eq 1 ] || { cat "$T/err" >&2; fail "models exit $rc, expected 1"; }
    [ "$(wc -l <"$T/err")" -eq 1 ] || { cat "$T/err" >&2; fail "expected one stderr line"; }
    grep -q -- "$kw" "$T/err" || { cat "$T/err" >&2; fail "stderr lacks '$kw'"; }
    echo "models failed as expected: $(cat "$T/err")"
}
# $T/src: tiny_mkmodel models m (mlp, with sidecar) and, with an argument,
# x (external data), in a registry that pins only their ONNX files; `pin`
# makes the pinned copy.
mkpinned() {
    mkdir -p "$T/src"
    mk mlp "$T/src/m.onnx"
    ids=m
    if [ $# -gt 0 ]; then
        mk external "$T/src/x.onnx"
        ids="m x"
    fi
    # shellcheck disable=SC2086
    mkreg "$T/src" $ids
}
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
    expect_refusal "column 'vif_scale0': non-finite value 'nan'" P "$T/m.onnx" ;;
missing-column)
    mk mlp "$T/m.onnx"
    printf 'adm2,vif_scale0\n0.9,0.5\n' >"$T/f.csv"
    expect_refusal "missing column 'vif_scale1'" P "$T/m.onnx" ;;
unknown-id)
    expect_refusal "unknown tiny model id" P no_such_model --model-dir "$TINY_SOURCE_ROOT/models" ;;

# ---- The trust root covers every file of a registry-loaded model --------
sidecar-permuted)
    # The sidecar sets the feature order: reversing `features` in a pinned
    # registry's vmaf_tiny_v2.json moves the score (by path the sidecar
    # vouches for itself, so the finding shows there); by id it is refused.
    need_upstream
    pin "$TINY_UPSTREAM" "$T/reg" --only vmaf_tiny_v2
    good=$(P vmaf_tiny_v2 --model-dir "$T/reg") || fail "pinned v2 by id"
    tamper permute "$T/reg/vmaf_tiny_v2.json"
    bad=$(P "$T/reg/vmaf_tiny_v2.onnx") || fail "permuted v2 by path"
    differ "$good" "$bad" || fail "permuting the features did not move the score ($good, $bad)"
    echo "finding reproduced: permuted features turn $good into $bad"
    expect_refusal "vmaf_tiny_v2.json: sha256 mismatch" P vmaf_tiny_v2 --model-dir "$T/reg" ;;
sidecar-permuted-score)
    # The same through scoring, with TINYVMAF_MODEL_DIR; upstream's v2 as
    # "upv2", an id the built-in registry (searched first) will not have.
    need_upstream
    clips
    pin "$TINY_UPSTREAM" "$T/reg" --only vmaf_tiny_v2 --as vmaf_tiny_v2=upv2
    export TINYVMAF_MODEL_DIR="$T/reg"
    good=$(S --tiny-model upv2 | tiny_score)
    [ -n "$good" ] || fail "pinned upv2 did not score"
    tamper permute "$T/reg/upv2.json"
    bad=$(S --tiny-model "$T/reg/upv2.onnx" | tiny_score)
    differ "$good" "$bad" || fail "permuting the features did not move the score ($good, $bad)"
    echo "finding reproduced: permuted features turn $good into $bad"
    expect_refusal "upv2.json: sha256 mismatch" S --tiny-model upv2 ;;
data-tripled | data-tripled-score)
    # Tripling the weights in vmaf_tiny_v1.onnx.data moves the score (shown
    # by path, beside a sidecar that pins the ONNX file but not its data);
    # in a pinned registry it is refused by id.
    need_upstream
    pin "$TINY_UPSTREAM" "$T/reg" --only vmaf_tiny_v1 --as vmaf_tiny_v1=upv1
    mkdir "$T/loose"
    cp "$T/reg/vmaf_tiny_v1.onnx" "$T/reg/vmaf_tiny_v1.onnx.data" "$T/loose/"
    printf '{"sha256":"%s","features":["adm2","vif_scale0","vif_scale1","vif_scale2","vif_scale3","motion2"]}\n' \
        "$(sha "$T/loose/vmaf_tiny_v1.onnx")" >"$T/loose/vmaf_tiny_v1.json"
    tamper triple "$T/loose/vmaf_tiny_v1.onnx.data"
    tamper triple "$T/reg/vmaf_tiny_v1.onnx.data"
    if [ "$case" = data-tripled ]; then
        good=$(P "$TINY_UPSTREAM/vmaf_tiny_v1.onnx" 2>/dev/null) || fail "v1 by path"
        bad=$(P "$T/loose/vmaf_tiny_v1.onnx" 2>/dev/null) || fail "tripled v1 by path"
        differ "$good" "$bad" || fail "tripling the data did not move the score ($good, $bad)"
        echo "finding reproduced: tripled data turns $good into $bad"
        expect_refusal "vmaf_tiny_v1.onnx.data: sha256 mismatch" \
            P vmaf_tiny_v1 --model-dir "$T/reg"
    else
        clips
        good=$(S --tiny-model "$TINY_UPSTREAM/vmaf_tiny_v1.onnx" 2>/dev/null | tiny_score)
        bad=$(S --tiny-model "$T/loose/vmaf_tiny_v1.onnx" 2>/dev/null | tiny_score)
        differ "$good" "$bad" || fail "tripling the data did not move the score ($good, $bad)"
        echo "finding reproduced: tripled data turns $good into $bad"
        export TINYVMAF_MODEL_DIR="$T/reg"
        expect_refusal "vmaf_tiny_v1.onnx.data: sha256 mismatch" S --tiny-model upv1
    fi ;;
sidecar-unpinned)
    # A sidecar the registry does not pin is refused by id, and by `models`.
    mkpinned
    pin "$T/src" "$T/reg" --unpin sidecar
    expect_refusal "m.json: the registry pins no sha256 for this sidecar" \
        P m --model-dir "$T/reg"
    expect_models_fail "m.json: the registry pins no sha256 for this sidecar" \
        --model-dir "$T/reg" ;;
data-unpinned)
    # External data the registry does not pin is refused by id.
    mkpinned x
    pin "$T/src" "$T/reg" --unpin data
    expect_refusal "x.onnx.data: the registry pins no sha256 for this external data" \
        P x --model-dir "$T/reg" ;;

# ---- A FIFO in place of a file: refused at once, never a hang -----------
fifo-model | fifo-sidecar | fifo-registry)
    clips
    mkpinned
    pin "$T/src" "$T/reg"
    case $case in
    fifo-model) f=m.onnx ;;
    fifo-sidecar) f=m.json ;;
    fifo-registry) f=registry.json ;;
    esac
    rm "$T/reg/$f"
    mkfifo "$T/reg/$f" || fail mkfifo
    kw="$f: not a regular file"
    expect_refusal "$kw" T20 "$TINY_CLI" predict --features "$T/f.csv" --tiny-model m \
        --model-dir "$T/reg"
    if [ "$f" = registry.json ]; then
        # By path, a model without a sidecar looks for registry.json beside it.
        rm "$T/reg/m.json"
    fi
    expect_refusal "$kw" T20 "$TINY_CLI" predict --features "$T/f.csv" --tiny-model "$T/reg/m.onnx"
    export TINYVMAF_MODEL_DIR="$T/reg"
    expect_refusal "$kw" T20 "$TINY_CLI" -r "$T/ref.y4m" -d "$T/dis.y4m" --tiny-model m
    expect_models_fail "$kw" --model-dir "$T/reg"
    unset TINYVMAF_MODEL_DIR ;;

# ---- tinyvmaf models: a pinned file deleted -----------------------------
models-missing)
    mkpinned x
    pin "$T/src" "$T/good"
    for f in m.onnx m.json x.onnx.data; do
        rm -rf "$T/reg"
        cp -R "$T/good" "$T/reg"
        rm "$T/reg/$f"
        expect_models_fail "$f: No such file or directory" --model-dir "$T/reg"
        id=${f%%.*}
        grep -q "^$id .* MISSING " "$T/out" || fail "$f: entry $id not MISSING"
        other=m
        [ "$id" = m ] && other=x
        grep -q "^$other .* ok " "$T/out" || fail "$f: entry $other not verified"
    done
    # A deleted pinned sidecar does not let the model load with a default order.
    rm -rf "$T/reg"
    cp -R "$T/good" "$T/reg"
    rm "$T/reg/m.json"
    expect_refusal "m.json: pinned sidecar is missing" P m --model-dir "$T/reg" ;;

# ---- By path: the sidecar may pin external data -------------------------
path-data-pinned)
    mk external "$T/m.onnx" 50
    tamper set "$T/m.json" data_sha256 "{\"m.onnx.data\": \"$(sha "$T/m.onnx.data")\"}"
    "$TINY_CLI" predict --tiny-model "$T/m.onnx" --features "$T/m.csv" >"$T/got" 2>"$T/err" ||
        { cat "$T/err"; fail "pinned external data refused"; }
    [ ! -s "$T/err" ] || { cat "$T/err"; fail "stderr output for pinned data"; }
    compare_scores "$T/got" "$T/m.expected" rel 1e-6 "external data pinned by the sidecar" ;;
path-data-wrong)
    mk external "$T/m.onnx" 50
    tamper set "$T/m.json" data_sha256 "{\"m.onnx.data\": \"$(sha "$T/m.onnx.data")\"}"
    tamper triple "$T/m.onnx.data"
    expect_refusal "m.onnx.data: sha256 mismatch" \
        "$TINY_CLI" predict --tiny-model "$T/m.onnx" --features "$T/m.csv" ;;
path-data-unpinned)
    mk external "$T/m.onnx" 50
    "$TINY_CLI" predict --tiny-model "$T/m.onnx" --features "$T/m.csv" >"$T/got" 2>"$T/err" ||
        { cat "$T/err"; fail "unpinned external data refused by path"; }
    cat "$T/err"
    [ "$(wc -l <"$T/err")" -eq 1 ] || fail "expected one warning line"
    grep -q "warning: .*m.onnx.data: external data not pinned" "$T/err" || fail "warning text"
    compare_scores "$T/got" "$T/m.expected" rel 1e-6 "unpinned external data by path" ;;
*)
    fail "unknown case $case" ;;
esac
