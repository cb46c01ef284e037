# Shared helpers for the tiny-model shell tests (sourced).
# Environment (set by tests/tiny/meson.build): TINY_CLI, TINY_MKMODEL,
# TINY_UPSTREAM (shared fixtures dir), TINY_TMP (scratch root).
set -u
. "$(dirname "$0")/../shared_material.sh"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

skip() {
    echo "SKIP: $*"
    exit 77
}

need_upstream() {
    [ -f "$TINY_UPSTREAM/vectors.csv" ] ||
        shared_missing "shared fixtures not found at $TINY_UPSTREAM"
}

# A fresh scratch directory per test, removed on exit.
scratch() {
    mkdir -p "$TINY_TMP"
    T=$(mktemp -d "$TINY_TMP/$1.XXXXXX") || fail "mktemp"
    trap 'rm -rf "$T"' EXIT
}

# expect_refusal KEYWORD CMD...: CMD must exit 1..125 (no crash, no
# signal) and print exactly one stderr line that contains KEYWORD.
expect_refusal() {
    kw=$1
    shift
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" -ne 0 ] || fail "exit 0 for: $*"
    [ "$rc" -lt 126 ] || fail "exit $rc (crash?) for: $*"
    n=$(wc -l <"$T/err")
    [ "$n" -eq 1 ] || { cat "$T/err" >&2; fail "$n stderr lines, expected 1"; }
    grep -q -- "$kw" "$T/err" || { cat "$T/err" >&2; fail "stderr lacks '$kw'"; }
    [ ! -s "$T/out" ] || fail "scores printed despite the error"
    echo "refused as expected (exit $rc): $(cat "$T/err")"
}

# compare_scores GOT EXPECTED MODE TOL: MODE exact (same %.9g strings,
# i.e. same float32) or rel (|g-e| <= TOL*max(1,|e|)). Prints max |d|.
compare_scores() {
    [ "$(wc -l <"$1")" -eq "$(wc -l <"$2")" ] ||
        fail "$1 has $(wc -l <"$1") rows, $2 has $(wc -l <"$2")"
    paste -d' ' "$1" "$2" | awk -v mode="$3" -v tol="$4" -v name="$5" '
        { d = $1 - $2; if (d < 0) d = -d; a = $2 < 0 ? -$2 : $2; s = a > 1 ? a : 1
          if (d / s > mr) mr = d / s; if (d > md) md = d
          if (mode == "exact" && $1 != $2) { bad++; if (!first) first = NR }
          if (mode == "rel" && d > tol * s) { bad++; if (!first) first = NR } }
        END { printf "%s: %d rows, max |d| = %.3g, max rel = %.3g, %d outside\n", name, NR, md, mr, bad
              if (bad) { printf "first bad row %d\n", first; exit 1 } }' ||
        fail "$5 differs"
}
