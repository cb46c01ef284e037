#include <math.h>
#include <stdio.h>

#include "rng.h"
#include "synth.h"

#define STREAM_SYNTH 3

static double normal(TvmafRng *const r)
{
    /* Box-Muller; 1 - u keeps log() away from 0. */
    const double u = 1.0 - tvmaf_rng_double(r), v = tvmaf_rng_double(r);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static double clamp01(const double v)
{
    return v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
}

int tvmaf_synth_write(FILE *const f, const size_t n_rows, const int n_groups, const uint64_t seed)
{
    if (n_groups < 1 || n_rows < (size_t)n_groups)
        return -1;
    TvmafRng r;
    tvmaf_rng_seed(&r, seed, STREAM_SYNTH);
    fprintf(f, "frame,adm2,vif_scale0,vif_scale1,vif_scale2,vif_scale3,motion2,vmaf,source\n");
    size_t row = 0;
    for (int g = 0; g < n_groups; g++) {
        /* Per-source content: texture c shifts how fast VIF falls with
         * quality and sets the motion level; o is a per-source bias the
         * features cannot explain (what LOSO is meant to expose). */
        const double c = tvmaf_rng_double(&r);
        const double o = 1.0 * normal(&r);
        const size_t rows = n_rows / n_groups + ((size_t)g < n_rows % n_groups);
        for (size_t i = 0; i < rows; i++, row++) {
            const double q = tvmaf_rng_double(&r);
            const float adm2 = (float)(0.70 + 0.30 * clamp01(pow(q, 0.6) + 0.03 * normal(&r)));
            const float vif0 =
                (float)(0.20 + 0.80 * clamp01(pow(q, 1.2 + c) + 0.05 * normal(&r)));
            const float vif1 =
                (float)(0.50 + 0.50 * clamp01(pow(q, 0.8 + 0.5 * c) + 0.04 * normal(&r)));
            const float vif2 =
                (float)(0.50 + 0.50 * clamp01(pow(q, 0.6 + 0.4 * c) + 0.04 * normal(&r)));
            const float vif3 =
                (float)(0.50 + 0.50 * clamp01(pow(q, 0.5 + 0.3 * c) + 0.04 * normal(&r)));
            const float motion2 =
                (float)(30.0 * clamp01(0.7 * c + 0.3 * tvmaf_rng_double(&r)));
            /* The known target: a logistic in a linear mix, a bump in
             * vif_scale2 and a motion x vif_scale3 interaction. */
            const double z = 10.0 * (adm2 - 0.85) + 3.0 * (vif0 - 0.5) + 2.0 * (vif1 - 0.75) +
                             0.1 * (vif3 - 0.85) * motion2;
            const double vmaf = 100.0 / (1.0 + exp(-z)) + 3.0 * sin(5.0 * vif2) + o +
                                1.0 * normal(&r);
            fprintf(f, "%zu,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,src%02d\n", row, adm2, vif0,
                    vif1, vif2, vif3, motion2, (float)vmaf, g);
        }
    }
    return ferror(f) ? -1 : 0;
}
