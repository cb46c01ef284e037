/*
 * Integer ADM, AVX2: adm_tmpl.c (read its header comment first) on
 * vec_avx2.h. AVX2 cannot convert int64 to float, and the scale 1..3 angle
 * test needs exactly that rounding of sums up to 2^63, so that test stays
 * scalar here (tvmaf_adm_angle_within_1deg() of adm.h); everything after
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
    for (int q = 0; q < 8; q++)
        m[q] = -tvmaf_adm_angle_within_1deg(oh[q], ov[q], th[q], tv[q], cos1sq);
    return _mm256_loadu_si256((const __m256i *)m);
}

#include "feature/x86/adm_tmpl.c"
