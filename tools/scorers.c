#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "scorers.h"
#include "util/util.h"
#include "tinyvmaf/model.h"
#if TVMAF_CLI_HAVE_TINY
#include "tinyvmaf/tiny.h"
#endif

struct TvmafScorers {
    TvmafScorer *sc;
    char classic_label[CLI_MAX_MODELS][256]; /* version or path, for the summary */
    int n_classic;
    int n_tiny;
    TvmafReportMetric *metrics;
    char *block;
    TvmafReportBlock rblock;
};

static void log_to_stderr(void *cookie, enum TvmafLogLevel level, const char *fmt, va_list ap)
{
    (void)cookie;
    if (level > TVMAF_LOG_WARNING)
        return;
    fputs(level == TVMAF_LOG_WARNING ? "tinyvmaf: warning: " : "tinyvmaf: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

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
        else if ((!strcmp(kv, "disable_clip") || !strcmp(kv, "enable_transform")) && val &&
                 !strcmp(val, "false"))
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

static int add_classic(TvmafScorers *s, const char *spec)
{
    char buf[1024];
    const char *path, *version;
    TvmafModelConfig cfg;
    tvmaf_model_default_config(&cfg);
    cfg.logger.callback = log_to_stderr;
    if (parse_model_spec(spec, buf, sizeof(buf), &path, &version, &cfg))
        return -1;
    TvmafModel *m;
    if ((version ? tvmaf_model_load_version(&m, version, &cfg)
                 : tvmaf_model_load_path(&m, path, &cfg)) < 0)
        return -1;
    snprintf(s->classic_label[s->n_classic], sizeof(s->classic_label[0]), "%s",
             version ? version : path);
    if (tvmaf_scorer_add_model(s->sc, &m) < 0) {
        tvmaf_model_free(&m);
        return -1;
    }
    s->n_classic++;
    return 0;
}

static int add_tiny(TvmafScorers *s, const char *spec, unsigned cpu_mask)
{
#if TVMAF_CLI_HAVE_TINY
    TvmafTinyLoadOptions lo;
    tvmaf_tiny_default_load_options(&lo);
    lo.logger.callback = log_to_stderr;
    lo.cpu_mask = cpu_mask;
    TvmafTinyModel *m;
    if (tvmaf_tiny_model_load(&m, spec, &lo) < 0)
        return -1;
    if (tvmaf_scorer_add_tiny_model(s->sc, &m) < 0) {
        tvmaf_tiny_model_free(&m);
        return -1;
    }
    s->n_tiny++;
    return 0;
#else
    (void)s;
    (void)cpu_mask;
    fprintf(stderr, "tinyvmaf: --tiny-model %s: this build has no ONNX support "
            "(needs protobuf-c and nettle)\n", spec);
    return -1;
#endif
}

int tvmaf_scorers_open(TvmafScorers **out, const CliOptions *o, const TvmafSettings *settings)
{
    *out = NULL;
    TvmafScorers *s = calloc(1, sizeof(*s));
    if (!s) {
        fprintf(stderr, "tinyvmaf: out of memory\n");
        return -1;
    }
    *out = s;
    TvmafSettings st = *settings;
    st.logger.callback = log_to_stderr;
    if (tvmaf_scorer_open(&s->sc, &st) < 0) {
        fprintf(stderr, "tinyvmaf: cannot create the scorer\n");
        return -1;
    }
    if (o->no_prediction)
        return 0;
    /* As libvmaf: --model replaces the default classic model. The tiny
     * models are chosen apart: --tiny-model replaces the default one,
     * "--tiny-model none" turns tiny scoring off. */
    if (!o->n_models) {
        if (add_classic(s, "version=" TVMAF_CLASSIC_DEFAULT_MODEL) < 0)
            return -1;
    }
    for (int i = 0; i < o->n_models; i++)
        if (add_classic(s, o->models[i].spec) < 0)
            return -1;
    int tiny_none = 0;
    for (int i = 0; i < o->n_tiny_models; i++)
        tiny_none |= !strcmp(o->tiny_models[i], "none");
    if (tiny_none && o->n_tiny_models > 1) {
        fprintf(stderr, "tinyvmaf: --tiny-model none cannot be combined with other tiny models\n");
        return -1;
    }
    if (tiny_none)
        return 0;
#if TVMAF_CLI_HAVE_TINY
    if (!o->n_tiny_models) {
        /* The default tiny model is scored when the library carries it. */
        TvmafTinyRegistry *r;
        int have = 0;
        if (tvmaf_tiny_registry_open_builtin(&r, NULL) == 0) {
            for (unsigned i = 0; i < tvmaf_tiny_registry_count(r); i++)
                have |= !strcmp(tvmaf_tiny_registry_entry(r, i)->id, TVMAF_TINY_DEFAULT_MODEL);
            tvmaf_tiny_registry_free(&r);
        }
        return have ? add_tiny(s, TVMAF_TINY_DEFAULT_MODEL, o->cpu_mask) : 0;
    }
#endif
    for (int i = 0; i < o->n_tiny_models; i++)
        if (add_tiny(s, o->tiny_models[i], o->cpu_mask) < 0)
            return -1;
    return 0;
}

TvmafScorer *tvmaf_scorers_scorer(TvmafScorers *s)
{
    return s->sc;
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

/* A JSON string literal of `v` (src/util's escaping). */
static int append_string(char **buf, size_t *len, size_t *cap, const char *v)
{
    const size_t need = tvmaf_json_quote(NULL, 0, v);
    char *const q = malloc(need + 1);
    if (!q)
        return -1;
    tvmaf_json_quote(q, need + 1, v);
    const int err = append(buf, len, cap, "%s", q);
    free(q);
    return err;
}

static int append_number(char **buf, size_t *len, size_t *cap, double v)
{
    return isfinite(v) ? append(buf, len, cap, "%.9g", v) : append(buf, len, cap, "null");
}

/* The "tiny_model" block: id, kind, sha256, features, per-frame and pooled scores. */
static int tiny_block(TvmafScorers *s, unsigned first, unsigned n, const TvmafReport *r)
{
#if TVMAF_CLI_HAVE_TINY
    char *b = NULL;
    size_t len = 0, cap = 0;
    int e = n > 1 ? append(&b, &len, &cap, "[") : 0;
    for (unsigned t = 0; t < n && !e; t++) {
        TvmafMetric m;
        if (tvmaf_scorer_metric(s->sc, first + t, &m) < 0) {
            e = -1;
            break;
        }
        const TvmafTinyModel *const tm = m.tiny;
        e |= append(&b, &len, &cap, "%s{\n    \"id\": ", t ? ", " : "");
        e |= append_string(&b, &len, &cap, tvmaf_tiny_model_id(tm));
        e |= append(&b, &len, &cap, ",\n    \"kind\": ");
        e |= append_string(&b, &len, &cap, tvmaf_tiny_model_kind(tm));
        e |= append(&b, &len, &cap, ",\n    \"sha256\": \"%s\",\n    \"features\": [",
                    tvmaf_tiny_model_sha256(tm));
        for (unsigned j = 0; j < tvmaf_tiny_model_n_features(tm); j++) {
            e |= append(&b, &len, &cap, j ? ", " : "");
            e |= append_string(&b, &len, &cap, tvmaf_tiny_model_feature_name(tm, j));
        }
        e |= append(&b, &len, &cap, "],\n    \"frames\": [");
        int lead = 1;
        for (unsigned i = 0; i < m.n_frames; i++) {
            if (isnan(m.values[i]))
                continue;
            e |= append(&b, &len, &cap, "%s{\"frameNum\": %u, \"score\": ", lead ? "" : ", ", i);
            e |= append_number(&b, &len, &cap, m.values[i]);
            e |= append(&b, &len, &cap, "}");
            lead = 0;
        }
        e |= append(&b, &len, &cap, "],\n    \"pooled_metrics\": {");
        for (int p = 0; p < TVMAF_POOL_COUNT; p++) {
            double pv;
            if (tvmaf_scorer_pool(s->sc, first + t, (enum TvmafPoolMethod)p, &pv) < 0)
                pv = NAN;
            e |= append(&b, &len, &cap, "%s\"%s\": ", p ? ", " : "",
                        tvmaf_pool_name((enum TvmafPoolMethod)p));
            e |= append_number(&b, &len, &cap, pv);
        }
        e |= append(&b, &len, &cap, "}\n  }");
    }
    if (n > 1 && !e)
        e = append(&b, &len, &cap, "]");
    if (e) {
        free(b);
        fprintf(stderr, "tinyvmaf: out of memory\n");
        return -1;
    }
    (void)r;
    s->block = b;
    s->rblock.key = "tiny_model";
    s->rblock.json = b;
    return 0;
#else
    (void)s; (void)first; (void)n; (void)r;
    return 0;
#endif
}

int tvmaf_scorers_report(TvmafScorers *s, TvmafReport *r)
{
    const unsigned n = tvmaf_scorer_metric_count(s->sc);
    s->metrics = calloc(n ? n : 1, sizeof(*s->metrics));
    if (!s->metrics) {
        fprintf(stderr, "tinyvmaf: out of memory\n");
        return -1;
    }
    unsigned first_tiny = n;
    for (unsigned i = 0; i < n; i++) {
        TvmafMetric m;
        if (tvmaf_scorer_metric(s->sc, i, &m) < 0)
            return -1;
        s->metrics[i].name = m.name;
        s->metrics[i].v = m.values;
        if (m.kind == TVMAF_METRIC_TINY && first_tiny == n)
            first_tiny = i;
    }
    r->metrics = s->metrics;
    r->n_metrics = (int)n;
    if (s->n_tiny) {
        if (tiny_block(s, first_tiny, (unsigned)s->n_tiny, r) < 0)
            return -1;
        r->blocks = &s->rblock;
        r->n_blocks = 1;
    }
    return 0;
}

/* A pooled score as the summary prints it: %.6f, or --precision's %.Ng. */
static const char *num(char *b, double v, int precision)
{
    if (precision)
        snprintf(b, 32, "%.*g", precision, v);
    else
        snprintf(b, 32, "%.6f", v);
    return b;
}

void tvmaf_scorers_summary(const TvmafScorers *s, const TvmafReport *r, FILE *f)
{
    const unsigned n = tvmaf_scorer_metric_count(s->sc);
    const int p = r->precision;
    char b[3][32];
    if (s->n_classic + s->n_tiny) {
        /* One line: each model's pooled mean, as libvmaf's "<model>: <mean>". */
        int c = 0, k = 0;
        for (unsigned i = 0; i < n; i++) {
            TvmafMetric m;
            double mean, hm, mn;
            if (tvmaf_scorer_metric(s->sc, i, &m) < 0 || m.kind == TVMAF_METRIC_FEATURE ||
                tvmaf_scorer_pool(s->sc, i, TVMAF_POOL_MEAN, &mean) < 0)
                continue;
            if (m.kind == TVMAF_METRIC_CLASSIC &&
                tvmaf_scorer_pool(s->sc, i, TVMAF_POOL_HARMONIC_MEAN, &hm) == 0 &&
                tvmaf_scorer_pool(s->sc, i, TVMAF_POOL_MIN, &mn) == 0)
                fprintf(f, "%s%s: %s (harmonic_mean %s, min %s)", k++ ? "; " : "",
                        s->classic_label[c++], num(b[0], mean, p), num(b[1], hm, p),
                        num(b[2], mn, p));
            else
                fprintf(f, "%s%s: %s", k++ ? "; " : "", m.name, num(b[0], mean, p));
        }
        fprintf(f, " [%u frames, %dx%d]\n", r->n_frames, r->width, r->height);
        return;
    }
    /* Features only: the pooled mean of each. */
    fprintf(f, "%u frames %dx%d:", r->n_frames, r->width, r->height);
    for (unsigned i = 0; i < n; i++) {
        TvmafMetric m;
        double v;
        if (tvmaf_scorer_metric(s->sc, i, &m) < 0 || strstr(m.name, "motion_sad") ||
            !strcmp(m.name, "integer_motion") ||
            tvmaf_scorer_pool(s->sc, i, TVMAF_POOL_MEAN, &v) < 0)
            continue;
        fprintf(f, " %s %s", !strncmp(m.name, "integer_", 8) ? m.name + 8 : m.name,
                num(b[0], v, p));
    }
    fputc('\n', f);
}

void tvmaf_scorers_close(TvmafScorers **ps)
{
    if (!ps || !*ps)
        return;
    TvmafScorers *s = *ps;
    tvmaf_scorer_close(&s->sc);
    free(s->metrics);
    free(s->block);
    free(s);
    *ps = NULL;
}
