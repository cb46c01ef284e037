/*
 * Cross-validation: every (seed, fold) pair is an independent job that
 * fits its own scaler and network, so jobs run on any number of threads
 * and their results, written to fixed slots, never depend on the count.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal_api.h"
#include "train.h"

typedef struct Folds {
    int n;
    int *fold_of_group; /* [n_groups] */
} Folds;

typedef struct GroupSize {
    size_t rows;
    const char *name;
    int g;
} GroupSize;

static int cmp_groups_by_size(const void *const a, const void *const b)
{
    const GroupSize *const x = a, *const y = b;
    if (x->rows != y->rows)
        return x->rows > y->rows ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int make_folds(Folds *const f, const TvmafTable *const t, const enum TvmafCvMode mode,
                      const int k, const TvmafLogger *const log)
{
    f->fold_of_group = calloc(t->n_groups ? t->n_groups : 1, sizeof(int));
    if (!f->fold_of_group) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "out of memory");
        return TVMAF_ERR(ENOMEM);
    }
    if (mode == TVMAF_CV_NONE) {
        f->n = 1;
        return 0;
    }
    if (t->n_groups < 2) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s needs at least 2 groups, the table has %d",
                  mode == TVMAF_CV_LOSO ? "--loso" : "--kfold", t->n_groups);
        return TVMAF_ERR(EINVAL);
    }
    if (mode == TVMAF_CV_LOSO) {
        f->n = t->n_groups;
        for (int g = 0; g < t->n_groups; g++)
            f->fold_of_group[g] = g;
        return 0;
    }
    if (k < 2) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "--kfold needs K >= 2");
        return TVMAF_ERR(EINVAL);
    }
    if (k > t->n_groups) {
        tvmaf_log(log, TVMAF_LOG_ERROR,
                  "--kfold %d: only %d groups, so fold %d would be empty (folds hold whole groups)",
                  k, t->n_groups, t->n_groups + 1);
        return TVMAF_ERR(EINVAL);
    }
    /* GroupKFold: biggest group first into the lightest fold, so fold
     * sizes come out as even as whole groups allow. */
    GroupSize *const order = malloc(sizeof(GroupSize) * t->n_groups);
    size_t *const load = calloc(k, sizeof(size_t));
    if (!order || !load) {
        free(order);
        free(load);
        tvmaf_log(log, TVMAF_LOG_ERROR, "out of memory");
        return TVMAF_ERR(ENOMEM);
    }
    for (int g = 0; g < t->n_groups; g++)
        order[g] = (GroupSize){ t->group_rows[g], t->group_names[g], g };
    qsort(order, t->n_groups, sizeof(GroupSize), cmp_groups_by_size);
    for (int j = 0; j < t->n_groups; j++) {
        int best = 0;
        for (int q = 1; q < k; q++)
            if (load[q] < load[best])
                best = q;
        f->fold_of_group[order[j].g] = best;
        load[best] += order[j].rows;
    }
    free(order);
    free(load);
    f->n = k;
    return 0;
}

static int is_constant(const float *const v, const size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[0])
            return 0;
    return 1;
}

typedef struct Shared {
    const TvmafTable *t;
    const Folds *folds;
    const TvmafRecipe *recipe;
    const uint64_t *seeds;
    TvmafEvalResult *res;
    const TvmafLogger *log;
    TvmafEvalProgress progress;
    void *cookie;
    pthread_mutex_t lock;
    int next, done, total;
    int error;
} Shared;

static int run_job(Shared *const sh, const int job)
{
    const TvmafTable *const t = sh->t;
    const int fold = job % sh->folds->n, s = job / sh->folds->n;
    const int k = t->n_features;
    TvmafFoldResult *const r = &sh->res->per_fold[job];
    const int in_sample = sh->folds->n == 1;
    r->fold = fold;
    r->seed = sh->seeds[s];

    size_t n_test = 0;
    for (size_t i = 0; i < t->n_rows; i++)
        n_test += in_sample || sh->folds->fold_of_group[t->group[i]] == fold;
    const size_t n_train = in_sample ? t->n_rows : t->n_rows - n_test;
    float *const xtr = malloc(sizeof(float) * (n_train * k + n_train + n_test * k + 2 * n_test));
    if (!xtr)
        return TVMAF_ERR(ENOMEM);
    float *const ytr = xtr + n_train * k, *const xte = ytr + n_train, *const yte = xte + n_test * k,
                *const pred = yte + n_test;
    size_t a = 0, b = 0;
    for (size_t i = 0; i < t->n_rows; i++) {
        const int test = in_sample || sh->folds->fold_of_group[t->group[i]] == fold;
        const int train = in_sample || !test;
        if (train) {
            memcpy(xtr + a * k, t->x + i * k, sizeof(float) * k);
            ytr[a++] = t->y[i];
        }
        if (test) {
            memcpy(xte + b * k, t->x + i * k, sizeof(float) * k);
            yte[b++] = t->y[i];
        }
    }
    r->n_train = n_train;
    r->n_test = n_test;

    TvmafRecipe rc = *sh->recipe;
    rc.seed = sh->seeds[s];
    TvmafMlp m;
    int ret = tvmaf_mlp_train(&m, xtr, ytr, n_train, k, &rc, NULL, NULL, &r->train_loss, sh->log);
    if (ret >= 0)
        ret = tvmaf_mlp_predict(&m, xte, n_test, pred, rc.cpu_mask);
    if (ret >= 0)
        ret = tvmaf_scores_compute(&r->test, pred, yte, n_test);
    if (ret >= 0) {
        /* Each row's prediction by the model that did not see it (every row
         * is in exactly one test fold; in-sample: by the one model). */
        float *const oof = sh->res->oof + (size_t)s * t->n_rows;
        size_t c = 0;
        for (size_t i = 0; i < t->n_rows; i++)
            if (in_sample || sh->folds->fold_of_group[t->group[i]] == fold)
                oof[i] = pred[c++];
    }
    if (ret >= 0 && in_sample) {
        r->train = r->test;
    } else if (ret >= 0) {
        float *const ptr = malloc(sizeof(float) * n_train);
        ret = ptr ? tvmaf_mlp_predict(&m, xtr, n_train, ptr, rc.cpu_mask) : TVMAF_ERR(ENOMEM);
        if (ret >= 0)
            ret = tvmaf_scores_compute(&r->train, ptr, ytr, n_train);
        free(ptr);
    }
    tvmaf_mlp_free(&m);
    free(xtr);
    return ret;
}

static void *worker(void *const arg)
{
    Shared *const sh = arg;
    for (;;) {
        pthread_mutex_lock(&sh->lock);
        const int job = sh->error ? sh->total : sh->next++;
        pthread_mutex_unlock(&sh->lock);
        if (job >= sh->total)
            break;
        const int ret = run_job(sh, job);
        pthread_mutex_lock(&sh->lock);
        if (ret < 0 && !sh->error)
            sh->error = ret;
        sh->done++;
        if (sh->progress && !sh->error)
            sh->progress(sh->cookie, sh->done, sh->total);
        pthread_mutex_unlock(&sh->lock);
    }
    return NULL;
}

int tvmaf_eval_run(TvmafEvalResult *const res, const TvmafTable *const t,
                   const enum TvmafCvMode mode, const int k, const uint64_t *const seeds,
                   const int n_seeds, const TvmafRecipe *const recipe, int n_threads,
                   const TvmafEvalProgress progress, void *const cookie,
                   const TvmafLogger *const log)
{
    memset(res, 0, sizeof(*res));
    Folds folds = { 0 };
    int ret;
    if (!t->y || n_seeds < 1) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "evaluation needs a target column and a seed");
        return TVMAF_ERR(EINVAL);
    }
    if (mode != TVMAF_CV_NONE && !t->group) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "cross-validation needs a group column");
        return TVMAF_ERR(EINVAL);
    }
    if (is_constant(t->y, t->n_rows)) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "the target is constant (%g in every row): nothing to learn",
                  t->y[0]);
        return TVMAF_ERR(EINVAL);
    }
    if ((ret = make_folds(&folds, t, mode, k, log)) < 0)
        goto end;

    /* A fold whose test rows share one target has no PLCC or SROCC; refuse
     * it before spending minutes on training. */
    if (mode != TVMAF_CV_NONE) {
        for (int f = 0; f < folds.n; f++) {
            float first = 0.0f;
            int seen = 0, varies = 0, grp = -1;
            for (size_t i = 0; i < t->n_rows && !varies; i++) {
                if (folds.fold_of_group[t->group[i]] != f)
                    continue;
                if (!seen) {
                    first = t->y[i];
                    seen = 1;
                    grp = t->group[i];
                } else if (t->y[i] != first) {
                    varies = 1;
                }
            }
            if (!varies) {
                tvmaf_log(log, TVMAF_LOG_ERROR,
                          "fold %d (group '%s'%s): the target is constant in its test rows, "
                          "so PLCC/SROCC are undefined",
                          f, grp >= 0 ? t->group_names[grp] : "?",
                          mode == TVMAF_CV_KFOLD ? ", ..." : "");
                ret = TVMAF_ERR(EINVAL);
                goto end;
            }
        }
    }

    const int total = folds.n * n_seeds;
    res->n_folds = folds.n;
    res->n_seeds = n_seeds;
    res->per_fold = calloc(total, sizeof(TvmafFoldResult));
    res->oof = malloc(sizeof(float) * t->n_rows * (size_t)n_seeds);
    res->n_rows = t->n_rows;
    if (!res->per_fold || !res->oof)
        goto oom;
    for (int j = 0; j < total; j++) {
        TvmafFoldResult *const r = &res->per_fold[j];
        const int f = j % folds.n;
        if (mode == TVMAF_CV_NONE)
            continue;
        for (int g = 0; g < t->n_groups; g++)
            r->n_test_groups += folds.fold_of_group[g] == f;
        r->test_groups = malloc(sizeof(int) * r->n_test_groups);
        if (!r->test_groups)
            goto oom;
        int n = 0;
        for (int g = 0; g < t->n_groups; g++)
            if (folds.fold_of_group[g] == f)
                r->test_groups[n++] = g;
    }

    if (n_threads <= 0) {
        const long nc = sysconf(_SC_NPROCESSORS_ONLN);
        n_threads = nc > 0 ? (int)nc : 1;
    }
    if (n_threads > total)
        n_threads = total;
    Shared sh = { .t = t, .folds = &folds, .recipe = recipe, .seeds = seeds, .res = res,
                  .log = log, .progress = progress, .cookie = cookie, .total = total };
    pthread_mutex_init(&sh.lock, NULL);
    pthread_t *const th = malloc(sizeof(pthread_t) * n_threads);
    int started = 0;
    if (th)
        for (; started < n_threads - 1; started++)
            if (pthread_create(&th[started], NULL, worker, &sh))
                break;
    worker(&sh); /* the calling thread works too; it alone is enough */
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    free(th);
    pthread_mutex_destroy(&sh.lock);
    ret = sh.error;
    if (ret == TVMAF_ERR(ENOMEM))
        tvmaf_log(log, TVMAF_LOG_ERROR, "out of memory");
    goto end;
oom:
    tvmaf_log(log, TVMAF_LOG_ERROR, "out of memory");
    ret = TVMAF_ERR(ENOMEM);
end:
    free(folds.fold_of_group);
    if (ret < 0)
        tvmaf_eval_result_free(res);
    return ret;
}

void tvmaf_eval_result_free(TvmafEvalResult *const res)
{
    if (!res)
        return;
    if (res->per_fold)
        for (int j = 0; j < res->n_folds * res->n_seeds; j++)
            free(res->per_fold[j].test_groups);
    free(res->per_fold);
    free(res->oof);
    memset(res, 0, sizeof(*res));
}
