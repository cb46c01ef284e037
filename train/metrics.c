#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train.h"

double tvmaf_metric_plcc(const double *const a, const double *const b, const size_t n)
{
    if (n < 2)
        return NAN;
    double ma = 0.0, mb = 0.0;
    for (size_t i = 0; i < n; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= (double)n;
    mb /= (double)n;
    double sab = 0.0, saa = 0.0, sbb = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double da = a[i] - ma, db = b[i] - mb;
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    if (!(saa > 0.0) || !(sbb > 0.0))
        return NAN;
    const double r = sab / sqrt(saa * sbb);
    /* Rounding can push a perfect correlation a ulp past 1. */
    return r > 1.0 ? 1.0 : r < -1.0 ? -1.0 : r;
}

typedef struct Keyed {
    double v;
    size_t i;
} Keyed;

static int cmp_keyed(const void *const x, const void *const y)
{
    const Keyed *const a = x, *const b = y;
    if (a->v != b->v)
        return a->v < b->v ? -1 : 1;
    /* qsort is not stable; the index makes the order total. */
    return a->i < b->i ? -1 : a->i > b->i;
}

/* Ranks 1..n, tied values sharing the mean of their positions
 * (scipy.stats.rankdata method='average'). */
static int ranks(const double *const v, const size_t n, double *const r)
{
    Keyed *const k = malloc(sizeof(Keyed) * n);
    if (!k)
        return -1;
    for (size_t i = 0; i < n; i++) {
        k[i].v = v[i];
        k[i].i = i;
    }
    qsort(k, n, sizeof(Keyed), cmp_keyed);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && k[j].v == k[i].v)
            j++;
        const double avg = 0.5 * (double)(i + 1 + j);
        for (size_t t = i; t < j; t++)
            r[k[t].i] = avg;
        i = j;
    }
    free(k);
    return 0;
}

/* -ENOMEM when the ranks cannot be allocated: an error, not a NaN score. */
static int srocc(const double *const a, const double *const b, const size_t n, double *const out)
{
    *out = NAN;
    if (n < 2)
        return 0;
    double *const ra = malloc(sizeof(double) * n * 2);
    if (!ra)
        return -ENOMEM;
    double *const rb = ra + n;
    const int err = ranks(a, n, ra) | ranks(b, n, rb);
    if (!err)
        *out = tvmaf_metric_plcc(ra, rb, n);
    free(ra);
    return err ? -ENOMEM : 0;
}

double tvmaf_metric_srocc(const double *const a, const double *const b, const size_t n)
{
    double v;
    return srocc(a, b, n, &v) < 0 ? NAN : v;
}

double tvmaf_metric_rmse(const double *const a, const double *const b, const size_t n)
{
    if (!n)
        return NAN;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double d = a[i] - b[i];
        s += d * d;
    }
    return sqrt(s / (double)n);
}

void tvmaf_metric_mean_std(const double *const v, const size_t n, double *const mean,
                           double *const std)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m += v[i];
    m = n ? m / (double)n : NAN;
    double ss = 0.0;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - m) * (v[i] - m);
    *mean = m;
    *std = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
}

int tvmaf_scores_compute(TvmafScores *const s, const float *const pred,
                         const float *const target, const size_t n)
{
    double *const a = calloc(n * 2 + 1, sizeof(double));
    if (!a)
        return TVMAF_ERR(ENOMEM);
    double *const b = a + n;
    for (size_t i = 0; i < n; i++) {
        a[i] = pred[i];
        b[i] = target[i];
    }
    s->plcc = tvmaf_metric_plcc(a, b, n);
    const int err = srocc(a, b, n, &s->srocc);
    s->rmse = tvmaf_metric_rmse(a, b, n);
    free(a);
    return err < 0 ? TVMAF_ERR(ENOMEM) : 0;
}
