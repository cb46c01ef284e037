/*
 * Unit tests of the training library: RNG, metrics, CSV reader, kernels
 * (every ISA build bit-identical to C), training determinism, folds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal_api.h"
#include "rng.h"
#include "synth.h"
#include "tinyvmaf/tinyvmaf.h"
#include "train.h"

static int failures;

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);         \
            failures++;                                                                      \
        }                                                                                    \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                \
    do {                                                                                     \
        const double a_ = (a), b_ = (b);                                                     \
        if (!(fabs(a_ - b_) <= (tol))) {                                                     \
            fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g\n", __FILE__, __LINE__, #a,   \
                    a_, b_);                                                                 \
            failures++;                                                                      \
        }                                                                                    \
    } while (0)

static const TvmafLogger quiet = { 0 };
static char tmpdir[160]; /* short enough for the path buffers below */

static void test_rng(void)
{
    /* Reference outputs of the published xoshiro256** for state {1,2,3,4}
     * and of splitmix64 from 0. */
    TvmafRng r = { { 1, 2, 3, 4 } };
    CHECK(tvmaf_rng_next(&r) == 11520u);
    CHECK(tvmaf_rng_next(&r) == 0u);
    CHECK(tvmaf_rng_next(&r) == 1509978240u);
    CHECK(tvmaf_rng_next(&r) == 1215971899390074240u);
    uint64_t x = 0;
    CHECK(tvmaf_splitmix64(&x) == 0xe220a8397b1dcdafull);

    tvmaf_rng_seed(&r, 42, 1);
    uint32_t idx[1000];
    int seen[1000] = { 0 };
    for (int i = 0; i < 1000; i++)
        idx[i] = i;
    tvmaf_rng_shuffle(&r, idx, 1000);
    int moved = 0;
    for (int i = 0; i < 1000; i++) {
        CHECK(idx[i] < 1000);
        if (idx[i] < 1000)
            seen[idx[i]]++;
        moved += idx[i] != (uint32_t)i;
    }
    for (int i = 0; i < 1000; i++)
        CHECK(seen[i] == 1);
    CHECK(moved > 900);
    for (int i = 0; i < 10000; i++) {
        const double d = tvmaf_rng_double(&r);
        CHECK(d >= 0.0 && d < 1.0);
        CHECK(tvmaf_rng_below(&r, 7) < 7);
    }
}

static void test_metrics(void)
{
    const double x[] = { 1, 2, 3, 4, 5 }, y[] = { 2, 1, 4, 3, 7 };
    CHECK_NEAR(tvmaf_metric_plcc(x, y, 5), 0.824163383692134, 1e-12);
    CHECK_NEAR(tvmaf_metric_rmse(x, y, 5), 1.2649110640673518, 1e-12);
    /* Ties take their average rank: ranks {1, 2.5, 2.5, 4} vs {1, 3, 2, 4}. */
    const double a[] = { 1, 2, 2, 3 }, b[] = { 1, 3, 2, 4 };
    CHECK_NEAR(tvmaf_metric_srocc(a, b, 4), 0.9486832980505139, 1e-12);
    CHECK_NEAR(tvmaf_metric_srocc(x, y, 5), 0.8, 1e-12);
    const double c[] = { 3, 3, 3 };
    CHECK(isnan(tvmaf_metric_plcc(c, x, 3)));
    double mean, sd;
    const double v[] = { 1, 2, 3, 4 };
    tvmaf_metric_mean_std(v, 4, &mean, &sd);
    CHECK_NEAR(mean, 2.5, 0);
    CHECK_NEAR(sd, 1.2909944487358056, 1e-15);
    tvmaf_metric_mean_std(v, 1, &mean, &sd);
    CHECK(isnan(sd));
}

static char *write_tmp(const char *const name, const char *const text)
{
    static char path[4][256];
    static int slot;
    char *const p = path[slot++ & 3];
    snprintf(p, 256, "%s/%s", tmpdir, name);
    FILE *const f = fopen(p, "wb");
    fputs(text, f);
    fclose(f);
    return p;
}

static const char *const feats2[] = { "a", "b" };

static int load(TvmafTable *const t, const char *const text, const int drop)
{
    const TvmafTableSpec spec = { feats2, 2, "y", "g", drop, 0 };
    return tvmaf_table_load(t, write_tmp("t.csv", text), &spec, &quiet);
}

static void test_table(void)
{
    TvmafTable t;
    /* BOM, CRLF, quoted fields with commas and quotes, blank lines,
     * unused columns, blanks around numbers. */
    CHECK(load(&t,
               "\xef\xbb\xbfx,\"a\",b,y,g\r\n"
               "junk,1, 2 ,3,\"z,1\"\r\n"
               "\r\n"
               "\"q\"\"q\",4,5e0,6,b\r\n"
               "0,7,8,9,\"z,1\"",
               0) == 0);
    CHECK(t.n_rows == 3 && t.n_features == 2 && t.n_groups == 2);
    if (t.n_rows == 3 && t.n_groups == 2) {
        CHECK(t.x[0] == 1.0f && t.x[1] == 2.0f && t.x[3] == 5.0f && t.y[2] == 9.0f);
        CHECK(!strcmp(t.group_names[0], "b") && !strcmp(t.group_names[1], "z,1"));
        CHECK(t.group[0] == 1 && t.group[1] == 0 && t.group[2] == 1);
        CHECK(t.group_rows[0] == 1 && t.group_rows[1] == 2);
    }
    tvmaf_table_free(&t);

    CHECK(load(&t, "a,b,g\n1,2,x\n", 0) == TVMAF_ERR(ENOENT));
    CHECK(load(&t, "a,b,y,g\n1,two,3,x\n", 0) == TVMAF_ERR(EBADMSG));
    CHECK(load(&t, "a,b,y,g\n1,,3,x\n", 0) == TVMAF_ERR(EBADMSG));
    CHECK(load(&t, "a,b,y,g\n1,2,3\n", 0) == TVMAF_ERR(EBADMSG));
    CHECK(load(&t, "a,b,y,g\n1,2,3,x,4\n", 0) == TVMAF_ERR(EBADMSG));
    CHECK(load(&t, "", 0) == TVMAF_ERR(EBADMSG));
    CHECK(load(&t, "a,b,y,g\n", 0) == TVMAF_ERR(EBADMSG));
    CHECK(load(&t, "a,a,b,y,g\n1,1,2,3,x\n", 0) == TVMAF_ERR(EBADMSG));
    CHECK(load(&t, "a,b,y,g\n1,\"2,3,x\n", 0) == TVMAF_ERR(EBADMSG));
    CHECK(load(&t, "a,b,y,g\n1,nan,3,x\n2,2,2,x\n", 0) == TVMAF_ERR(EBADMSG));
    CHECK(load(&t, "a,b,y,g\n1,2,inf,x\n", 0) == TVMAF_ERR(EBADMSG));
    /* 1e39 overflows float32: non-finite too. */
    CHECK(load(&t, "a,b,y,g\n1e39,2,3,x\n", 0) == TVMAF_ERR(EBADMSG));
    CHECK(load(&t, "a,b,y,g\n1,nan,3,x\n2,2,2,x\n3,3,-inf,y\n", 1) == 0);
    CHECK(t.n_rows == 1 && t.n_dropped == 2 && t.n_groups == 1);
    tvmaf_table_free(&t);
    CHECK(load(&t, "a,b,y,g\n1,nan,3,x\n", 1) == TVMAF_ERR(EBADMSG));
    const TvmafTableSpec spec = { feats2, 2, "y", NULL, 0, 0 };
    char path[300];
    snprintf(path, sizeof(path), "%s/missing.csv", tmpdir);
    CHECK(tvmaf_table_load(&t, path, &spec, &quiet) == TVMAF_ERR(ENOENT));
    tvmaf_table_free(NULL);
}

static void fill(float *const v, const size_t n, TvmafRng *const r)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (float)(2.0 * tvmaf_rng_double(r) - 1.0);
}

/* The C kernels compute what they claim (double reference); every ISA
 * build is compared with them bit for bit in tests/checksimd/mlp.c. */
static void test_kernels(void)
{
    static const int shapes[][2] = { { 6, 32 }, { 32, 16 }, { 16, 1 }, { 7, 5 }, { 64, 33 } };
    static const int strides[] = { 16, 48, 256 };
    TvmafMlpDSPContext ref;
    tvmaf_mlp_dsp_init(&ref, 0);
    TvmafRng r;
    tvmaf_rng_seed(&r, 7, 0);
    const size_t max = 64 * 256;
    float *const in = malloc(sizeof(float) * max), *const w = malloc(sizeof(float) * 64 * 64),
                 *const bias = malloc(sizeof(float) * 64), *const g = malloc(sizeof(float) * max),
                 *const o1 = malloc(sizeof(float) * max), *const d1 = malloc(sizeof(float) * 64 * 64),
                 *const b1 = malloc(sizeof(float) * 64);
    for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
        for (size_t q = 0; q < sizeof(strides) / sizeof(strides[0]); q++) {
            const int ni = shapes[s][0], no = shapes[s][1], st = strides[q];
            fill(in, (size_t)ni * st, &r);
            fill(w, (size_t)ni * no, &r);
            fill(bias, no, &r);
            fill(g, (size_t)no * st, &r);
            ref.gemm(o1, w, ni, 1, in, no, ni, st, bias, 1, 0);
            ref.dw(d1, b1, g, in, ni, no, st);
            for (int o = 0; o < no; o++)
                for (int b = 0; b < st; b++) {
                    double acc = 0;
                    for (int i = 0; i < ni; i++)
                        acc += (double)w[o * ni + i] * in[i * st + b];
                    acc += bias[o];
                    CHECK_NEAR(o1[o * st + b], acc, 1e-5 * (1 + fabs(acc)));
                }
            for (int o = 0; o < no; o++)
                for (int i = 0; i < ni; i++) {
                    double acc = 0;
                    for (int b = 0; b < st; b++)
                        acc += (double)g[o * st + b] * in[i * st + b];
                    CHECK_NEAR(d1[o * ni + i], acc, 1e-4 * (1 + fabs(acc)));
                }
        }
    }
    printf("kernels: C matches the double reference\n");
    free(in), free(w), free(bias), free(g), free(o1), free(d1), free(b1);
}

static void test_training(void)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/synth.csv", tmpdir);
    FILE *const f = fopen(path, "w");
    CHECK(tvmaf_synth_write(f, 1500, 5, 3) == 0);
    fclose(f);
    static const char *const feats[] = { "adm2", "vif_scale0", "vif_scale1",
                                         "vif_scale2", "vif_scale3", "motion2" };
    const TvmafTableSpec spec = { feats, 6, "vmaf", "source", 0, 0 };
    TvmafTable t;
    CHECK(tvmaf_table_load(&t, path, &spec, &quiet) == 0);
    CHECK(t.n_rows == 1500 && t.n_groups == 5);
    TvmafRecipe rc;
    tvmaf_recipe_default(&rc);
    rc.epochs = 30;
    rc.batch = 100; /* not a multiple of the kernel tile: exercises the padding */

    /* Same seed, every ISA level: the same parameters, bit for bit. */
    static const unsigned masks[] = { 0, 32, 48 };
    TvmafMlp m[3];
    for (int i = 0; i < 3; i++) {
        rc.cpu_mask = masks[i];
        CHECK(tvmaf_mlp_train(&m[i], t.x, t.y, t.n_rows, 6, &rc, NULL, NULL, NULL, &quiet) == 0);
    }
    rc.cpu_mask = 0;
    CHECK(m[0].n_params == 769);
    for (int i = 1; i < 3; i++)
        CHECK(!memcmp(m[0].params, m[i].params, sizeof(float) * m[0].n_params));
    tvmaf_mlp_free(&m[1]);
    rc.seed = 1;
    CHECK(tvmaf_mlp_train(&m[1], t.x, t.y, t.n_rows, 6, &rc, NULL, NULL, NULL, &quiet) == 0);
    CHECK(memcmp(m[0].params, m[1].params, sizeof(float) * m[0].n_params));

    /* Scaler: population statistics of the training rows. */
    double s = 0, ss = 0;
    for (size_t r = 0; r < t.n_rows; r++)
        s += t.x[r * 6 + 5];
    const double mean = s / t.n_rows;
    for (size_t r = 0; r < t.n_rows; r++)
        ss += (t.x[r * 6 + 5] - mean) * (t.x[r * 6 + 5] - mean);
    CHECK_NEAR(m[0].mean[5], mean, 1e-9);
    CHECK_NEAR(m[0].std[5], sqrt(ss / t.n_rows), 1e-9);

    /* A row's prediction does not depend on its batch. */
    float *const all = malloc(sizeof(float) * t.n_rows);
    CHECK(tvmaf_mlp_predict(&m[0], t.x, t.n_rows, all, 0) == 0);
    for (size_t r = 0; r < t.n_rows; r += 97) {
        float one;
        CHECK(tvmaf_mlp_predict(&m[0], t.x + r * 6, 1, &one, 0) == 0);
        CHECK(one == all[r]);
    }
    TvmafScores sc;
    CHECK(tvmaf_scores_compute(&sc, all, t.y, t.n_rows) == 0);
    CHECK(sc.plcc > 0.9);
    free(all);
    for (int i = 0; i < 3; i++)
        tvmaf_mlp_free(&m[i]);

    /* Constant feature: std 1, not a division by zero. */
    for (size_t r = 0; r < t.n_rows; r++)
        t.x[r * 6 + 2] = 0.5f;
    rc.epochs = 1;
    CHECK(tvmaf_mlp_train(&m[0], t.x, t.y, t.n_rows, 6, &rc, NULL, NULL, NULL, &quiet) == 0);
    CHECK(m[0].std[2] == 1.0 && m[0].mean[2] == 0.5);
    tvmaf_mlp_free(&m[0]);

    /* Recipes. */
    CHECK(tvmaf_recipe_set_arch(&rc, "mlp_large") == 0 && rc.n_hidden == 3 && rc.hidden[0] == 64);
    CHECK(tvmaf_recipe_set_arch(&rc, "mlp_huge") == TVMAF_ERR(EINVAL));
    CHECK(tvmaf_recipe_set_hidden(&rc, "8,4") == 0 && rc.n_hidden == 2 && rc.hidden[1] == 4);
    CHECK(tvmaf_recipe_set_hidden(&rc, "8,") == TVMAF_ERR(EINVAL));
    CHECK(tvmaf_recipe_set_hidden(&rc, "0") == TVMAF_ERR(EINVAL));
    tvmaf_table_free(&t);
}

static void test_folds(void)
{
    /* Group sizes a:5 b:3 c:3 d:2. GroupKFold, k=2: a -> 0, b -> 1, c -> 1
     * (lighter), d -> 0. */
    TvmafStr s = { 0 };
    tvmaf_str_printf(&s, "a,b,y,g\n");
    const char *const groups = "aaaaabbbcccdd";
    for (int i = 0; groups[i]; i++)
        tvmaf_str_printf(&s, "%d,%d,%d,%c\n", i, i * i % 7, i % 5, groups[i]);
    TvmafTable t;
    CHECK(load(&t, s.s, 0) == 0);
    TvmafRecipe rc;
    tvmaf_recipe_default(&rc);
    rc.epochs = 1;
    const uint64_t seeds[] = { 0, 1 };
    TvmafEvalResult res;
    CHECK(tvmaf_eval_run(&res, &t, TVMAF_CV_KFOLD, 2, seeds, 2, &rc, 2, NULL, NULL, &quiet) == 0);
    CHECK(res.n_folds == 2 && res.n_seeds == 2);
    if (res.per_fold) {
        const TvmafFoldResult *const f0 = &res.per_fold[0], *const f1 = &res.per_fold[1];
        CHECK(f0->n_test_groups == 2 && f0->test_groups[0] == 0 && f0->test_groups[1] == 3);
        CHECK(f1->n_test_groups == 2 && f1->test_groups[0] == 1 && f1->test_groups[1] == 2);
        CHECK(f0->n_test == 7 && f0->n_train == 6 && f1->n_test == 6);
        CHECK(res.per_fold[2].seed == 1 && res.per_fold[2].fold == 0);
    }
    tvmaf_eval_result_free(&res);
    CHECK(tvmaf_eval_run(&res, &t, TVMAF_CV_LOSO, 0, seeds, 1, &rc, 1, NULL, NULL, &quiet) == 0);
    CHECK(res.n_folds == 4);
    tvmaf_eval_result_free(&res);
    CHECK(tvmaf_eval_run(&res, &t, TVMAF_CV_KFOLD, 5, seeds, 1, &rc, 1, NULL, NULL, &quiet) ==
          TVMAF_ERR(EINVAL));
    tvmaf_table_free(&t);

    /* d alone has a constant target: LOSO refuses the fold. */
    CHECK(load(&t, "a,b,y,g\n1,2,3,a\n2,3,4,a\n5,1,7,d\n", 0) == 0);
    CHECK(tvmaf_eval_run(&res, &t, TVMAF_CV_LOSO, 0, seeds, 1, &rc, 1, NULL, NULL, &quiet) ==
          TVMAF_ERR(EINVAL));
    tvmaf_table_free(&t);
    CHECK(load(&t, "a,b,y,g\n1,2,3,a\n2,3,4,a\n", 0) == 0);
    CHECK(tvmaf_eval_run(&res, &t, TVMAF_CV_LOSO, 0, seeds, 1, &rc, 1, NULL, NULL, &quiet) ==
          TVMAF_ERR(EINVAL));
    tvmaf_table_free(&t);
    CHECK(load(&t, "a,b,y,g\n1,2,3,a\n2,3,3,b\n", 0) == 0);
    CHECK(tvmaf_eval_run(&res, &t, TVMAF_CV_NONE, 0, seeds, 1, &rc, 1, NULL, NULL, &quiet) ==
          TVMAF_ERR(EINVAL));
    tvmaf_table_free(&t);
    tvmaf_str_free(&s);
}

static void test_json_double(void)
{
    char b[40];
    tvmaf_json_double(b, sizeof(b), 0.1);
    CHECK(!strcmp(b, "0.1"));
    tvmaf_json_double(b, sizeof(b), 0.9154358735163397);
    CHECK(!strcmp(b, "0.9154358735163397"));
    tvmaf_json_double(b, sizeof(b), NAN);
    CHECK(!strcmp(b, "null"));
    tvmaf_json_double(b, sizeof(b), 1e-8);
    CHECK(strtod(b, NULL) == 1e-8);
}

int main(void)
{
    const char *const base = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir;
    snprintf(tmpdir, sizeof(tmpdir), "%s/tvmaf_train_unit_XXXXXX", base);
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_rng();
    test_metrics();
    test_table();
    test_kernels();
    test_training();
    test_folds();
    test_json_double();
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd))
        fprintf(stderr, "could not remove %s\n", tmpdir);
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    else
        printf("all train unit checks passed\n");
    return failures != 0;
}
