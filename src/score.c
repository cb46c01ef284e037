/*
 * Scoring: the glue between contexts and models that every caller would
 * otherwise write again (the CLI is one such caller).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "internal.h"
#include "log.h"
#include "tinyvmaf/model.h"
#include "tinyvmaf/score.h"
#if TVMAF_HAVE_ONNX
#include "tinyvmaf/tiny.h"
#endif

#define MAX_SETS 4
#define MAX_MODELS 16
#define MAX_TINY_INPUTS 64

typedef struct Classic {
    TvmafModel *m;
    unsigned set;
    int instances; /* reads extractor instances of set 0, not a fixed set */
} Classic;

typedef struct Tiny {
    struct TvmafTinyModel *m;
    enum TvmafFeature in[MAX_TINY_INPUTS];
    unsigned n_in;
} Tiny;

struct TvmafScorer {
    TvmafSettings settings;
    TvmafContext *ctx[MAX_SETS];
    double egl[MAX_SETS][2]; /* adm, vif gain limits of each set */
    unsigned n_sets;
    Classic classic[MAX_MODELS];
    unsigned n_classic;
    Tiny tiny[MAX_MODELS];
    unsigned n_tiny;
    unsigned n_frames;
    uint64_t reserved_bytes; /* tvmaf_scorer_reserve_memory() */
    int started, flushed;
    /* after the flush */
    TvmafMetric *metrics;
    unsigned n_metrics;
    double *values;
    char (*keys)[128];
};

/* libvmaf's output order of the features, per motion pipeline: the fused
 * (3.2) extractor emits motion before the VIF scales, the classic one after
 * motion2. */
static const enum TvmafFeature order_fused[] = {
    TVMAF_FEATURE_ADM2,       TVMAF_FEATURE_ADM_SCALE0, TVMAF_FEATURE_ADM_SCALE1,
    TVMAF_FEATURE_ADM_SCALE2, TVMAF_FEATURE_ADM_SCALE3, TVMAF_FEATURE_MOTION,
    TVMAF_FEATURE_VIF_SCALE0, TVMAF_FEATURE_VIF_SCALE1, TVMAF_FEATURE_VIF_SCALE2,
    TVMAF_FEATURE_VIF_SCALE3, TVMAF_FEATURE_MOTION2,
};
static const enum TvmafFeature order_classic[] = {
    TVMAF_FEATURE_ADM2,       TVMAF_FEATURE_ADM_SCALE0, TVMAF_FEATURE_ADM_SCALE1,
    TVMAF_FEATURE_ADM_SCALE2, TVMAF_FEATURE_ADM_SCALE3, TVMAF_FEATURE_MOTION2,
    TVMAF_FEATURE_MOTION,     TVMAF_FEATURE_VIF_SCALE0, TVMAF_FEATURE_VIF_SCALE1,
    TVMAF_FEATURE_VIF_SCALE2, TVMAF_FEATURE_VIF_SCALE3,
};
#define N_ORDER ((unsigned)(sizeof(order_fused) / sizeof(order_fused[0])))

int tvmaf_scorer_open(TvmafScorer **out, const TvmafSettings *s)
{
    if (!out)
        return TVMAF_ERR(EINVAL);
    *out = NULL;
    TvmafScorer *const sc = calloc(1, sizeof(*sc));
    if (!sc)
        return TVMAF_ERR(ENOMEM);
    if (s)
        sc->settings = *s;
    else
        tvmaf_default_settings(&sc->settings);
    /* Validate the settings now, not at the first picture. */
    TvmafContext *probe;
    const int err = tvmaf_open(&probe, &sc->settings);
    if (err < 0) {
        free(sc);
        return err;
    }
    tvmaf_close(&probe);
    sc->egl[0][0] = sc->settings.adm_enhn_gain_limit;
    sc->egl[0][1] = sc->settings.vif_enhn_gain_limit;
    sc->n_sets = 1;
    *out = sc;
    return 0;
}

static const TvmafLogger *logger(const TvmafScorer *s)
{
    return &s->settings.logger;
}

static const char *classic_name(const TvmafScorer *s, unsigned i)
{
    return tvmaf_model_name(s->classic[i].m);
}

static const char *tiny_name(const TvmafScorer *s, unsigned i)
{
#if TVMAF_HAVE_ONNX
    return tvmaf_tiny_model_id(s->tiny[i].m);
#else
    (void)s;
    (void)i;
    return "";
#endif
}

static int name_taken(const TvmafScorer *s, const char *name)
{
    for (unsigned i = 0; i < s->n_classic; i++)
        if (!strcmp(classic_name(s, i), name))
            return 1;
    for (unsigned i = 0; i < s->n_tiny; i++)
        if (!strcmp(tiny_name(s, i), name))
            return 1;
    /* A model may not take a feature's key either. */
    for (int f = 0; f < TVMAF_FEATURE_COUNT; f++)
        if (!strcmp(tvmaf_feature_name((enum TvmafFeature)f), name))
            return 1;
    return 0;
}

static int addable(TvmafScorer *s, const char *name)
{
    if (s->started) {
        tvmaf_log(logger(s), TVMAF_LOG_ERROR, "%s: models must be added before the first picture",
                  name);
        return TVMAF_ERR(EINVAL);
    }
    if (s->n_classic + s->n_tiny >= MAX_MODELS) {
        tvmaf_log(logger(s), TVMAF_LOG_ERROR, "%s: at most %d models", name, MAX_MODELS);
        return TVMAF_ERR(EINVAL);
    }
    if (name_taken(s, name)) {
        tvmaf_log(logger(s), TVMAF_LOG_ERROR,
                  "%s: another metric already has this name (give the model another name)", name);
        return TVMAF_ERR(EINVAL);
    }
    return 0;
}

int tvmaf_scorer_add_model(TvmafScorer *s, TvmafModel **pm)
{
    if (!s || !pm || !*pm)
        return TVMAF_ERR(EINVAL);
    const char *const name = tvmaf_model_name(*pm);
    int err = addable(s, name);
    if (err)
        return err;
    if (!tvmaf_model_runs_on_fixed_set(*pm)) {
        s->classic[s->n_classic].m = *pm;
        s->classic[s->n_classic].set = 0;
        s->classic[s->n_classic++].instances = 1;
        *pm = NULL;
        return 0;
    }
    TvmafSettings st = s->settings;
    if ((err = tvmaf_model_apply_settings(*pm, &st)) < 0)
        return err;
    unsigned k = 0;
    while (k < s->n_sets &&
           !(s->egl[k][0] == st.adm_enhn_gain_limit && s->egl[k][1] == st.vif_enhn_gain_limit))
        k++;
    if (k == s->n_sets) {
        if (k == MAX_SETS) {
            tvmaf_log(logger(s), TVMAF_LOG_ERROR, "%s: more than %d different feature options",
                      name, MAX_SETS);
            return TVMAF_ERR(ENOTSUP);
        }
        s->egl[k][0] = st.adm_enhn_gain_limit;
        s->egl[k][1] = st.vif_enhn_gain_limit;
        s->n_sets++;
    }
    s->classic[s->n_classic].m = *pm;
    s->classic[s->n_classic++].set = k;
    *pm = NULL;
    return 0;
}

#if TVMAF_HAVE_ONNX
/* Tiny models name features either way: "adm2" or libvmaf's "integer_adm2". */
static int feature_by_name(const char *name, enum TvmafFeature *f)
{
    for (int k = 0; k < TVMAF_FEATURE_COUNT; k++) {
        const char *const full = tvmaf_feature_name((enum TvmafFeature)k);
        if (!strcmp(name, full) || (!strncmp(full, "integer_", 8) && !strcmp(name, full + 8))) {
            *f = (enum TvmafFeature)k;
            return 0;
        }
    }
    return -1;
}
#endif

int tvmaf_scorer_add_tiny_model(TvmafScorer *s, struct TvmafTinyModel **pm)
{
    if (!s || !pm || !*pm)
        return TVMAF_ERR(EINVAL);
#if TVMAF_HAVE_ONNX
    const char *const name = tvmaf_tiny_model_id(*pm);
    int err = addable(s, name);
    if (err)
        return err;
    Tiny *const t = &s->tiny[s->n_tiny];
    const unsigned k = tvmaf_tiny_model_n_features(*pm);
    if (k > MAX_TINY_INPUTS) {
        tvmaf_log(logger(s), TVMAF_LOG_ERROR, "%s: takes %u features (at most %d)", name, k,
                  MAX_TINY_INPUTS);
        return TVMAF_ERR(ENOTSUP);
    }
    for (unsigned j = 0; j < k; j++) {
        const char *const f = tvmaf_tiny_model_feature_name(*pm, j);
        if (feature_by_name(f, &t->in[j])) {
            tvmaf_log(logger(s), TVMAF_LOG_ERROR,
                      "%s: model input \"%s\" is not a feature tinyvmaf computes", name, f);
            return TVMAF_ERR(ENOENT);
        }
    }
    t->n_in = k;
    t->m = *pm;
    s->n_tiny++;
    *pm = NULL;
    return 0;
#else
    tvmaf_log(logger(s), TVMAF_LOG_ERROR, "tiny models: this library has no ONNX support");
    return TVMAF_ERR(ENOTSUP);
#endif
}

int tvmaf_scorer_add_defaults(TvmafScorer *s)
{
    if (!s)
        return TVMAF_ERR(EINVAL);
    TvmafModelConfig mc;
    tvmaf_model_default_config(&mc);
    mc.logger = s->settings.logger;
    TvmafModel *m;
    int err = tvmaf_model_load_version(&m, TVMAF_CLASSIC_DEFAULT_MODEL, &mc);
    if (err < 0)
        return err;
    if ((err = tvmaf_scorer_add_model(s, &m)) < 0) {
        tvmaf_model_free(&m);
        return err;
    }
#if TVMAF_HAVE_ONNX
    TvmafTinyLoadOptions o;
    tvmaf_tiny_default_load_options(&o);
    o.logger = s->settings.logger;
    o.cpu_mask = s->settings.cpu_mask;
    TvmafTinyModel *t;
    if ((err = tvmaf_tiny_model_load(&t, TVMAF_TINY_DEFAULT_MODEL, &o)) < 0)
        return err;
    if ((err = tvmaf_scorer_add_tiny_model(s, &t)) < 0) {
        tvmaf_tiny_model_free(&t);
        return err;
    }
#endif
    return 0;
}

int tvmaf_scorer_needs_chroma(const TvmafScorer *s)
{
    for (unsigned c = 0; s && c < s->n_classic; c++)
        if (tvmaf_model_needs_chroma(s->classic[c].m))
            return 1;
    return 0;
}

unsigned tvmaf_scorer_feature_set_count(const TvmafScorer *s)
{
    return s ? s->n_sets : 0;
}

int tvmaf_scorer_reserve_memory(TvmafScorer *s, uint64_t bytes)
{
    if (!s || s->started)
        return TVMAF_ERR(EINVAL);
    s->reserved_bytes = bytes;
    return 0;
}

/* Each context gets an equal share of what the caller left of the budget:
 * contexts hold their own scratch and may lag behind each other by a
 * queue of pictures. */
static unsigned context_limit_mib(const TvmafScorer *s)
{
    const uint64_t limit = tvmaf_memory_limit_bytes(&s->settings);
    if (limit == UINT64_MAX)
        return s->settings.memory_limit_mib;
    const uint64_t left = limit > s->reserved_bytes ? limit - s->reserved_bytes : 0;
    const uint64_t share = (left / s->n_sets) >> 20;
    return share < 1 ? 1 : share > UINT_MAX ? UINT_MAX : (unsigned)share;
}

/* Set 0's fixed features run unless only instance models were added. */
static int fixed_needed(const TvmafScorer *s)
{
    unsigned n_inst = 0;
    for (unsigned c = 0; c < s->n_classic; c++)
        n_inst += s->classic[c].instances;
    return s->n_tiny || n_inst < s->n_classic || !s->n_classic;
}

static int start(TvmafScorer *s)
{
    const unsigned limit_mib = context_limit_mib(s);
    for (unsigned k = 0; k < s->n_sets; k++) {
        TvmafSettings st = s->settings;
        st.memory_limit_mib = limit_mib;
        st.adm_enhn_gain_limit = s->egl[k][0];
        st.vif_enhn_gain_limit = s->egl[k][1];
        st.no_fixed_features = k == 0 && !fixed_needed(s);
        const int err = tvmaf_open(&s->ctx[k], &st);
        if (err < 0)
            return err;
    }
    /* Extractor instances live in set 0: one thread pool for them all. */
    for (unsigned c = 0; c < s->n_classic; c++) {
        if (!s->classic[c].instances)
            continue;
        const int err = tvmaf_model_use_features(s->classic[c].m, s->ctx[0]);
        if (err < 0)
            return err;
    }
    s->started = 1;
    return 0;
}

int tvmaf_scorer_send_pictures(TvmafScorer *s, TvmafPicture *ref, TvmafPicture *dis)
{
    if (!s || !ref || !dis || s->flushed)
        return TVMAF_ERR(EINVAL);
    int err;
    if (!s->started && (err = start(s)) < 0)
        return err;
    /* Every context but the last gets its own references; the last takes
     * the caller's, so that on success the caller's pictures are consumed
     * and on failure they are left as they were. */
    for (unsigned k = 0; k < s->n_sets; k++) {
        TvmafPicture r = *ref, d = *dis;
        const int last = k + 1 == s->n_sets;
        if (!last) {
            if ((err = tvmaf_picture_ref(&r, ref)) < 0)
                return err;
            if ((err = tvmaf_picture_ref(&d, dis)) < 0) {
                tvmaf_picture_unref(&r);
                return err;
            }
        }
        err = tvmaf_send_pictures(s->ctx[k], last ? ref : &r, last ? dis : &d);
        if (err < 0) {
            if (!last) {
                tvmaf_picture_unref(&r);
                tvmaf_picture_unref(&d);
            }
            /* Contexts before k already hold this frame: the stream is
             * inconsistent from here on. */
            s->flushed = k > 0;
            return err;
        }
    }
    s->n_frames++;
    return 0;
}

static int read_features(TvmafScorer *s, unsigned *nm)
{
    const enum TvmafFeature *const order =
        s->settings.motion_compat == TVMAF_MOTION_CLASSIC ? order_classic : order_fused;
    const unsigned n = s->n_frames;
    for (unsigned k = 0; k < s->n_sets; k++)
        for (unsigned f = 0; f < N_ORDER && !(k == 0 && !fixed_needed(s)); f++) {
            char *const key = s->keys[*nm];
            int err = tvmaf_feature_key(s->ctx[k], order[f], key, sizeof(s->keys[0]));
            if (err < 0)
                return err;
            int dup = 0;
            for (unsigned q = 0; q < *nm; q++)
                dup |= !strcmp(s->keys[q], key);
            if (dup)
                continue; /* motion does not depend on the gain limits */
            double *const col = s->values + (size_t)*nm * n;
            for (unsigned i = 0; i < n; i++)
                if (tvmaf_feature_score_at_index(s->ctx[k], order[f], i, &col[i]) < 0)
                    col[i] = NAN; /* skipped by subsample */
            s->metrics[*nm] = (TvmafMetric){ .name = key, .kind = TVMAF_METRIC_FEATURE,
                                             .values = col, .n_frames = n, .feature_set = k };
            (*nm)++;
        }
    const TvmafContext *const c0 = s->ctx[0];
    for (unsigned o = 0; o < tvmaf_output_count(c0); o++) {
        const char *const key = tvmaf_output_key(c0, o);
        int dup = 0;
        for (unsigned q = 0; q < *nm; q++)
            dup |= !strcmp(s->metrics[q].name, key);
        if (dup)
            continue;
        double *const col = s->values + (size_t)*nm * n;
        for (unsigned i = 0; i < n; i++)
            if (tvmaf_output_score_at_index(c0, o, i, &col[i]) < 0)
                col[i] = NAN; /* skipped by subsample */
        s->metrics[*nm] = (TvmafMetric){ .name = key, .kind = TVMAF_METRIC_FEATURE,
                                         .values = col, .n_frames = n, .feature_set = 0 };
        (*nm)++;
    }
    return 0;
}

#if TVMAF_HAVE_ONNX
/* The column of feature f in set 0, from the metrics already read. */
static const double *set0_column(const TvmafScorer *s, unsigned nm, enum TvmafFeature f)
{
    char key[128];
    if (tvmaf_feature_key(s->ctx[0], f, key, sizeof(key)) < 0)
        return NULL;
    for (unsigned i = 0; i < nm; i++)
        if (!strcmp(s->metrics[i].name, key))
            return s->metrics[i].values;
    return NULL;
}
#endif

static int not_finite(const TvmafScorer *s, const char *model, unsigned frame, double v)
{
    tvmaf_log(logger(s), TVMAF_LOG_ERROR, "%s: frame %u: the score is not finite (%g)", model,
              frame, v);
    return TVMAF_ERR(EBADMSG);
}

static int run_classic(TvmafScorer *s, unsigned c, double *out)
{
    const unsigned sub = s->settings.subsample ? s->settings.subsample : 1;
    for (unsigned i = 0; i < s->n_frames; i++) {
        out[i] = NAN;
        if (i % sub)
            continue;
        const int err = tvmaf_model_score_at_index(s->classic[c].m, s->ctx[s->classic[c].set], i,
                                                   &out[i]);
        if (err < 0) {
            tvmaf_log(logger(s), TVMAF_LOG_ERROR, "%s: frame %u: prediction failed",
                      classic_name(s, c), i);
            return err;
        }
        if (!isfinite(out[i]))
            return not_finite(s, classic_name(s, c), i, out[i]);
    }
    return 0;
}

#if TVMAF_HAVE_ONNX
static int run_tiny(TvmafScorer *s, unsigned t, unsigned nm, double *out)
{
    /* One batch over the scored frames: fp32 models are batch-invariant,
     * int8 models quantise over the batch as onnxruntime does. */
    const Tiny *const ti = &s->tiny[t];
    const unsigned n = s->n_frames, k = ti->n_in;
    const unsigned sub = s->settings.subsample ? s->settings.subsample : 1;
    const double *col[MAX_TINY_INPUTS];
    for (unsigned j = 0; j < k; j++)
        if (!(col[j] = set0_column(s, nm, ti->in[j])))
            return TVMAF_ERR(EINVAL);
    float *const in = malloc(sizeof(float) * (size_t)n * (k ? k : 1));
    float *const res = malloc(sizeof(float) * (size_t)n);
    unsigned *const frame = malloc(sizeof(unsigned) * (size_t)n);
    int err = 0;
    if (!in || !res || !frame) {
        tvmaf_log(logger(s), TVMAF_LOG_ERROR, "%s: out of memory for %u frames", tiny_name(s, t),
                  n);
        err = TVMAF_ERR(ENOMEM);
        goto end;
    }
    unsigned rows = 0;
    for (unsigned i = 0; i < n; i++) {
        out[i] = NAN;
        if (i % sub)
            continue;
        for (unsigned j = 0; j < k; j++)
            in[(size_t)rows * k + j] = (float)col[j][i];
        frame[rows++] = i;
    }
    if (rows && (err = tvmaf_tiny_model_run(ti->m, in, rows, res)) < 0)
        goto end;
    for (unsigned r = 0; r < rows; r++) {
        out[frame[r]] = res[r];
        if (!isfinite(res[r])) {
            err = not_finite(s, tiny_name(s, t), frame[r], res[r]);
            break;
        }
    }
end:
    free(in);
    free(res);
    free(frame);
    return err;
}
#endif

int tvmaf_scorer_flush(TvmafScorer *s)
{
    if (!s || s->metrics)
        return TVMAF_ERR(EINVAL);
    if (!s->n_frames)
        return TVMAF_ERR(EAGAIN);
    s->flushed = 1;
    int err;
    for (unsigned k = 0; k < s->n_sets; k++)
        if ((err = tvmaf_flush(s->ctx[k])) < 0)
            return err;
    const unsigned max =
        N_ORDER * s->n_sets + tvmaf_output_count(s->ctx[0]) + s->n_classic + s->n_tiny;
    const unsigned n = s->n_frames;
    s->values = malloc(sizeof(double) * (size_t)n * max);
    s->keys = calloc(max, sizeof(*s->keys));
    s->metrics = calloc(max, sizeof(*s->metrics));
    if (!s->values || !s->keys || !s->metrics) {
        tvmaf_log(logger(s), TVMAF_LOG_ERROR, "out of memory for the scores of %u frames", n);
        err = TVMAF_ERR(ENOMEM);
        goto fail;
    }
    unsigned nm = 0;
    if ((err = read_features(s, &nm)) < 0)
        goto fail;
    const unsigned n_features = nm;
    for (unsigned c = 0; c < s->n_classic; c++, nm++) {
        double *const v = s->values + (size_t)nm * n;
        if ((err = run_classic(s, c, v)) < 0)
            goto fail;
        s->metrics[nm] = (TvmafMetric){ .name = classic_name(s, c), .kind = TVMAF_METRIC_CLASSIC,
                                        .values = v, .n_frames = n, .classic = s->classic[c].m,
                                        .feature_set = s->classic[c].set };
    }
#if TVMAF_HAVE_ONNX
    for (unsigned t = 0; t < s->n_tiny; t++, nm++) {
        double *const v = s->values + (size_t)nm * n;
        if ((err = run_tiny(s, t, n_features, v)) < 0)
            goto fail;
        s->metrics[nm] = (TvmafMetric){ .name = tiny_name(s, t), .kind = TVMAF_METRIC_TINY,
                                        .values = v, .n_frames = n, .tiny = s->tiny[t].m };
    }
#else
    (void)n_features;
#endif
    s->n_metrics = nm;
    return 0;
fail:
    free(s->metrics);
    s->metrics = NULL;
    return err;
}

unsigned tvmaf_scorer_frame_count(const TvmafScorer *s)
{
    return s ? s->n_frames : 0;
}

unsigned tvmaf_scorer_metric_count(const TvmafScorer *s)
{
    return s && s->metrics ? s->n_metrics : 0;
}

int tvmaf_scorer_metric(const TvmafScorer *s, unsigned i, TvmafMetric *out)
{
    if (!s || !out || !s->metrics || i >= s->n_metrics)
        return TVMAF_ERR(EINVAL);
    *out = s->metrics[i];
    return 0;
}

int tvmaf_scorer_pool(const TvmafScorer *s, unsigned i, enum TvmafPoolMethod m, double *out)
{
    if (!s || !s->metrics || i >= s->n_metrics)
        return TVMAF_ERR(EINVAL);
    return tvmaf_pool(s->metrics[i].values, s->n_frames,
                      s->settings.subsample ? s->settings.subsample : 1, m, out);
}

const TvmafContext *tvmaf_scorer_context(const TvmafScorer *s, unsigned k)
{
    return s && k < s->n_sets ? s->ctx[k] : NULL;
}

void tvmaf_scorer_close(TvmafScorer **ps)
{
    if (!ps || !*ps)
        return;
    TvmafScorer *const s = *ps;
    for (unsigned k = 0; k < MAX_SETS; k++)
        tvmaf_close(&s->ctx[k]);
    for (unsigned c = 0; c < s->n_classic; c++)
        tvmaf_model_free(&s->classic[c].m);
#if TVMAF_HAVE_ONNX
    for (unsigned t = 0; t < s->n_tiny; t++)
        tvmaf_tiny_model_free(&s->tiny[t].m);
#endif
    free(s->metrics);
    free(s->values);
    free(s->keys);
    free(s);
    *ps = NULL;
}
