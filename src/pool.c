#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tinyvmaf/tinyvmaf.h"

static const char *const pool_names[TVMAF_POOL_COUNT] = {
    [TVMAF_POOL_MIN] = "min",
    [TVMAF_POOL_MAX] = "max",
    [TVMAF_POOL_MEAN] = "mean",
    [TVMAF_POOL_HARMONIC_MEAN] = "harmonic_mean",
    [TVMAF_POOL_MEDIAN] = "median",
    [TVMAF_POOL_P5] = "percentile_5",
    [TVMAF_POOL_P10] = "percentile_10",
};

const char *tvmaf_pool_name(enum TvmafPoolMethod m)
{
    return (unsigned)m < TVMAF_POOL_COUNT ? pool_names[m] : NULL;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int tvmaf_pool(const double *v, unsigned n, unsigned subsample, enum TvmafPoolMethod m,
               double *out)
{
    if (!v || !out || !n || (unsigned)m >= TVMAF_POOL_COUNT)
        return TVMAF_ERR(EINVAL);
    if (!subsample)
        subsample = 1;

    if (m <= TVMAF_POOL_HARMONIC_MEAN) {
        /* Same loop and summation order as libvmaf's
         * vmaf_feature_score_pooled, so the doubles agree. */
        unsigned cnt = 0;
        double mn = 0., mx = 0., sum = 0., isum = 0.;
        for (unsigned i = 0; i < n; i++) {
            if (i % subsample)
                continue;
            const double s = v[i];
            sum += s;
            isum += 1. / (s + 1.);
            if (!cnt || s < mn)
                mn = s;
            if (!cnt || s > mx)
                mx = s;
            cnt++;
        }
        switch (m) {
        case TVMAF_POOL_MIN: *out = mn; break;
        case TVMAF_POOL_MAX: *out = mx; break;
        case TVMAF_POOL_MEAN: *out = sum / cnt; break;
        default: *out = cnt / isum - 1.0; break;
        }
        return 0;
    }

    const unsigned cnt = (n - 1) / subsample + 1;
    double *s = malloc(cnt * sizeof(*s));
    if (!s)
        return TVMAF_ERR(ENOMEM);
    for (unsigned i = 0, k = 0; i < n; i += subsample)
        s[k++] = v[i];
    qsort(s, cnt, sizeof(*s), cmp_double);
    const double q = m == TVMAF_POOL_MEDIAN ? 0.5 : m == TVMAF_POOL_P5 ? 0.05 : 0.10;
    /* Linear interpolation between closest ranks (numpy's default). */
    const double pos = q * (cnt - 1);
    const unsigned lo = (unsigned)floor(pos);
    const unsigned hi = lo + 1 < cnt ? lo + 1 : lo;
    const double frac = pos - lo;
    *out = s[lo] + (s[hi] - s[lo]) * frac;
    free(s);
    return 0;
}
