#!/bin/sh
# Configures the tree under each enable_* combination below, each in a
# temporary build directory, and builds what that combination must build:
# the library for every one, the whole tree for a few. An unoptimised
# (buildtype=plain) build with warnings as errors: this checks that the build
# files and the feature guards hold together,
# not the code generation (make test does that).
#
# Usage: tools/check_configs.sh [NAME...]   (no NAME: all of them)
# Ends with "check_configs: N passed, N failed"; exit status 1 on a failure.
# .ci/run counts the whole matrix as one pass or one fail.
set -u
cd "$(dirname "$0")/.."
src=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tvmaf-configs.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# name | meson options | ninja targets (empty: everything)
lib=src/libtinyvmaf.a
cli=tools/tinyvmaf
simd=tests/checksimd/checksimd
matrix="
no-tools   | -Denable_tools=false                                           |
no-train   | -Denable_train=false                                           | $lib $cli
no-tests   | -Denable_tests=false                                           |
no-simd    | -Denable_simd=false                                            | $lib $cli $simd
no-avx512  | -Denable_avx512=false                                          | $lib
no-onnx    | -Donnx=disabled                                                | $lib $cli
no-jansson | -Djansson=disabled                                             | $lib $cli
lib-only   | -Denable_tools=false -Denable_train=false -Denable_tests=false |
bare       | -Denable_simd=false -Donnx=disabled -Djansson=disabled         | $lib
"

start=$(date +%s)
echo "$matrix" | while IFS='|' read -r name opts targets; do
    name=$(echo $name)
    opts=$(echo $opts)
    targets=$(echo $targets)
    [ -n "$name" ] || continue
    if [ $# -gt 0 ]; then
        case " $* " in *" $name "*) ;; *) continue ;; esac
    fi
    dir=$tmp/$name
    t0=$(date +%s)
    # shellcheck disable=SC2086 # opts and targets are word lists
    if ! meson setup "$dir" "$src" -Dbuildtype=plain -Dwerror=true $opts >"$tmp/$name.log" 2>&1; then
        echo "FAIL $name: configure ($opts)"
        tail -n 20 "$tmp/$name.log"
        echo fail >>"$tmp/results"
        continue
    fi
    t1=$(date +%s)
    # shellcheck disable=SC2086
    if ! ninja -C "$dir" $targets >>"$tmp/$name.log" 2>&1; then
        echo "FAIL $name: build ${targets:-all} ($opts)"
        grep -E 'error|FAILED' "$tmp/$name.log" | head -n 20
        echo fail >>"$tmp/results"
        continue
    fi
    t2=$(date +%s)
    echo "ok   $name: $(meson introspect --tests "$dir" | /usr/bin/python3 -c \
        'import json, sys; print(len(json.load(sys.stdin)))') tests registered," \
        "configure $((t1 - t0)) s, build ${targets:-all} $((t2 - t1)) s"
    echo pass >>"$tmp/results"
    rm -rf "$dir"
done

[ -f "$tmp/results" ] || : >"$tmp/results"
pass=$(grep -c '^pass$' "$tmp/results")
fail=$(grep -c '^fail$' "$tmp/results")
echo "check_configs: $pass passed, $fail failed ($(( $(date +%s) - start )) s)"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
