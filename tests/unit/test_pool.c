/* Pooling against direct evaluations of each method's definition. */
#include <math.h>
#include <stdio.h>

#include "tinyvmaf/tinyvmaf.h"

#include "unit_check.h"

static double pool(const double *v, unsigned n, unsigned sub, enum TvmafPoolMethod m)
{
    double out = NAN;
    if (tvmaf_pool(v, n, sub, m, &out) < 0)
        return NAN;
    return out;
}

int main(void)
{
    const double v[7] = { 90.0, 80.0, 100.0, 70.0, 95.0, 85.0, 60.0 };
    CHECK(pool(v, 7, 1, TVMAF_POOL_MIN) == 60.0, "min");
    CHECK(pool(v, 7, 1, TVMAF_POOL_MAX) == 100.0, "max");
    CHECK(fabs(pool(v, 7, 1, TVMAF_POOL_MEAN) - 580.0 / 7) < 1e-12, "mean");
    double isum = 0;
    for (int i = 0; i < 7; i++)
        isum += 1.0 / (v[i] + 1.0);
    CHECK(fabs(pool(v, 7, 1, TVMAF_POOL_HARMONIC_MEAN) - (7 / isum - 1)) < 1e-12, "harmonic");
    /* sorted: 60 70 80 85 90 95 100 */
    CHECK(pool(v, 7, 1, TVMAF_POOL_MEDIAN) == 85.0, "median odd");
    CHECK(fabs(pool(v, 7, 1, TVMAF_POOL_P10) - (60 + 0.6 * 10)) < 1e-12, "p10 interpolates");
    CHECK(fabs(pool(v, 7, 1, TVMAF_POOL_P5) - (60 + 0.3 * 10)) < 1e-12, "p5 interpolates");
    CHECK(pool(v, 6, 1, TVMAF_POOL_MEDIAN) == 87.5, "median even");
    /* subsample 3 takes indices 0, 3, 6: 90, 70, 60 */
    CHECK(fabs(pool(v, 7, 3, TVMAF_POOL_MEAN) - 220.0 / 3) < 1e-12, "subsampled mean");
    CHECK(pool(v, 7, 3, TVMAF_POOL_MIN) == 60.0 && pool(v, 7, 3, TVMAF_POOL_MAX) == 90.0, "subsampled min/max");
    CHECK(pool(v, 7, 3, TVMAF_POOL_MEDIAN) == 70.0, "subsampled median");
    const double zero[2] = { 0.0, 0.0 };
    CHECK(pool(zero, 2, 1, TVMAF_POOL_HARMONIC_MEAN) == 0.0, "harmonic of zeros stays finite");
    double out;
    CHECK(tvmaf_pool(v, 0, 1, TVMAF_POOL_MEAN, &out) < 0, "empty refused");
    CHECK(tvmaf_pool(NULL, 3, 1, TVMAF_POOL_MEAN, &out) < 0, "NULL refused");
    CHECK(tvmaf_pool(v, 3, 1, TVMAF_POOL_COUNT, &out) < 0, "bad method refused");
    CHECK(tvmaf_pool_name(TVMAF_POOL_HARMONIC_MEAN) && !tvmaf_pool_name(TVMAF_POOL_COUNT), "names");
    printf("%s\n", fails ? "FAIL" : "PASS");
    return fails != 0;
}
