#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scorers.h"

struct TvmafScorers {
    int n_metrics;
    double *values;
    char (*names)[160];
};

int tvmaf_scorers_open(TvmafScorers **out, const CliOptions *o)
{
    TvmafScorers *s = calloc(1, sizeof(*s));
    if (!s) {
        fprintf(stderr, "tinyvmaf: out of memory\n");
        return -1;
    }
    (void)o;
    *out = s;
    return 0;
}

void tvmaf_scorers_adjust_settings(const TvmafScorers *s, TvmafSettings *set)
{
    (void)s;
    (void)set;
}

int tvmaf_scorers_metric_count(const TvmafScorers *s)
{
    return s->n_metrics;
}

int tvmaf_scorers_run(TvmafScorers *s, const TvmafContext *ctx, unsigned n_frames,
                      TvmafReportMetric *out)
{
    (void)s;
    (void)ctx;
    (void)n_frames;
    (void)out;
    return 0;
}

void tvmaf_scorers_blocks(TvmafScorers *s, TvmafReport *r)
{
    (void)s;
    (void)r;
}

static const char *short_name(const char *key)
{
    return !strncmp(key, "integer_", 8) ? key + 8 : key;
}

void tvmaf_scorers_summary(const TvmafScorers *s, const TvmafReport *r, FILE *f)
{
    (void)s;
    /* One line: frame count and the pooled mean of every reported metric. */
    fprintf(f, "%u frames %dx%d:", r->n_frames, r->width, r->height);
    for (int m = 0; m < r->n_metrics; m++) {
        if (strstr(r->metrics[m].name, "motion_sad") || !strcmp(r->metrics[m].name, "integer_motion"))
            continue;
        double v;
        if (tvmaf_pool(r->metrics[m].v, r->n_frames, r->subsample, TVMAF_POOL_MEAN, &v) < 0)
            continue;
        fprintf(f, " %s %.6f", short_name(r->metrics[m].name), v);
    }
    fputc('\n', f);
}

void tvmaf_scorers_close(TvmafScorers **ps)
{
    if (!ps || !*ps)
        return;
    free((*ps)->values);
    free((*ps)->names);
    free(*ps);
    *ps = NULL;
}
