/*
 * The scoring command's models: --model / --tiny-model / the defaults
 * loaded into a library scorer, and its metrics handed to the report.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "output/scores.h"
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

static unsigned errors_logged;

unsigned tvmaf_scorers_errors_logged(void)
{
    return errors_logged;
}

static void log_to_stderr(void *cookie, enum TvmafLogLevel level, const char *fmt, va_list ap)
{
    (void)cookie;
    if (level > TVMAF_LOG_WARNING)
        return;
    if (level == TVMAF_LOG_ERROR)
        errors_logged++;
    fputs(level == TVMAF_LOG_WARNING ? "tinyvmaf: warning: " : "tinyvmaf: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

static int add_classic(TvmafScorers *s, const char *spec)
{
    char buf[1024];
    const char *path, *version;
    TvmafModelConfig cfg;
    tvmaf_model_default_config(&cfg);
    cfg.logger.callback = log_to_stderr;
    CliModelOverride ov[CLI_MAX_OVERRIDES];
    int n_ov = 0;
    if (tvmaf_cli_model_spec(spec, buf, sizeof(buf), &path, &version, &cfg, ov, &n_ov))
        return -1;
    TvmafModel *m;
    if ((version ? tvmaf_model_load_version(&m, version, &cfg)
                 : tvmaf_model_load_path(&m, path, &cfg)) < 0)
        return -1;
    for (int i = 0; i < n_ov; i++)
        if (tvmaf_model_set_feature_option(m, ov[i].extractor, ov[i].option, ov[i].value) < 0) {
            tvmaf_model_free(&m);
            return -1;
        }
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
        TvmafTinyLoadOptions lo;
        tvmaf_tiny_default_load_options(&lo);
        lo.logger.callback = log_to_stderr;
        /* Failing to read the built-in registry (out of memory) is an
         * error, not a reason to drop the default model silently. */
        if (tvmaf_tiny_registry_open_builtin(&r, &lo) < 0)
            return -1;
        int have = 0;
        for (unsigned i = 0; i < tvmaf_tiny_registry_count(r); i++)
            have |= !strcmp(tvmaf_tiny_registry_entry(r, i)->id, TVMAF_TINY_DEFAULT_MODEL);
        tvmaf_tiny_registry_free(&r);
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
        if (tvmaf_report_tiny_block(s->sc, first_tiny, (unsigned)s->n_tiny, &s->block) < 0) {
            fprintf(stderr, "tinyvmaf: out of memory\n");
            return -1;
        }
        s->rblock.key = "tiny_model";
        s->rblock.json = s->block;
        r->blocks = &s->rblock;
        r->n_blocks = 1;
    }
    return 0;
}

void tvmaf_scorers_summary(const TvmafScorers *s, const TvmafReport *r, FILE *f)
{
    const char *labels[CLI_MAX_MODELS];
    for (int i = 0; i < s->n_classic; i++)
        labels[i] = s->classic_label[i];
    tvmaf_report_summary(s->sc, labels, r, f);
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
