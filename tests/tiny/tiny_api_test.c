/*
 * The public tiny-model API on the upstream fixtures (read in place):
 * getters, the reference vectors (fp32 within 1e-4 relative, int8
 * bit-identical in the README's batches), batch invariance of fp32, and
 * argument checking. Ids resolve through PINNED_DIR, a copy of upstream's
 * registry with every file pinned (tests/tiny/pin_registry.py, run by
 * tests/tiny/api.sh); upstream's own registry pins only the ONNX files, so
 * loading by id from it must be refused.
 *
 *   tiny_api_test SHARED_TINY_UPSTREAM_DIR PINNED_DIR   (exit 77 when absent)
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

static char last_error[1024], last_warning[1024];
static int n_errors, n_warnings, n_data_warnings;

static void capture(void *cookie, enum TvmafLogLevel level, const char *fmt, va_list ap)
{
    (void)cookie;
    if (level == TVMAF_LOG_ERROR) {
        vsnprintf(last_error, sizeof(last_error), fmt, ap);
        n_errors++;
    } else if (level == TVMAF_LOG_WARNING) {
        vsnprintf(last_warning, sizeof(last_warning), fmt, ap);
        n_warnings++;
        n_data_warnings += strstr(last_warning, ".onnx.data") != NULL;
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

static const TvmafTinyRegistryEntry *find_entry(const TvmafTinyRegistry *r, const char *id)
{
    for (unsigned i = 0; i < tvmaf_tiny_registry_count(r); i++)
        if (!strcmp(tvmaf_tiny_registry_entry(r, i)->id, id))
            return tvmaf_tiny_registry_entry(r, i);
    return NULL;
}

/* The pinned copy pins every file: sidecars, the int8 sidecar where there
 * is one, the external data of v1. A model loaded by id scores exactly as
 * the same files loaded by path, and the pinned external data draws no
 * warning. */
static void check_pins(const char *upstream, const char *pinned)
{
    TvmafTinyLoadOptions o;
    opts(&o, pinned);
    TvmafTinyRegistry *r;
    CHECK(tvmaf_tiny_registry_open(&r, &o) == 0, "pinned registry open: %s", last_error);
    if (!r)
        return;
    const TvmafTinyRegistryEntry *e;
    CHECK((e = find_entry(r, "vmaf_tiny_v2")) && e->sidecar_sha256 && !e->n_data,
          "vmaf_tiny_v2: sidecar pinned, no data");
    CHECK((e = find_entry(r, "vmaf_tiny_v3")) && e->sidecar_sha256 && e->int8_sidecar_sha256,
          "vmaf_tiny_v3: both sidecars pinned");
    CHECK((e = find_entry(r, "vmaf_tiny_v4")) && e->sidecar_sha256 && !e->int8_sidecar_sha256,
          "vmaf_tiny_v4: sidecar pinned, no int8 sidecar (none shipped)");
    CHECK((e = find_entry(r, "vmaf_tiny_v1")) && !e->sidecar_sha256 && e->n_data == 1 &&
              !strcmp(e->data_file[0], "vmaf_tiny_v1.onnx.data") &&
              strlen(e->data_sha256[0]) == 64,
          "vmaf_tiny_v1: its external data pinned");
    tvmaf_tiny_registry_free(&r);

    static const char *const pairs[][2] = { { "vmaf_tiny_v1", "vmaf_tiny_v1.onnx" },
                                            { "vmaf_tiny_v2", "vmaf_tiny_v2.onnx" },
                                            { "vmaf_tiny_v3_int8", "vmaf_tiny_v3.int8.onnx" } };
    for (size_t p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", upstream, pairs[p][1]);
        TvmafTinyModel *by_id = NULL, *by_path = NULL;
        n_data_warnings = 0;
        CHECK(tvmaf_tiny_model_load(&by_id, pairs[p][0], &o) == 0, "load %s: %s", pairs[p][0],
              last_error);
        CHECK(!n_data_warnings, "%s by id: a warning about pinned data: %s", pairs[p][0],
              last_warning);
        CHECK(tvmaf_tiny_model_load(&by_path, path, &o) == 0, "load %s: %s", path, last_error);
        if (by_id && by_path) {
            static float a[ROWS], b[ROWS];
            CHECK(tvmaf_tiny_model_run(by_id, x[0], ROWS, a) == 0, "run");
            CHECK(tvmaf_tiny_model_run(by_path, x[0], ROWS, b) == 0, "run");
            CHECK(!memcmp(a, b, sizeof(a)), "%s: by id and by path differ", pairs[p][0]);
            CHECK(!strcmp(tvmaf_tiny_model_sha256(by_id), tvmaf_tiny_model_sha256(by_path)),
                  "%s: sha256", pairs[p][0]);
        }
        tvmaf_tiny_model_free(&by_id);
        tvmaf_tiny_model_free(&by_path);
    }
    /* By path, v1's data is unpinned (no sidecar to pin it): a warning. */
    char path[4096];
    snprintf(path, sizeof(path), "%s/vmaf_tiny_v1.onnx", upstream);
    TvmafTinyModel *m = NULL;
    n_data_warnings = 0;
    CHECK(tvmaf_tiny_model_load(&m, path, &o) == 0, "load %s by path", path);
    CHECK(n_data_warnings == 1, "v1 by path: %d warnings about unpinned external data, "
                                "expected 1", n_data_warnings);
    tvmaf_tiny_model_free(&m);
}

/* Upstream's registry pins only the ONNX files: by id, a model whose sidecar
 * or external data is unpinned is refused, with one line naming the file,
 * and `verify` fails the same way. */
static void check_upstream_refused(const char *upstream)
{
    TvmafTinyLoadOptions o;
    opts(&o, upstream);
    static const char *const cases[][2] = { { "vmaf_tiny_v2", "vmaf_tiny_v2.json" },
                                            { "vmaf_tiny_v3_int8", "vmaf_tiny_v3.int8.json" },
                                            { "vmaf_tiny_v4_int8", "vmaf_tiny_v4.json" },
                                            { "vmaf_tiny_v1", "vmaf_tiny_v1.onnx.data" } };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        TvmafTinyModel *m = (TvmafTinyModel *)&o;
        n_errors = 0;
        last_error[0] = 0;
        CHECK(tvmaf_tiny_model_load(&m, cases[i][0], &o) == TVMAF_ERR(EACCES),
              "%s by id from upstream's registry not refused", cases[i][0]);
        CHECK(!m && n_errors == 1 && strstr(last_error, cases[i][1]) &&
                  strstr(last_error, "pins no sha256"),
              "%s: %d error lines, expected one naming %s: %s", cases[i][0], n_errors,
              cases[i][1], last_error);
    }
    TvmafTinyRegistry *r;
    CHECK(tvmaf_tiny_registry_open(&r, &o) == 0, "upstream registry open: %s", last_error);
    if (!r)
        return;
    for (unsigned i = 0; i < tvmaf_tiny_registry_count(r); i++) {
        const TvmafTinyRegistryEntry *const e = tvmaf_tiny_registry_entry(r, i);
        if (!strcmp(e->id, "vmaf_tiny_v2") || !strcmp(e->id, "vmaf_tiny_v3"))
            CHECK(tvmaf_tiny_registry_verify(r, i, 0) == TVMAF_ERR(EACCES),
                  "%s: upstream entry with an unpinned sidecar verified", e->id);
    }
    tvmaf_tiny_registry_free(&r);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: tiny_api_test SHARED_TINY_UPSTREAM_DIR PINNED_DIR\n");
        return 2;
    }
    if (read_vectors(argv[1])) {
        char what[4200];
        snprintf(what, sizeof(what), "upstream tiny fixtures not found at %s", argv[1]);
        return tvmaf_test_shared_missing(what);
    }
    check_model(argv[1], "vmaf_tiny_v2.onnx", 0, 0);
    check_model(argv[1], "vmaf_tiny_v3.onnx", 1, 0);
    check_model(argv[1], "vmaf_tiny_v3.int8.onnx", 2, 1);
    check_model(argv[1], "vmaf_tiny_v4.onnx", 3, 0);
    check_model(argv[1], "vmaf_tiny_v4.int8.onnx", -1, 1);
    check_model(argv[1], "vmaf_tiny_v1.onnx", -1, 0);
    check_ids(argv[2]);
    check_pins(argv[1], argv[2]);
    check_upstream_refused(argv[1]);
    printf("%s\n", failures ? "FAILED" : "all checks passed");
    return failures != 0;
}
