/*
 * libFuzzer target: the feature-table reader behind train, eval and
 * predict (quoting, CRLF, BOM, column lookup, number parsing, non-finite
 * handling, groups). The bytes go through a memfd so the reader runs its
 * real file path. An accepted table's invariants are checked.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "train.h"

#define MAX_INPUT (64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    static int fd = -1;
    if (fd < 0 && (fd = memfd_create("csv", MFD_CLOEXEC)) < 0)
        return 0;
    if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
        return 0;
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    static const char *const six[] = { "adm2", "vif_scale0", "vif_scale1",
                                       "vif_scale2", "vif_scale3", "motion2" };
    static const char *const two[] = { "b", "a" };
    const int small = size && (data[0] & 2);
    const TvmafTableSpec spec = { .features = small ? two : six, .n_features = small ? 2 : 6,
                                  .target = size && (data[0] & 4) ? NULL : "vmaf",
                                  .group = size && (data[0] & 8) ? NULL : "source",
                                  .drop_nonfinite = size && (data[0] & 1) };
    const TvmafLogger silent = { NULL, NULL };
    TvmafTable t = { 0 };
    if (tvmaf_table_load(&t, path, &spec, &silent) == 0) {
        for (size_t i = 0; i < t.n_rows * (size_t)t.n_features; i++)
            if (!isfinite(t.x[i]))
                __builtin_trap(); /* non-finite values are refused or dropped */
        size_t rows = 0;
        for (int g = 0; g < t.n_groups; g++)
            rows += t.group_rows[g];
        if (t.group && rows != t.n_rows)
            __builtin_trap();
    }
    tvmaf_table_free(&t);
    return 0;
}
