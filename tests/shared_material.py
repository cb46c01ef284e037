"""The one rule for tests that read the shared reference material (../shared,
meson option shared_dir): without it a test skips (exit 77) with a clear
message, except in CI (environment CI=true or CI=1), where a missing ../shared
is a failure (exit 1): CI must never pass by skipping the golden proofs.
Shell tests use tests/shared_material.sh, C tests tests/shared_material.h."""
import os
import sys

SKIP = 77


def in_ci():
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def missing(what):
    """Ends the test: SKIP locally, FAIL in CI. `what` names the missing material."""
    if in_ci():
        print(f"FAIL: {what} (CI is set: shared reference material is required in CI; "
              "place ../shared beside the source tree or set -Dshared_dir)")
        sys.exit(1)
    print(f"SKIP: {what} (place ../shared beside the source tree or set -Dshared_dir; "
          "with CI=true this is a failure)")
    sys.exit(SKIP)
