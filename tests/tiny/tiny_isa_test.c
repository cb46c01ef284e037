/*
 * The C and the best SIMD MLP kernels give the same bits on whole models
 * (the numerics contract in src/model/tiny/tiny_graph.h; kernel by kernel,
 * tests/checksimd/mlp.c). Runs every model named on the command line both
 * ways on 1000 rows and on single rows, and compares outputs with memcmp. Files that do not exist (the upstream fixtures from
 * ../shared) make the test report SKIP after the others ran, or FAIL with
 * CI=true (tests/shared_material.h), never a PASS with fewer models.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "model/tiny/tiny_file.h"
#include "model/tiny/tiny_graph.h"

#include "../shared_material.h"

#define ROWS 1000

int main(int argc, char **argv)
{
    const TvmafLogger log = { NULL, NULL };
    int failures = 0, tested = 0, have_avx2 = 0, missing = 0;
    const char *first_missing = NULL;
    for (int i = 1; i < argc; i++) {
        uint8_t *buf;
        size_t len;
        FILE *const probe = fopen(argv[i], "rb");
        if (!probe) {
            first_missing = first_missing ? first_missing : argv[i];
            missing++;
            continue;
        }
        fclose(probe);
        if (tvmaf_tiny_read_file(argv[i], TINY_MAX_FILE_BYTES, &buf, &len, &log)) {
            printf("FAIL %s: unreadable\n", argv[i]);
            failures++;
            continue;
        }
        TinyGraph *g;
        const TinyParseOptions po = { .what = argv[i], .log = &log };
        const int err = tvmaf_tiny_graph_parse(&g, buf, len, &po);
        free(buf);
        if (err) {
            printf("FAIL %s: does not load (%d)\n", argv[i], err);
            failures++;
            continue;
        }
        const int64_t k = g->n_features;
        float *const x = malloc(ROWS * k * sizeof(float));
        float *const y[2] = { malloc(ROWS * sizeof(float)), malloc(ROWS * sizeof(float)) };
        uint32_t s = 1;
        for (int64_t j = 0; j < ROWS * k; j++) {
            s = s * 1664525u + 1013904223u;
            x[j] = (float)(s >> 8) / 16777216.0f * (j % k == k - 1 ? 30.0f : 1.0f);
        }
        const unsigned flags = tvmaf_cpu_flags_detect();
        const int avx2 = !!(flags & TVMAF_CPU_FLAG_AVX2);
        have_avx2 |= avx2;
        for (int isa = 0; isa < 2; isa++) {
            tvmaf_tiny_graph_set_cpu(g, isa ? 0 : ~0u);
            if (tvmaf_tiny_graph_run(g, x, ROWS, y[isa]) ||
                tvmaf_tiny_graph_run(g, x, 1, y[isa] + 1) /* rows 1..3 again, alone */ ||
                tvmaf_tiny_graph_run(g, x + 2 * k, 1, y[isa] + 2)) {
                printf("FAIL %s: run failed\n", argv[i]);
                failures++;
            }
        }
        if (memcmp(y[0], y[1], ROWS * sizeof(float))) {
            printf("FAIL %s: SIMD and C outputs differ\n", argv[i]);
            failures++;
        } else {
            printf("%s: %s and C identical on %d rows\n", argv[i],
                   flags & TVMAF_CPU_FLAG_AVX512 ? "AVX-512" : avx2 ? "AVX2" : "(no SIMD)", ROWS);
        }
        tested++;
        free(x);
        free(y[0]);
        free(y[1]);
        tvmaf_tiny_graph_free(&g);
    }
    if (!have_avx2)
        printf("note: this CPU has no AVX2; only the C kernels ran\n");
    if (failures)
        return 1;
    if (missing) {
        char what[4200];
        snprintf(what, sizeof(what), "%d model file(s) not found, first %s", missing, first_missing);
        return tvmaf_test_shared_missing(what);
    }
    return tested ? 0 : 77;
}
