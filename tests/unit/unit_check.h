/* The assertion used by the unit tests: counts failures and says where. */
#ifndef TVMAF_TESTS_UNIT_UNIT_CHECK_H
#define TVMAF_TESTS_UNIT_UNIT_CHECK_H

#include <stdio.h>

static int fails;

#define CHECK(c, msg)                                             \
    do {                                                          \
        if (!(c)) {                                               \
            fprintf(stderr, "FAIL line %d: %s\n", __LINE__, msg); \
            fails++;                                              \
        }                                                         \
    } while (0)

#endif /* TVMAF_TESTS_UNIT_UNIT_CHECK_H */
