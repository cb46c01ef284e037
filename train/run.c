/*
 * The toolkit's commands as calls: `tinyvmaf train` (table -> network ->
 * files), `export` (checkpoint -> files), `eval` (cross-validation, or
 * `--model`: a tiny model scored on a table) and `predict` (a tiny model
 * on a table). tools/cmd_train.c and tools/cmd_tiny.c parse
 * the options and print what these return.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal_api.h"
#include "train.h"
#if TVMAF_TRAIN_HAVE_TINY
#include "tinyvmaf/tiny.h"
#endif

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const char *base_name(const char *const path)
{
    const char *const s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int oom(const TvmafLogger *const log)
{
    tvmaf_log(log, TVMAF_LOG_ERROR, "out of memory");
    return TVMAF_ERR(ENOMEM);
}

static int write_predictions(const char *const path, const float *const pred, const size_t n,
                             const TvmafLogger *const log)
{
    TvmafStr b = { 0 };
    tvmaf_str_printf(&b, "vmaf\n");
    for (size_t i = 0; i < n; i++)
        tvmaf_str_printf(&b, "%.9g\n", pred[i]);
    const int r = b.oom ? oom(log) : tvmaf_write_file_atomic(path, b.s, b.len, log);
    tvmaf_str_free(&b);
    return r;
}

int tvmaf_train_job_run(const TvmafTrainJob *const j, TvmafTrainResult *const r,
                        const TvmafLogger *const log)
{
    memset(r, 0, sizeof(*r));
    const TvmafTableSpec spec = { .features = j->features, .n_features = j->n_features,
                                  .target = j->target, .drop_nonfinite = j->drop_nonfinite };
    int err = tvmaf_table_load(&r->t, j->data, &spec, log);
    if (err < 0)
        return err;
    const TvmafTable *const t = &r->t;
    if (tvmaf_table_target_constant(t)) {
        tvmaf_log(log, TVMAF_LOG_ERROR,
                  "%s: target column '%s' is constant (%g in every row): nothing to learn",
                  j->data, j->target, t->y[0]);
        return TVMAF_ERR(EINVAL);
    }
    const double t0 = now_s();
    if ((err = tvmaf_mlp_train(&r->m, t->x, t->y, t->n_rows, t->n_features, &j->recipe,
                               j->progress, j->cookie, &r->loss, log)) < 0)
        return err;
    r->seconds = now_s() - t0;
    float *const pred = malloc(sizeof(float) * t->n_rows);
    if (!pred || tvmaf_mlp_predict(&r->m, t->x, t->n_rows, pred, j->recipe.cpu_mask) < 0 ||
        tvmaf_scores_compute(&r->train, pred, t->y, t->n_rows) < 0) {
        free(pred);
        return oom(log);
    }
    err = j->predictions ? write_predictions(j->predictions, pred, t->n_rows, log) : 0;
    free(pred);
    if (err < 0)
        return err;
    const TvmafProvenance prov = {
        .id = j->id, .onnx_name = j->out ? base_name(j->out) : NULL, .data_path = j->data,
        .data_sha256 = t->sha256, .n_rows = t->n_rows, .recipe = &j->recipe,
        .train = &r->train, .train_loss = r->loss, .target = j->target, .notes = j->notes,
    };
    if (j->checkpoint &&
        (err = tvmaf_checkpoint_write(j->checkpoint, &r->m, j->features, &prov, log)) < 0)
        return err;
    if (j->out && (err = tvmaf_model_write(&r->m, j->features, j->out, j->sidecar, &prov, log)) < 0)
        return err;
    return 0;
}

void tvmaf_train_result_free(TvmafTrainResult *const r)
{
    if (!r)
        return;
    tvmaf_mlp_free(&r->m);
    tvmaf_table_free(&r->t);
}

int tvmaf_model_names(const char *const out, const char *const id_given, char **const sidecar,
                      char **const id, const TvmafLogger *const log)
{
    *sidecar = *id = NULL;
    const size_t n = strlen(out);
    if (n < 6 || strcmp(out + n - 5, ".onnx")) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "-o: '%s' must end in .onnx", out);
        return TVMAF_ERR(EINVAL);
    }
    *sidecar = malloc(n + 1);
    if (*sidecar) {
        memcpy(*sidecar, out, n - 5);
        strcpy(*sidecar + n - 5, ".json");
    }
    const char *const base = base_name(out);
    *id = id_given ? strdup(id_given) : strndup(base, strlen(base) - 5);
    if (!*sidecar || !*id) {
        free(*sidecar);
        free(*id);
        *sidecar = *id = NULL;
        return oom(log);
    }
    return 0;
}

int tvmaf_export_checkpoint(const char *const checkpoint, const char *const out,
                            const char *const sidecar, const char *const id,
                            const char *const notes, const TvmafLogger *const log)
{
    TvmafCheckpoint ck;
    int err = tvmaf_checkpoint_read(&ck, checkpoint, log);
    if (err < 0)
        return err;
    ck.prov.id = id;
    ck.prov.onnx_name = base_name(out);
    ck.prov.notes = notes;
    err = tvmaf_model_write(&ck.mlp, ck.features, out, sidecar, &ck.prov, log);
    tvmaf_checkpoint_free(&ck);
    return err;
}

int tvmaf_eval_report_write(const char *const path, const TvmafEvalReport *const rp,
                            const TvmafLogger *const log)
{
    TvmafStr js = { 0 };
    const int err = tvmaf_eval_report_json(&js, rp) < 0 ? oom(log)
                    : tvmaf_write_file_atomic(path, js.s, js.len, log);
    tvmaf_str_free(&js);
    return err;
}

/* `eval --model`: the model's scores on every row, and per group. */
static int eval_model(const TvmafEvalJob *const j, FILE *const out, const TvmafLogger *const log)
{
#if TVMAF_TRAIN_HAVE_TINY
    TvmafTinyLoadOptions lo;
    tvmaf_tiny_default_load_options(&lo);
    lo.logger = *log;
    lo.cpu_mask = j->recipe.cpu_mask;
    TvmafTinyModel *m = NULL;
    TvmafModelEval e = { 0 };
    int err = tvmaf_tiny_model_load(&m, j->model, &lo);
    if (err < 0 || (err = tvmaf_model_eval(&e, m, j->data, j->target, j->group, j->group_given,
                                           j->drop_nonfinite, log)) < 0)
        goto end;
    const TvmafEvalReport rp = { .mode = "model", .model_id = tvmaf_tiny_model_id(m),
                                 .model_sha256 = tvmaf_tiny_model_sha256(m),
                                 .data_path = j->data, .target = j->target, .group = j->group,
                                 .t = &e.t, .res = &e.res };
    fprintf(out, "model %s on %zu rows of %s: PLCC %.4f  SROCC %.4f  RMSE %.4f\n",
            tvmaf_tiny_model_id(m), e.t.n_rows, j->data, e.all.plcc, e.all.srocc, e.all.rmse);
    if (e.t.group)
        tvmaf_eval_report_print(out, &rp);
    if (j->report)
        err = tvmaf_eval_report_write(j->report, &rp, log);
end:
    tvmaf_model_eval_free(&e);
    tvmaf_tiny_model_free(&m);
    return err;
#else
    (void)j;
    (void)out;
    tvmaf_log(log, TVMAF_LOG_ERROR, "--model needs the tiny-model runtime (built without it)");
    return TVMAF_ERR(ENOTSUP);
#endif
}

int tvmaf_eval_job_run(const TvmafEvalJob *const j, FILE *const out, const TvmafLogger *const log)
{
    if (j->model)
        return eval_model(j, out, log);
    static const char *const mode_name[] = { "insample", "loso", "kfold" };
    const TvmafTableSpec spec = { .features = j->features, .n_features = j->n_features,
                                  .target = j->target, .drop_nonfinite = j->drop_nonfinite,
                                  .group = j->mode == TVMAF_CV_NONE ? NULL : j->group };
    TvmafTable t = { 0 };
    TvmafEvalResult res = { 0 };
    int err = tvmaf_table_load(&t, j->data, &spec, log);
    const double t0 = now_s();
    if (err < 0 || (err = tvmaf_eval_run(&res, &t, j->mode, j->k, j->seeds, j->n_seeds,
                                         &j->recipe, j->n_threads, j->progress, j->cookie,
                                         log)) < 0)
        goto end;
    const TvmafEvalReport rp = { .mode = mode_name[j->mode],
                                 .k = j->mode == TVMAF_CV_KFOLD ? j->k : 0,
                                 .seeds = j->seeds, .n_seeds = j->n_seeds,
                                 .recipe = &j->recipe, .data_path = j->data,
                                 .target = j->target, .group = j->group, .t = &t, .res = &res };
    fprintf(out, "%s: %s, %s, %d epochs, %zu rows, %d group%s, %.2f s\n", j->data, rp.mode,
            j->recipe.arch, j->recipe.epochs, t.n_rows, t.n_groups, t.n_groups == 1 ? "" : "s",
            now_s() - t0);
    tvmaf_eval_report_print(out, &rp);
    if (j->report && (err = tvmaf_eval_report_write(j->report, &rp, log)) < 0)
        goto end;
    if (j->predictions)
        err = tvmaf_eval_write_predictions(j->predictions, &rp, log);
end:
    tvmaf_eval_result_free(&res);
    tvmaf_table_free(&t);
    return err;
}

#if TVMAF_TRAIN_HAVE_TINY
int tvmaf_table_load_for_model(TvmafTable *const t, const char *const path,
                               const TvmafTinyModel *const m, const TvmafTableSpec *const spec,
                               const TvmafLogger *const log)
{
    memset(t, 0, sizeof(*t));
    const unsigned k = tvmaf_tiny_model_n_features(m);
    if (k > TVMAF_TRAIN_MAX_FEATURES) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "model %s takes %u features, at most %d are supported",
                  tvmaf_tiny_model_id(m), k, TVMAF_TRAIN_MAX_FEATURES);
        return TVMAF_ERR(ENOTSUP);
    }
    const char *names[TVMAF_TRAIN_MAX_FEATURES];
    for (unsigned i = 0; i < k; i++)
        names[i] = tvmaf_tiny_model_feature_name(m, i);
    TvmafTableSpec s = *spec;
    s.features = names;
    s.n_features = (int)k;
    return tvmaf_table_load(t, path, &s, log);
}

int tvmaf_tiny_predict(const TvmafTinyModel *const m, const TvmafTable *const t, size_t batch,
                       float *const out, const TvmafLogger *const log)
{
    const size_t k = (size_t)t->n_features;
    if (!batch)
        batch = t->n_rows;
    for (size_t i = 0; i < t->n_rows; i += batch) {
        const size_t n = t->n_rows - i < batch ? t->n_rows - i : batch;
        const int err = tvmaf_tiny_model_run(m, t->x + i * k, n, out + i);
        if (err < 0) {
            tvmaf_log(log, TVMAF_LOG_ERROR, "running %s failed", tvmaf_tiny_model_id(m));
            return err;
        }
    }
    /* All rows are checked before any is used: a score that is not finite
     * fails the run instead of passing for one. */
    for (size_t i = 0; i < t->n_rows; i++)
        if (!isfinite(out[i])) {
            tvmaf_log(log, TVMAF_LOG_ERROR, "data row %zu: the model's score is not finite (%s)",
                      i + 1, isnan(out[i]) ? "nan" : "inf");
            return TVMAF_ERR(EBADMSG);
        }
    return 0;
}

int tvmaf_predict_run(const char *const model, const char *const registry_dir,
                      const char *const features, const size_t batch, FILE *const out,
                      const TvmafLogger *const log)
{
    TvmafTinyLoadOptions o;
    tvmaf_tiny_default_load_options(&o);
    o.registry_dir = registry_dir;
    o.logger = *log;
    TvmafTinyModel *m = NULL;
    int err = tvmaf_tiny_model_load(&m, model, &o);
    if (err < 0)
        return err;
    const TvmafTableSpec spec = { .allow_empty = 1 };
    TvmafTable t;
    float *pred = NULL;
    if ((err = tvmaf_table_load_for_model(&t, features, m, &spec, log)) == 0 && t.n_rows &&
        !(pred = malloc(t.n_rows * sizeof(*pred))))
        err = oom(log);
    if (!err)
        err = tvmaf_tiny_predict(m, &t, batch, pred, log);
    for (size_t i = 0; !err && i < t.n_rows; i++)
        fprintf(out, "%.9g\n", pred[i]);
    free(pred);
    tvmaf_table_free(&t);
    tvmaf_tiny_model_free(&m);
    return err;
}

int tvmaf_model_eval(TvmafModelEval *const e, const TvmafTinyModel *const m,
                     const char *const data, const char *const target, const char *const group,
                     const int group_given, const int drop_nonfinite, const TvmafLogger *const log)
{
    memset(e, 0, sizeof(*e));
    TvmafTableSpec spec = { .target = target, .group = group, .drop_nonfinite = drop_nonfinite };
    if (!group_given) {
        /* Unless named, the group column is optional here: without it the
         * result has one fold of all rows. */
        const TvmafLogger quiet = { 0 };
        TvmafTable probe;
        if (tvmaf_table_load_for_model(&probe, data, m, &spec, &quiet) == TVMAF_ERR(ENOENT))
            spec.group = NULL;
        tvmaf_table_free(&probe);
    }
    int err = tvmaf_table_load_for_model(&e->t, data, m, &spec, log);
    if (err < 0)
        return err;
    if (tvmaf_table_target_constant(&e->t)) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: target column '%s' is constant: PLCC/SROCC are undefined",
                  data, target);
        return TVMAF_ERR(EINVAL);
    }
    if (!(e->pred = malloc(sizeof(float) * e->t.n_rows)))
        return oom(log);
    if ((err = tvmaf_tiny_predict(m, &e->t, 0, e->pred, log)) < 0)
        return err;
    if (tvmaf_eval_fixed(&e->res, &e->t, e->pred) < 0 ||
        tvmaf_scores_compute(&e->all, e->pred, e->t.y, e->t.n_rows) < 0)
        return oom(log);
    return 0;
}

void tvmaf_model_eval_free(TvmafModelEval *const e)
{
    if (!e)
        return;
    free(e->pred);
    tvmaf_eval_result_free(&e->res);
    tvmaf_table_free(&e->t);
    memset(e, 0, sizeof(*e));
}
#endif
