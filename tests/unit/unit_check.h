/* The assertion used by the unit tests: counts failures and says where,
 * with a printf-style message. */
#ifndef TVMAF_TESTS_UNIT_UNIT_CHECK_H
#define TVMAF_TESTS_UNIT_UNIT_CHECK_H

#include <stdio.h>

static int fails;

#define CHECK(c, ...)                                            \
    do {                                                         \
        if (!(c)) {                                              \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                        \
            fputc('\n', stderr);                                 \
            fails++;                                             \
        }                                                        \
    } while (0)

#endif /* TVMAF_TESTS_UNIT_UNIT_CHECK_H */
