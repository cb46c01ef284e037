# The one rule for shell tests that read the shared reference material
# (sourced; see tests/shared_material.py): without it, skip (exit 77) with
# a clear message, except in CI (CI=true or CI=1), where it is a failure.
shared_missing() {
    case $(printf %s "${CI:-}" | tr 'A-Z' 'a-z') in
    true | 1 | yes)
        echo "FAIL: $* (CI is set: shared reference material is required in CI;" \
            "place ../shared beside the source tree or set -Dshared_dir)" >&2
        exit 1 ;;
    esac
    echo "SKIP: $* (place ../shared beside the source tree or set -Dshared_dir;" \
        "with CI=true this is a failure)"
    exit 77
}
