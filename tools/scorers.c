#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scorers.h"
#include "tinyvmaf/model.h"
#if TVMAF_CLI_HAVE_TINY
#include "tinyvmaf/tiny.h"
#endif

typedef struct Classic {
    TvmafModel *model;
    char label[128];     /* version or path, for the summary */
    int set;             /* feature set index */
} Classic;

typedef struct Tiny {
#if TVMAF_CLI_HAVE_TINY
    TvmafTinyModel *model;
#endif
    enum TvmafFeature feature[16];
    unsigned n_features;
} Tiny;

struct TvmafScorers {
    Classic classic[CLI_MAX_MODELS];
    int n_classic;
    Tiny tiny[CLI_MAX_MODELS];
    int n_tiny;
    double set_egl[TVMAF_MAX_FEATURE_SETS][2]; /* adm, vif */
    int n_sets;
    int n_metrics;
    double *values;      /* n_metrics * n_frames */
    unsigned n_frames;
    char *block;         /* the tiny_model JSON block */
    int default_missing; /* no model asked for and vmaf_v0.6.1 not found */
    TvmafReportBlock rblock;
};

/* Splits "version=NAME:name=foo:enable_transform" (libvmaf's syntax). */
static int parse_model_spec(const char *spec, char *buf, size_t size, const char **path,
                            const char **version, TvmafModelConfig *cfg)
{
    if (strlen(spec) >= size) {
        fprintf(stderr, "tinyvmaf: --model: argument too long\n");
        return -1;
    }
    strcpy(buf, spec);
    *path = *version = NULL;
    char *save = NULL;
    for (char *kv = strtok_r(buf, ":", &save); kv; kv = strtok_r(NULL, ":", &save)) {
        char *val = strchr(kv, '=');
        if (val)
            *val++ = 0;
        if (!strcmp(kv, "path") && val)
            *path = val;
        else if (!strcmp(kv, "version") && val)
            *version = val;
        else if (!strcmp(kv, "name") && val && *val)
            cfg->name = val;
        else if (!strcmp(kv, "disable_clip") && (!val || !strcmp(val, "true")))
            cfg->flags |= TVMAF_MODEL_FLAG_DISABLE_CLIP;
        else if (!strcmp(kv, "enable_transform") && (!val || !strcmp(val, "true")))
            cfg->flags |= TVMAF_MODEL_FLAG_ENABLE_TRANSFORM;
        else if ((!strcmp(kv, "disable_clip") || !strcmp(kv, "enable_transform")) && !strcmp(val, "false"))
            ;
        else {
            fprintf(stderr, "tinyvmaf: --model \"%s\": unknown or incomplete key \"%s\" "
                    "(path=, version=, name=, disable_clip, enable_transform)\n", spec, kv);
            return -1;
        }
    }
    if (!!*path == !!*version) {
        fprintf(stderr, "tinyvmaf: --model \"%s\": give exactly one of path=FILE or version=NAME\n", spec);
        return -1;
    }
    return 0;
}

static int find_set(TvmafScorers *s, double adm, double vif)
{
    for (int k = 0; k < s->n_sets; k++)
        if (s->set_egl[k][0] == adm && s->set_egl[k][1] == vif)
            return k;
    if (s->n_sets == TVMAF_MAX_FEATURE_SETS)
        return -1;
    s->set_egl[s->n_sets][0] = adm;
    s->set_egl[s->n_sets][1] = vif;
    return s->n_sets++;
}

static void log_to_stderr(void *cookie, enum TvmafLogLevel level, const char *fmt, va_list ap)
{
    (void)cookie;
    if (level > TVMAF_LOG_WARNING)
        return;
    fputs(level == TVMAF_LOG_WARNING ? "tinyvmaf: warning: " : "tinyvmaf: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

/* Tiny models name features the short way ("adm2", "vif_scale0"). */
static int feature_by_short_name(const char *name, enum TvmafFeature *f)
{
    for (int k = 0; k < TVMAF_FEATURE_COUNT; k++) {
        const char *full = tvmaf_feature_name((enum TvmafFeature)k);
        if (!strcmp(name, full) || (!strncmp(full, "integer_", 8) && !strcmp(name, full + 8))) {
            *f = (enum TvmafFeature)k;
            return 0;
        }
    }
    return -1;
}

static int open_tiny(TvmafScorers *s, const char *spec)
{
#if TVMAF_CLI_HAVE_TINY
    Tiny *t = &s->tiny[s->n_tiny];
    TvmafTinyLoadOptions lo;
    tvmaf_tiny_default_load_options(&lo);
    lo.logger.callback = log_to_stderr;
    if (tvmaf_tiny_model_load(&t->model, spec, &lo) < 0)
        return -1;
    t->n_features = tvmaf_tiny_model_n_features(t->model);
    if (t->n_features > 16) {
        fprintf(stderr, "tinyvmaf: %s: takes %u features (at most 16)\n", spec, t->n_features);
        tvmaf_tiny_model_free(&t->model);
        return -1;
    }
    for (unsigned j = 0; j < t->n_features; j++) {
        const char *name = tvmaf_tiny_model_feature_name(t->model, j);
        if (feature_by_short_name(name, &t->feature[j])) {
            fprintf(stderr, "tinyvmaf: %s: model input \"%s\" is not a feature tinyvmaf computes\n",
                    spec, name);
            tvmaf_tiny_model_free(&t->model);
            return -1;
        }
    }
    s->n_tiny++;
    return 0;
#else
    (void)s;
    fprintf(stderr, "tinyvmaf: --tiny-model %s: this build has no ONNX support "
            "(needs protobuf-c and nettle)\n", spec);
    return -1;
#endif
}

int tvmaf_scorers_open(TvmafScorers **out, const CliOptions *o)
{
    *out = NULL;
    TvmafScorers *s = calloc(1, sizeof(*s));
    if (!s) {
        fprintf(stderr, "tinyvmaf: out of memory\n");
        return -1;
    }
    *out = s;
    /* The default feature set always comes first: the features are
     * reported under their plain names. */
    find_set(s, 100.0, 100.0);
    if (o->no_prediction)
        return 0;

    int n_specs = o->n_models;
    const char *default_spec = "version=vmaf_v0.6.1";
    const int use_default = !o->n_models && !o->n_tiny_models;
    if (use_default)
        n_specs = 1;
    for (int i = 0; i < n_specs; i++) {
        const char *spec = use_default ? default_spec : o->models[i].spec;
        char buf[1024];
        const char *path, *version;
        TvmafModelConfig cfg;
        tvmaf_model_default_config(&cfg);
        cfg.logger.callback = log_to_stderr;
        if (parse_model_spec(spec, buf, sizeof(buf), &path, &version, &cfg))
            return -1;
        Classic *c = &s->classic[s->n_classic];
        if (use_default) {
            /* libvmaf scores with vmaf_v0.6.1 by default; so do we when a
             * libvmaf model directory (or $TINYVMAF_MODEL_PATH) has it. */
            cfg.logger.callback = NULL;
            if (tvmaf_model_load_version(&c->model, version, &cfg) < 0) {
                s->default_missing = 1;
                return 0;
            }
        } else if (version ? tvmaf_model_load_version(&c->model, version, &cfg) < 0
                           : tvmaf_model_load_path(&c->model, path, &cfg) < 0) {
            return -1;
        }
        snprintf(c->label, sizeof(c->label), "%s", version ? version : path);
        for (int k = 0; k < s->n_classic; k++)
            if (!strcmp(tvmaf_model_name(s->classic[k].model), tvmaf_model_name(c->model))) {
                fprintf(stderr, "tinyvmaf: --model %s: the name \"%s\" is already used; add :name=LABEL\n",
                        spec, tvmaf_model_name(c->model));
                tvmaf_model_free(&c->model);
                return -1;
            }
        TvmafSettings st;
        tvmaf_default_settings(&st);
        if (tvmaf_model_apply_settings(c->model, &st) < 0 ||
            (c->set = find_set(s, st.adm_enhn_gain_limit, st.vif_enhn_gain_limit)) < 0) {
            fprintf(stderr, "tinyvmaf: --model %s: too many different feature options\n", spec);
            tvmaf_model_free(&c->model);
            return -1;
        }
        s->n_classic++;
    }
    for (int i = 0; i < o->n_tiny_models; i++)
        if (open_tiny(s, o->tiny_models[i]) < 0)
            return -1;
    s->n_metrics = s->n_classic + s->n_tiny;
    return 0;
}

int tvmaf_scorers_n_sets(const TvmafScorers *s)
{
    return s->n_sets;
}

void tvmaf_scorers_set_settings(const TvmafScorers *s, int k, TvmafSettings *set)
{
    set->adm_enhn_gain_limit = s->set_egl[k][0];
    set->vif_enhn_gain_limit = s->set_egl[k][1];
}

int tvmaf_scorers_metric_count(const TvmafScorers *s)
{
    return s->n_metrics;
}

static const char *tiny_label(const Tiny *t)
{
#if TVMAF_CLI_HAVE_TINY
    return tvmaf_tiny_model_id(t->model);
#else
    (void)t;
    return "tiny";
#endif
}

static int run_tiny(TvmafScorers *s, Tiny *t, TvmafContext *ctx, unsigned n, unsigned subsample,
                    double *out)
{
#if TVMAF_CLI_HAVE_TINY
    /* One batch over the scored frames: fp32 models are batch-invariant;
     * int8 models quantise over the batch, as onnxruntime would. */
    const unsigned k = t->n_features;
    unsigned rows = 0;
    float *in = malloc(sizeof(float) * (size_t)n * (k ? k : 1));
    float *res = malloc(sizeof(float) * (size_t)n);
    unsigned *frame = malloc(sizeof(unsigned) * (size_t)n);
    int err = !in || !res || !frame ? -ENOMEM : 0;
    for (unsigned i = 0; i < n && !err; i++) {
        out[i] = NAN;
        if (i % subsample)
            continue;
        for (unsigned j = 0; j < k; j++) {
            double v;
            if (tvmaf_feature_score_at_index(ctx, t->feature[j], i, &v) < 0) {
                err = -EINVAL;
                break;
            }
            in[(size_t)rows * k + j] = (float)v;
        }
        frame[rows++] = i;
    }
    if (!err && rows)
        err = tvmaf_tiny_model_run(t->model, in, rows, res);
    for (unsigned r = 0; r < rows && !err; r++)
        out[frame[r]] = res[r];
    free(in);
    free(res);
    free(frame);
    if (err)
        fprintf(stderr, "tinyvmaf: %s: scoring failed\n", tiny_label(t));
    (void)s;
    return err;
#else
    (void)s; (void)t; (void)ctx; (void)n; (void)subsample; (void)out;
    return -1;
#endif
}

int tvmaf_scorers_run(TvmafScorers *s, TvmafContext *const *ctx, unsigned n, unsigned subsample,
                      TvmafReportMetric *out)
{
    s->n_frames = n;
    if (!s->n_metrics)
        return 0;
    s->values = malloc(sizeof(double) * (size_t)n * (size_t)s->n_metrics);
    if (!s->values) {
        fprintf(stderr, "tinyvmaf: out of memory\n");
        return -1;
    }
    int m = 0;
    for (int c = 0; c < s->n_classic; c++, m++) {
        double *v = s->values + (size_t)m * n;
        for (unsigned i = 0; i < n; i++) {
            v[i] = NAN;
            if (i % subsample)
                continue;
            if (tvmaf_model_score_at_index(s->classic[c].model, ctx[s->classic[c].set], i, &v[i]) < 0) {
                fprintf(stderr, "tinyvmaf: %s: prediction failed at frame %u\n", s->classic[c].label, i);
                return -1;
            }
        }
        out[m].name = tvmaf_model_name(s->classic[c].model);
        out[m].v = v;
    }
    for (int t = 0; t < s->n_tiny; t++, m++) {
        double *v = s->values + (size_t)m * n;
        if (run_tiny(s, &s->tiny[t], ctx[0], n, subsample, v) < 0)
            return -1;
        out[m].name = tiny_label(&s->tiny[t]);
        out[m].v = v;
    }
    return 0;
}

static int append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        const int n = vsnprintf(*buf ? *buf + *len : NULL, *buf ? *cap - *len : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            return -1;
        if (*buf && *len + (size_t)n < *cap) {
            *len += (size_t)n;
            return 0;
        }
        size_t ncap = (*cap ? *cap * 2 : 4096) + (size_t)n;
        char *nb = realloc(*buf, ncap);
        if (!nb)
            return -1;
        *buf = nb;
        *cap = ncap;
    }
}

static void append_number(char **buf, size_t *len, size_t *cap, double v)
{
    if (!isfinite(v))
        append(buf, len, cap, "null");
    else
        append(buf, len, cap, "%.9g", v);
}

void tvmaf_scorers_blocks(TvmafScorers *s, TvmafReport *r)
{
#if TVMAF_CLI_HAVE_TINY
    if (!s->n_tiny || !s->values)
        return;
    char *b = NULL;
    size_t len = 0, cap = 0;
    if (s->n_tiny > 1)
        append(&b, &len, &cap, "[");
    for (int t = 0; t < s->n_tiny; t++) {
        const Tiny *ti = &s->tiny[t];
        const double *v = s->values + (size_t)(s->n_classic + t) * s->n_frames;
        append(&b, &len, &cap, "%s{\n    \"id\": \"%s\",\n    \"kind\": \"%s\",\n    \"sha256\": \"%s\",\n"
               "    \"features\": [", t ? ", " : "", tvmaf_tiny_model_id(ti->model),
               tvmaf_tiny_model_kind(ti->model) ? tvmaf_tiny_model_kind(ti->model) : "",
               tvmaf_tiny_model_sha256(ti->model));
        for (unsigned j = 0; j < ti->n_features; j++)
            append(&b, &len, &cap, "%s\"%s\"", j ? ", " : "", tvmaf_tiny_model_feature_name(ti->model, j));
        append(&b, &len, &cap, "],\n    \"frames\": [");
        int first = 1;
        for (unsigned i = 0; i < s->n_frames; i++) {
            if (isnan(v[i]))
                continue;
            append(&b, &len, &cap, "%s{\"frameNum\": %u, \"score\": ", first ? "" : ", ", i);
            append_number(&b, &len, &cap, v[i]);
            append(&b, &len, &cap, "}");
            first = 0;
        }
        append(&b, &len, &cap, "],\n    \"pooled_metrics\": {");
        for (int p = 0; p < TVMAF_POOL_COUNT; p++) {
            double pv = NAN;
            if (tvmaf_pool(v, s->n_frames, r->subsample, (enum TvmafPoolMethod)p, &pv) < 0)
                pv = NAN;
            append(&b, &len, &cap, "%s\"%s\": ", p ? ", " : "", tvmaf_pool_name((enum TvmafPoolMethod)p));
            append_number(&b, &len, &cap, pv);
        }
        append(&b, &len, &cap, "}\n  }");
    }
    if (s->n_tiny > 1)
        append(&b, &len, &cap, "]");
    if (!b)
        return;
    s->block = b;
    s->rblock.key = "tiny_model";
    s->rblock.json = b;
    r->blocks = &s->rblock;
    r->n_blocks = 1;
#else
    (void)s;
    (void)r;
#endif
}

void tvmaf_scorers_summary(const TvmafScorers *s, const TvmafReport *r, FILE *f)
{
    if (s->n_metrics) {
        /* One line: each model's pooled mean, as libvmaf's "<model>: <mean>". */
        int m = 0;
        for (int c = 0; c < s->n_classic; c++, m++) {
            double mean, hm, mn;
            const TvmafReportMetric *x = &r->metrics[r->n_metrics - s->n_metrics + m];
            if (tvmaf_pool(x->v, r->n_frames, r->subsample, TVMAF_POOL_MEAN, &mean) < 0 ||
                tvmaf_pool(x->v, r->n_frames, r->subsample, TVMAF_POOL_HARMONIC_MEAN, &hm) < 0 ||
                tvmaf_pool(x->v, r->n_frames, r->subsample, TVMAF_POOL_MIN, &mn) < 0)
                continue;
            fprintf(f, "%s%s: %.6f (harmonic_mean %.6f, min %.6f)", m ? "; " : "", s->classic[c].label,
                    mean, hm, mn);
        }
        for (int t = 0; t < s->n_tiny; t++, m++) {
            double mean;
            const TvmafReportMetric *x = &r->metrics[r->n_metrics - s->n_metrics + m];
            if (tvmaf_pool(x->v, r->n_frames, r->subsample, TVMAF_POOL_MEAN, &mean) < 0)
                continue;
            fprintf(f, "%s%s: %.6f", m ? "; " : "", x->name, mean);
        }
        fprintf(f, " [%u frames, %dx%d]\n", r->n_frames, r->width, r->height);
        return;
    }
    /* Features only: the pooled mean of each. */
    fprintf(f, "%u frames %dx%d:", r->n_frames, r->width, r->height);
    for (int m = 0; m < r->n_metrics; m++) {
        const char *name = r->metrics[m].name;
        if (strstr(name, "motion_sad") || !strcmp(name, "integer_motion"))
            continue;
        double v;
        if (tvmaf_pool(r->metrics[m].v, r->n_frames, r->subsample, TVMAF_POOL_MEAN, &v) < 0)
            continue;
        fprintf(f, " %s %.6f", !strncmp(name, "integer_", 8) ? name + 8 : name, v);
    }
    if (s->default_missing)
        fputs(" (features only: no vmaf_v0.6.1.json in $TINYVMAF_MODEL_PATH, "
              "/usr/local/share/vmaf/model or /usr/share/vmaf/model)", f);
    fputc('\n', f);
}

void tvmaf_scorers_close(TvmafScorers **ps)
{
    if (!ps || !*ps)
        return;
    TvmafScorers *s = *ps;
    for (int c = 0; c < s->n_classic; c++)
        tvmaf_model_free(&s->classic[c].model);
#if TVMAF_CLI_HAVE_TINY
    for (int t = 0; t < s->n_tiny; t++)
        tvmaf_tiny_model_free(&s->tiny[t].model);
#endif
    free(s->values);
    free(s->block);
    free(s);
    *ps = NULL;
}
