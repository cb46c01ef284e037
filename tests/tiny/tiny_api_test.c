/*
 * The public tiny-model API on the upstream fixtures (read in place):
 * getters, the reference vectors (fp32 within 1e-4 relative, int8
 * bit-identical in the README's batches), batch invariance of fp32, and
 * argument checking.
 *
 *   tiny_api_test SHARED_TINY_UPSTREAM_DIR     (exit 77 when absent)
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinyvmaf/tiny.h"

#include "../shared_material.h"

#define ROWS 1047
#define SINGLE 47 /* rows run one per batch; the rest as one batch */

static int failures;

#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (!(cond)) {                                                    \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                   \
            printf(__VA_ARGS__);                                          \
            printf("\n");                                                 \
            failures++;                                                   \
        }                                                                 \
    } while (0)

static char last_error[1024];
static int n_errors;

static void capture(void *cookie, enum TvmafLogLevel level, const char *fmt, va_list ap)
{
    (void)cookie;
    if (level == TVMAF_LOG_ERROR) {
        vsnprintf(last_error, sizeof(last_error), fmt, ap);
        n_errors++;
    }
}

static float x[ROWS][6], ref[ROWS][4];

static int read_vectors(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/vectors.csv", dir);
    FILE *const f = fopen(path, "r");
    if (!f)
        return -1;
    char line[1024];
    if (!fgets(line, sizeof(line), f))
        return -1;
    for (int r = 0; r < ROWS; r++) {
        if (!fgets(line, sizeof(line), f))
            return -1;
        char *p = line;
        for (int c = 0; c < 10; c++) {
            const float v = strtof(p, &p);
            if (c < 6)
                x[r][c] = v;
            else
                ref[r][c - 6] = v;
            p++;
        }
    }
    fclose(f);
    return 0;
}

static void opts(TvmafTinyLoadOptions *o, const char *dir)
{
    tvmaf_tiny_default_load_options(o);
    o->registry_dir = dir;
    o->ignore_env = 1;
    o->logger.callback = capture;
}

/* Runs rows [0,SINGLE) one at a time and the rest in one call. */
static void run_readme_batches(const TvmafTinyModel *m, float *out)
{
    for (int r = 0; r < SINGLE; r++)
        CHECK(tvmaf_tiny_model_run(m, x[r], 1, out + r) == 0, "run row %d", r);
    CHECK(tvmaf_tiny_model_run(m, x[SINGLE], ROWS - SINGLE, out + SINGLE) == 0, "run block");
}

static void check_model(const char *dir, const char *file, const int col, const int int8)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    TvmafTinyLoadOptions o;
    opts(&o, dir);
    TvmafTinyModel *m = NULL;
    const int err = tvmaf_tiny_model_load(&m, path, &o);
    CHECK(err == 0 && m, "%s: load failed (%d): %s", file, err, last_error);
    if (!m)
        return;
    CHECK(tvmaf_tiny_model_n_features(m) == 6, "%s: n_features", file);
    CHECK(!strcmp(tvmaf_tiny_model_feature_name(m, 0), "adm2"), "%s: feature 0", file);
    CHECK(!strcmp(tvmaf_tiny_model_feature_name(m, 5), "motion2"), "%s: feature 5", file);
    CHECK(!tvmaf_tiny_model_feature_name(m, 6), "%s: feature 6 should be NULL", file);
    CHECK(strlen(tvmaf_tiny_model_sha256(m)) == 64, "%s: sha256", file);
    CHECK(!strcmp(tvmaf_tiny_model_kind(m), "fr"), "%s: kind", file);
    CHECK(tvmaf_tiny_model_batch_dependent(m) == int8, "%s: batch_dependent", file);
    static float out[ROWS], out1[ROWS];
    run_readme_batches(m, out);
    if (col >= 0) {
        double maxd = 0;
        int bad = 0;
        for (int r = 0; r < ROWS; r++) {
            const double d = fabs((double)out[r] - ref[r][col]);
            const double s = fmax(1.0, fabs(ref[r][col]));
            maxd = fmax(maxd, d / s);
            bad += int8 ? out[r] != ref[r][col] : d > 1e-4 * s;
        }
        printf("%-24s max rel |d| = %.3g over %d rows%s\n", file, maxd, ROWS,
               int8 ? " (bit-exact required)" : "");
        CHECK(!bad, "%s: %d rows outside tolerance", file, bad);
    }
    if (!int8) {
        /* fp32 graphs are row-separable: any split gives the same bits. */
        for (int r = 0; r < ROWS; r += 13) {
            const int n = ROWS - r < 13 ? ROWS - r : 13;
            CHECK(tvmaf_tiny_model_run(m, x[r], n, out1 + r) == 0, "run");
        }
        CHECK(!memcmp(out + SINGLE, out1 + SINGLE, (ROWS - SINGLE) * sizeof(float)),
              "%s: batch split changed fp32 output", file);
    }
    /* Refusals at run time. */
    float bad_row[6] = { 0.9f, NAN, 0.7f, 0.8f, 0.9f, 5.0f }, y;
    n_errors = 0;
    CHECK(tvmaf_tiny_model_run(m, bad_row, 1, &y) == TVMAF_ERR(EINVAL), "NaN accepted");
    CHECK(n_errors == 1 && strstr(last_error, "vif_scale0"), "NaN message: %s", last_error);
    bad_row[1] = INFINITY;
    CHECK(tvmaf_tiny_model_run(m, bad_row, 1, &y) == TVMAF_ERR(EINVAL), "inf accepted");
    CHECK(tvmaf_tiny_model_run(m, NULL, 1, &y) == TVMAF_ERR(EINVAL), "NULL input accepted");
    CHECK(tvmaf_tiny_model_run(m, NULL, 0, NULL) == 0, "n = 0");
    tvmaf_tiny_model_free(&m);
    CHECK(!m, "free clears the pointer");
}

static void check_ids(const char *dir)
{
    TvmafTinyLoadOptions o;
    opts(&o, dir);
    static const char *const ids[] = { "vmaf_tiny_v1", "vmaf_tiny_v2", "vmaf_tiny_v3",
                                       "vmaf_tiny_v3_int8", "vmaf_tiny_v4", "vmaf_tiny_v4_int8" };
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        TvmafTinyModel *m = NULL;
        const int err = tvmaf_tiny_model_load(&m, ids[i], &o);
        CHECK(!err, "load id %s: %s", ids[i], last_error);
        if (m)
            CHECK(!strcmp(tvmaf_tiny_model_id(m), ids[i]), "id %s reads back as %s", ids[i],
                  tvmaf_tiny_model_id(m));
        tvmaf_tiny_model_free(&m);
    }
    TvmafTinyModel *m = (TvmafTinyModel *)&o; /* must be reset on failure */
    n_errors = 0;
    CHECK(tvmaf_tiny_model_load(&m, "vmaf_tiny_v9", &o) == TVMAF_ERR(ENOENT), "unknown id");
    CHECK(!m && n_errors == 1, "one error line and NULL model on failure");
    /* Listed in the registry but not shipped with the fixtures. */
    CHECK(tvmaf_tiny_model_load(&m, "vmaf_tiny_v1_medium", &o) == TVMAF_ERR(ENOENT),
          "missing file");
    o.reserved[3] = 1;
    CHECK(tvmaf_tiny_model_load(&m, "vmaf_tiny_v2", &o) == TVMAF_ERR(EINVAL), "reserved");
    CHECK(tvmaf_tiny_model_load(NULL, "vmaf_tiny_v2", NULL) == TVMAF_ERR(EINVAL), "NULL out");
    tvmaf_tiny_model_free(NULL);
    tvmaf_tiny_model_free(&m);

    /* Registry listing and verification. */
    opts(&o, dir);
    TvmafTinyRegistry *r;
    CHECK(tvmaf_tiny_registry_open(&r, &o) == 0, "registry open: %s", last_error);
    if (!r)
        return;
    unsigned ok = 0;
    for (unsigned i = 0; i < tvmaf_tiny_registry_count(r); i++) {
        const TvmafTinyRegistryEntry *const e = tvmaf_tiny_registry_entry(r, i);
        if (!strncmp(e->id, "vmaf_tiny_v", 11) && strcmp(e->id, "vmaf_tiny_v1_medium")) {
            ok += tvmaf_tiny_registry_verify(r, i, 0) == 0;
            if (e->int8_file)
                ok += tvmaf_tiny_registry_verify(r, i, 1) == 0;
        }
    }
    CHECK(ok == 6, "verified %u of 6 upstream files", ok);
    CHECK(!tvmaf_tiny_registry_entry(r, tvmaf_tiny_registry_count(r)), "entry out of range");
    tvmaf_tiny_registry_free(&r);
    tvmaf_tiny_registry_free(&r);
}

int main(int argc, char **argv)
{
    if (argc < 2 || read_vectors(argv[1])) {
        char what[4200];
        snprintf(what, sizeof(what), "upstream tiny fixtures not found at %s", argc > 1 ? argv[1] : "?");
        return tvmaf_test_shared_missing(what);
    }
    check_model(argv[1], "vmaf_tiny_v2.onnx", 0, 0);
    check_model(argv[1], "vmaf_tiny_v3.onnx", 1, 0);
    check_model(argv[1], "vmaf_tiny_v3.int8.onnx", 2, 1);
    check_model(argv[1], "vmaf_tiny_v4.onnx", 3, 0);
    check_model(argv[1], "vmaf_tiny_v4.int8.onnx", -1, 1);
    check_model(argv[1], "vmaf_tiny_v1.onnx", -1, 0);
    check_ids(argv[1]);
    printf("%s\n", failures ? "FAILED" : "all checks passed");
    return failures != 0;
}
