/*
 * The one rule for C tests that read the shared reference material
 * (../shared, meson option shared_dir; see tests/shared_material.py):
 * without it a test skips (exit 77) with a clear message, except in CI
 * (environment CI=true or CI=1), where a missing ../shared is a failure.
 *
 *   return tvmaf_test_shared_missing("upstream tiny fixtures not found at ...");
 */
#ifndef TVMAF_TEST_SHARED_MATERIAL_H
#define TVMAF_TEST_SHARED_MATERIAL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static inline int tvmaf_test_in_ci(void)
{
    const char *ci = getenv("CI");
    return ci && (!strcasecmp(ci, "true") || !strcmp(ci, "1") || !strcasecmp(ci, "yes"));
}

/* Prints why and returns the exit status: 1 in CI, 77 (meson's skip) otherwise. */
static inline int tvmaf_test_shared_missing(const char *what)
{
    if (tvmaf_test_in_ci()) {
        printf("FAIL: %s (CI is set: shared reference material is required in CI; "
               "place ../shared beside the source tree or set -Dshared_dir)\n", what);
        return 1;
    }
    printf("SKIP: %s (place ../shared beside the source tree or set -Dshared_dir; "
           "with CI=true this is a failure)\n", what);
    return 77;
}

#endif
