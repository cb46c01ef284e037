#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "output/scores.h"
#include "util/util.h"
#if TVMAF_CLI_HAVE_TINY
#include "tinyvmaf/tiny.h"
#endif

#if TVMAF_CLI_HAVE_TINY
static void put_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.9g", v);
    else
        fputs("null", f);
}

static int tiny_entry(FILE *f, const TvmafScorer *sc, unsigned i)
{
    TvmafMetric m;
    if (tvmaf_scorer_metric(sc, i, &m) < 0 || !m.tiny)
        return -1;
    const TvmafTinyModel *const tm = m.tiny;
    fputs("{\n    \"id\": ", f);
    tvmaf_json_put(f, tvmaf_tiny_model_id(tm));
    fputs(",\n    \"kind\": ", f);
    tvmaf_json_put(f, tvmaf_tiny_model_kind(tm));
    fprintf(f, ",\n    \"sha256\": \"%s\",\n    \"features\": [", tvmaf_tiny_model_sha256(tm));
    for (unsigned j = 0; j < tvmaf_tiny_model_n_features(tm); j++) {
        fputs(j ? ", " : "", f);
        tvmaf_json_put(f, tvmaf_tiny_model_feature_name(tm, j));
    }
    fputs("],\n    \"frames\": [", f);
    const char *sep = "";
    for (unsigned k = 0; k < m.n_frames; k++) {
        if (isnan(m.values[k]))
            continue;
        fprintf(f, "%s{\"frameNum\": %u, \"score\": ", sep, k);
        put_number(f, m.values[k]);
        fputc('}', f);
        sep = ", ";
    }
    fputs("],\n    \"pooled_metrics\": {", f);
    for (int p = 0; p < TVMAF_POOL_COUNT; p++) {
        double pv;
        if (tvmaf_scorer_pool(sc, i, (enum TvmafPoolMethod)p, &pv) < 0)
            return -1; /* out of memory: no block rather than a null in it */
        fprintf(f, "%s\"%s\": ", p ? ", " : "", tvmaf_pool_name((enum TvmafPoolMethod)p));
        put_number(f, pv);
    }
    fputs("}\n  }", f);
    return 0;
}
#endif

int tvmaf_report_tiny_block(const TvmafScorer *sc, unsigned first, unsigned n, char **json)
{
    *json = NULL;
#if TVMAF_CLI_HAVE_TINY
    size_t len;
    FILE *const f = open_memstream(json, &len);
    if (!f)
        return -1;
    int e = 0;
    fputs(n > 1 ? "[" : "", f);
    for (unsigned t = 0; t < n && !e; t++) {
        fputs(t ? ", " : "", f);
        e = tiny_entry(f, sc, first + t);
    }
    fputs(n > 1 ? "]" : "", f);
    e |= ferror(f) ? -1 : 0;
    if (fclose(f) || e) {
        free(*json);
        *json = NULL;
        return -1;
    }
    return 0;
#else
    (void)sc; (void)first; (void)n;
    return -1;
#endif
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

void tvmaf_report_summary(const TvmafScorer *sc, const char *const *classic_labels,
                          const TvmafReport *r, FILE *f)
{
    const unsigned n = tvmaf_scorer_metric_count(sc);
    const int p = r->precision;
    char b[3][32];
    int models = 0;
    for (unsigned i = 0; i < n; i++) {
        TvmafMetric m;
        models |= tvmaf_scorer_metric(sc, i, &m) == 0 && m.kind != TVMAF_METRIC_FEATURE;
    }
    if (models) {
        /* One line: each model's pooled mean, as libvmaf's "<model>: <mean>". */
        int c = 0, k = 0;
        for (unsigned i = 0; i < n; i++) {
            TvmafMetric m;
            double mean, hm, mn;
            if (tvmaf_scorer_metric(sc, i, &m) < 0 || m.kind == TVMAF_METRIC_FEATURE ||
                tvmaf_scorer_pool(sc, i, TVMAF_POOL_MEAN, &mean) < 0)
                continue;
            if (m.kind == TVMAF_METRIC_CLASSIC &&
                tvmaf_scorer_pool(sc, i, TVMAF_POOL_HARMONIC_MEAN, &hm) == 0 &&
                tvmaf_scorer_pool(sc, i, TVMAF_POOL_MIN, &mn) == 0)
                fprintf(f, "%s%s: %s (harmonic_mean %s, min %s)", k++ ? "; " : "",
                        classic_labels[c++], num(b[0], mean, p), num(b[1], hm, p),
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
        if (tvmaf_scorer_metric(sc, i, &m) < 0 || strstr(m.name, "motion_sad") ||
            !strcmp(m.name, "integer_motion") ||
            tvmaf_scorer_pool(sc, i, TVMAF_POOL_MEAN, &v) < 0)
            continue;
        fprintf(f, " %s %s", !strncmp(m.name, "integer_", 8) ? m.name + 8 : m.name,
                num(b[0], v, p));
    }
    fputc('\n', f);
}
