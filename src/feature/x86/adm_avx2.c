/*
 * Integer ADM, AVX2: adm_tmpl.c (read its header comment first) on
 * vec_avx2.h. AVX2 cannot convert int64 to float, and the scale 1..3 angle
 * test needs exactly that rounding of sums up to 2^63, so that test stays
 * scalar here (the code of angle_within_1deg() in adm.c); everything after
 * it is vectorised.
 */
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "feature/adm.h"
#include "feature/x86/adm.h"
#include "feature/x86/vec_avx2.h"

#define FN(name) tvmaf_adm_##name##_avx2

static inline vmask angle_s123(const int32_t *const oh, const int32_t *const ov,
                               const int32_t *const th, const int32_t *const tv, const vecd c)
{
    const double cos1sq = _mm256_cvtsd_f64(c);
    int32_t m[8];
    for (int q = 0; q < 8; q++) {
        const double dp = (float)tvmaf_adm_dot2(oh[q], th[q], ov[q], tv[q]) / 4096.0;
        const double om = (float)tvmaf_adm_dot2(oh[q], oh[q], ov[q], ov[q]) / 4096.0;
        const double tm = (float)tvmaf_adm_dot2(th[q], th[q], tv[q], tv[q]) / 4096.0;
        m[q] = -(dp >= 0.0 && dp * dp >= cos1sq * om * tm);
    }
    return _mm256_loadu_si256((const __m256i *)m);
}

#include "feature/x86/adm_tmpl.c"
