/*
 * Evaluation output: the JSON report (docs/eval.schema.json), the text
 * table, the out-of-fold predictions CSV, the per-group scores of a fixed
 * model's predictions, and the progress lines of training and evaluation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "internal_api.h"
#include "train.h"

static void stat_pair(TvmafStr *const b, const char *const key, const double *const v,
                      const size_t n, const int last)
{
    double mean, sd;
    tvmaf_metric_mean_std(v, n, &mean, &sd);
    tvmaf_str_printf(b, "    ");
    tvmaf_str_json_string(b, key);
    tvmaf_str_printf(b, ": {\"mean\": ");
    tvmaf_str_json_double(b, mean);
    tvmaf_str_printf(b, ", \"std\": ");
    tvmaf_str_json_double(b, sd);
    tvmaf_str_printf(b, "}%s\n", last ? "" : ",");
}

/* Which metric of a fold result: 0 plcc, 1 srocc, 2 rmse, 3 train rmse, 4 train plcc. */
static double metric_of(const TvmafFoldResult *const r, const int which)
{
    switch (which) {
    case 0: return r->test.plcc;
    case 1: return r->test.srocc;
    case 2: return r->test.rmse;
    case 3: return r->train.rmse;
    default: return r->train.plcc;
    }
}

int tvmaf_eval_report_json(TvmafStr *const b, const TvmafEvalReport *const rp)
{
    const TvmafTable *const t = rp->t;
    const TvmafEvalResult *const res = rp->res;
    const int n = res->n_folds * res->n_seeds;
    const int model = !strcmp(rp->mode, "model");
    char hex[65];
    tvmaf_hex(t->sha256, 32, hex);
    tvmaf_str_printf(b, "{\n  \"tool\": {\"name\": \"tinyvmaf\", \"version\": ");
    tvmaf_str_json_string(b, TVMAF_VERSION);
    tvmaf_str_printf(b, "},\n  \"mode\": ");
    tvmaf_str_json_string(b, rp->mode);
    tvmaf_str_printf(b, ",\n");
    if (rp->k)
        tvmaf_str_printf(b, "  \"k\": %d,\n", rp->k);
    tvmaf_str_printf(b, "  \"n_folds\": %d,\n", res->n_folds);
    if (model) {
        tvmaf_str_printf(b, "  \"model\": {\"id\": ");
        tvmaf_str_json_string(b, rp->model_id);
        tvmaf_str_printf(b, ", \"sha256\": ");
        tvmaf_str_json_string(b, rp->model_sha256);
        tvmaf_str_printf(b, "},\n");
    } else {
        tvmaf_str_printf(b, "  \"seeds\": [");
        for (int s = 0; s < rp->n_seeds; s++)
            tvmaf_str_printf(b, "%s%llu", s ? ", " : "", (unsigned long long)rp->seeds[s]);
        tvmaf_str_printf(b, "],\n  \"recipe\": {\n");
        tvmaf_json_recipe(b, rp->recipe, "    ");
        tvmaf_str_printf(b, "  },\n");
    }
    tvmaf_str_printf(b, "  \"data\": {\n    \"file\": ");
    tvmaf_str_json_string(b, rp->data_path);
    tvmaf_str_printf(b, ",\n    \"sha256\": ");
    tvmaf_str_json_string(b, hex);
    tvmaf_str_printf(b, ",\n    \"rows\": %zu,\n", t->n_rows);
    tvmaf_str_printf(b, "    \"dropped_nonfinite\": %zu,\n    \"features\": [", t->n_dropped);
    for (int i = 0; i < t->n_features; i++) {
        tvmaf_str_printf(b, "%s", i ? ", " : "");
        tvmaf_str_json_string(b, t->feature_names[i]);
    }
    tvmaf_str_printf(b, "],\n    \"target\": ");
    tvmaf_str_json_string(b, rp->target);
    tvmaf_str_printf(b, ",\n    \"group\": ");
    if (t->group)
        tvmaf_str_json_string(b, rp->group);
    else
        tvmaf_str_printf(b, "null");
    tvmaf_str_printf(b, ",\n    \"groups\": [");
    for (int g = 0; g < t->n_groups; g++) {
        tvmaf_str_printf(b, "%s", g ? ", " : "");
        tvmaf_str_json_string(b, t->group_names[g]);
    }
    tvmaf_str_printf(b, "]\n  },\n  \"per_fold\": [\n");
    for (int j = 0; j < n; j++) {
        const TvmafFoldResult *const r = &res->per_fold[j];
        tvmaf_str_printf(b, "    {\"fold\": %d, ", r->fold);
        if (!model)
            tvmaf_str_printf(b, "\"seed\": %llu, ", (unsigned long long)r->seed);
        tvmaf_str_printf(b, "\"test_groups\": [");
        for (int g = 0; g < r->n_test_groups; g++) {
            tvmaf_str_printf(b, "%s", g ? ", " : "");
            tvmaf_str_json_string(b, t->group_names[r->test_groups[g]]);
        }
        tvmaf_str_printf(b, "], ");
        if (!model)
            tvmaf_str_printf(b, "\"n_train\": %zu, ", r->n_train);
        tvmaf_str_printf(b, "\"n_test\": %zu,\n     \"plcc\": ", r->n_test);
        tvmaf_str_json_double(b, r->test.plcc);
        tvmaf_str_printf(b, ", \"srocc\": ");
        tvmaf_str_json_double(b, r->test.srocc);
        tvmaf_str_printf(b, ", \"rmse\": ");
        tvmaf_str_json_double(b, r->test.rmse);
        if (!model) {
            tvmaf_str_printf(b, ",\n     \"train_plcc\": ");
            tvmaf_str_json_double(b, r->train.plcc);
            tvmaf_str_printf(b, ", \"train_rmse\": ");
            tvmaf_str_json_double(b, r->train.rmse);
            tvmaf_str_printf(b, ", \"train_loss\": ");
            tvmaf_str_json_double(b, r->train_loss);
        }
        tvmaf_str_printf(b, "}%s\n", j + 1 < n ? "," : "");
    }
    tvmaf_str_printf(b, "  ],\n  \"aggregate\": {\n    \"n\": %d,\n", n);
    double *const v = malloc(sizeof(double) * (n ? n : 1));
    if (!v)
        return TVMAF_ERR(ENOMEM);
    static const char *const keys[] = { "plcc", "srocc", "rmse", "train_rmse", "train_plcc" };
    const int n_keys = model ? 3 : 5;
    for (int q = 0; q < n_keys; q++) {
        for (int j = 0; j < n; j++)
            v[j] = metric_of(&res->per_fold[j], q);
        stat_pair(b, keys[q], v, n, q + 1 == n_keys);
    }
    free(v);
    tvmaf_str_printf(b, "  }\n}\n");
    return b->oom ? TVMAF_ERR(ENOMEM) : 0;
}

void tvmaf_eval_report_print(FILE *const f, const TvmafEvalReport *const rp)
{
    const TvmafTable *const t = rp->t;
    const TvmafEvalResult *const res = rp->res;
    const int n = res->n_folds * res->n_seeds;
    const int model = !strcmp(rp->mode, "model");
    fprintf(f, "%4s %6s  %-24s %8s %8s  %7s %7s %8s\n", "fold", model ? "" : "seed", "test groups",
           model ? "" : "n_train", "n_test", "PLCC", "SROCC", "RMSE");
    for (int j = 0; j < n; j++) {
        const TvmafFoldResult *const r = &res->per_fold[j];
        char groups[25] = "(all rows)";
        if (r->n_test_groups) {
            size_t len = 0;
            groups[0] = '\0';
            for (int g = 0; g < r->n_test_groups && len < sizeof(groups); g++)
                len += snprintf(groups + len, sizeof(groups) - len, "%s%s", g ? "," : "",
                                t->group_names[r->test_groups[g]]);
            if (len >= sizeof(groups))
                memcpy(groups + sizeof(groups) - 4, "...", 4);
        }
        char seed[24] = "", ntr[24] = "";
        if (!model) {
            snprintf(seed, sizeof(seed), "%llu", (unsigned long long)r->seed);
            snprintf(ntr, sizeof(ntr), "%zu", r->n_train);
        }
        fprintf(f, "%4d %6s  %-24s %8s %8zu  %7.4f %7.4f %8.4f\n", r->fold, seed, groups, ntr,
               r->n_test, r->test.plcc, r->test.srocc, r->test.rmse);
    }
    double *const v = malloc(sizeof(double) * (n ? n : 1));
    if (!v)
        return;
    if (model)
        fprintf(f, "aggregate over %d group%s:\n", n, n == 1 ? "" : "s");
    else
        fprintf(f, "aggregate over %d run%s (%d fold%s x %d seed%s):\n", n, n == 1 ? "" : "s",
               res->n_folds, res->n_folds == 1 ? "" : "s", res->n_seeds,
               res->n_seeds == 1 ? "" : "s");
    static const char *const names[] = { "PLCC", "SROCC", "RMSE", "train RMSE", "train PLCC" };
    for (int q = 0; q < (model ? 3 : 4); q++) {
        for (int j = 0; j < n; j++)
            v[j] = metric_of(&res->per_fold[j], q);
        double mean, sd;
        tvmaf_metric_mean_std(v, n, &mean, &sd);
        fprintf(f, "  %-11s %.4f +- %.4f\n", names[q], mean, sd);
    }
    free(v);
}

/* Every row's out-of-fold prediction per seed, for analyses the report
 * does not make (per-band errors, per-source plots). */
int tvmaf_eval_write_predictions(const char *const path, const TvmafEvalReport *const rp,
                                 const TvmafLogger *const log)
{
    const TvmafTable *const t = rp->t;
    const TvmafEvalResult *const res = rp->res;
    char err[256];
    TvmafAtomicFile af;
    if (tvmaf_atomic_open(&af, path, err, sizeof(err)) < 0)
        {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: %s", path, err);
        return TVMAF_ERR(EIO);
    }
    FILE *const f = af.f;
    int e = fputs("row,", f) < 0 || tvmaf_csv_put_field(f, rp->group ? rp->group : "group") < 0 ||
            fputc(',', f) < 0 || tvmaf_csv_put_field(f, rp->target) < 0;
    for (int s = 0; s < res->n_seeds && !e; s++)
        e = fprintf(f, ",seed_%llu", (unsigned long long)rp->seeds[s]) < 0;
    e |= fputc('\n', f) < 0;
    for (size_t i = 0; i < t->n_rows && !e; i++) {
        e = fprintf(f, "%zu,", i) < 0 ||
            tvmaf_csv_put_field(f, t->group ? t->group_names[t->group[i]] : "") < 0 ||
            fprintf(f, ",%.9g", t->y[i]) < 0;
        for (int s = 0; s < res->n_seeds && !e; s++)
            e = fprintf(f, ",%.9g", res->oof[(size_t)s * t->n_rows + i]) < 0;
        e |= fputc('\n', f) < 0;
    }
    if (e) {
        tvmaf_atomic_abort(&af);
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: write error", path);
        return TVMAF_ERR(EIO);
    }
    if (tvmaf_atomic_commit(&af, err, sizeof(err)) < 0)
        {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: %s", path, err);
        return TVMAF_ERR(EIO);
    }
    return 0;
}

int tvmaf_eval_fixed(TvmafEvalResult *const res, const TvmafTable *const t,
                     const float *const pred)
{
    memset(res, 0, sizeof(*res));
    const int n_folds = t->group ? t->n_groups : 1;
    res->n_folds = n_folds;
    res->n_seeds = 1;
    res->per_fold = calloc(n_folds, sizeof(TvmafFoldResult));
    float *const buf = malloc(sizeof(float) * 2 * t->n_rows);
    int ret = TVMAF_ERR(ENOMEM);
    if (!res->per_fold || !buf)
        goto end;
    for (int f = 0; f < n_folds; f++) {
        TvmafFoldResult *const r = &res->per_fold[f];
        size_t n = 0;
        for (size_t i = 0; i < t->n_rows; i++) {
            if (t->group && t->group[i] != f)
                continue;
            buf[n] = pred[i];
            buf[t->n_rows + n] = t->y[i];
            n++;
        }
        r->fold = f;
        r->n_test = n;
        if (t->group) {
            r->test_groups = malloc(sizeof(int));
            if (!r->test_groups)
                goto end;
            r->test_groups[0] = f;
            r->n_test_groups = 1;
        }
        if (tvmaf_scores_compute(&r->test, buf, buf + t->n_rows, n) < 0)
            goto end;
    }
    ret = 0;
end:
    free(buf);
    return ret;
}

void tvmaf_train_progress_stderr(void *const cookie, const int epoch, const int epochs,
                                 const double loss, const double rows_per_s)
{
    (void)cookie;
    fprintf(stderr, "\r  epoch %d/%d  loss %.5g  %.3g rows/s   ", epoch, epochs, loss,
            rows_per_s);
    if (epoch == epochs)
        fputc('\n', stderr);
    fflush(stderr);
}

void tvmaf_eval_progress_stderr(void *const cookie, const int done, const int total)
{
    (void)cookie;
    fprintf(stderr, "\r  %d/%d trainings done   ", done, total);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}
