/*
 * Integer ADM, AVX-512 (F/BW/DQ/VL): adm_tmpl.c (read its header comment
 * first) on vec_avx512.h. DQ converts int64 to float with the rounding of the
 * C cast, so the scale 1..3 angle test is vectorised too: the int64 sums are
 * exactly the C expressions, wrapping where C would overflow.
 */
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "feature/adm.h"
#include "feature/x86/adm.h"
#include "feature/x86/vec_avx512.h"

#define FN(name) tvmaf_adm_##name##_avx512

/* Float of h * x + v * y for 8 int32 lanes at p, in int64. */
static inline __m256 dot8_ps(const int32_t *const h, const int32_t *const v,
                             const int32_t *const x, const int32_t *const y)
{
    const __m512i a = _mm512_cvtepi32_epi64(_mm256_loadu_si256((const __m256i *)h));
    const __m512i b = _mm512_cvtepi32_epi64(_mm256_loadu_si256((const __m256i *)v));
    const __m512i c = _mm512_cvtepi32_epi64(_mm256_loadu_si256((const __m256i *)x));
    const __m512i d = _mm512_cvtepi32_epi64(_mm256_loadu_si256((const __m256i *)y));
    return _mm512_cvtepi64_ps(_mm512_add_epi64(_mm512_mul_epi32(a, c), _mm512_mul_epi32(b, d)));
}

static inline vecf dot16_ps(const int32_t *const h, const int32_t *const v,
                            const int32_t *const x, const int32_t *const y)
{
    return _mm512_insertf32x8(_mm512_castps256_ps512(dot8_ps(h, v, x, y)),
                              dot8_ps(h + 8, v + 8, x + 8, y + 8), 1);
}

static inline vmask angle_s123(const int32_t *const oh, const int32_t *const ov,
                               const int32_t *const th, const int32_t *const tv, const vecd c)
{
    return v_dot_ge(dot16_ps(oh, ov, th, tv), dot16_ps(oh, ov, oh, ov), dot16_ps(th, tv, th, tv),
                    c);
}

#include "feature/x86/adm_tmpl.c"
