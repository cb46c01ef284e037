/*
 * The integer vector layer that vif_tmpl.c, motion_tmpl.c and adm_tmpl.c are written
 * against, for AVX2. Only the per-ISA static library may include it:
 * it needs that library's -m flags.
 */
#ifndef TVMAF_SRC_FEATURE_X86_VEC_AVX2_H
#define TVMAF_SRC_FEATURE_X86_VEC_AVX2_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

typedef __m256i vec;
#define N16 16
#define N32 8

static inline vec v_zero(void) { return _mm256_setzero_si256(); }
static inline vec v_set16(const short x) { return _mm256_set1_epi16(x); }
static inline vec v_set32(const int x) { return _mm256_set1_epi32(x); }
static inline vec v_ld(const void *const p) { return _mm256_loadu_si256((const __m256i *)p); }
static inline void v_st(void *const p, const vec v) { _mm256_storeu_si256((__m256i *)p, v); }
static inline vec v_ld_u8(const uint8_t *const p)
{
    return _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)p));
}
static inline vec v_add32(const vec a, const vec b) { return _mm256_add_epi32(a, b); }
static inline vec v_sub32(const vec a, const vec b) { return _mm256_sub_epi32(a, b); }
static inline vec v_sub16(const vec a, const vec b) { return _mm256_sub_epi16(a, b); }
static inline vec v_xor(const vec a, const vec b) { return _mm256_xor_si256(a, b); }
static inline vec v_or(const vec a, const vec b) { return _mm256_or_si256(a, b); }
static inline vec v_srl32(const vec a, const int n) { return _mm256_srl_epi32(a, _mm_cvtsi32_si128(n)); }
static inline vec v_sll32(const vec a, const int n) { return _mm256_sll_epi32(a, _mm_cvtsi32_si128(n)); }
static inline vec v_mullo16(const vec a, const vec b) { return _mm256_mullo_epi16(a, b); }
static inline vec v_mulhiu16(const vec a, const vec b) { return _mm256_mulhi_epu16(a, b); }
static inline vec v_madd(const vec a, const vec b) { return _mm256_madd_epi16(a, b); }
/* acc + pmaddwd(a, b) mod 2^32 (vec_avx512.h fuses it into vpdpwssd with VNNI). */
static inline vec v_dpadd(const vec acc, const vec a, const vec b) { return _mm256_add_epi32(acc, _mm256_madd_epi16(a, b)); }
static inline vec v_unlo16(const vec a, const vec b) { return _mm256_unpacklo_epi16(a, b); }
static inline vec v_unhi16(const vec a, const vec b) { return _mm256_unpackhi_epi16(a, b); }
/* lo holds columns 0-3 and 8-11, hi 4-7 and 12-15: packusdw restores the order. */
static inline vec v_packus32(const vec lo, const vec hi) { return _mm256_packus_epi32(lo, hi); }
static inline void v_fix32(const vec lo, const vec hi, vec *const o0, vec *const o1)
{
    *o0 = _mm256_permute2x128_si256(lo, hi, 0x20);
    *o1 = _mm256_permute2x128_si256(lo, hi, 0x31);
}
static inline vec v_pack32(const vec a, const vec b)
{
    return _mm256_permute4x64_epi64(_mm256_packus_epi32(a, b), 0xd8);
}
static inline vec v_blend_odd16(const vec a, const vec b) { return _mm256_blend_epi16(a, b, 0xaa); }

/* For motion_tmpl.c. */
static inline vec v_and(const vec a, const vec b) { return _mm256_and_si256(a, b); }
static inline vec v_srai32(const vec a, const int n) { return _mm256_sra_epi32(a, _mm_cvtsi32_si128(n)); }
static inline vec v_mullo32(const vec a, const vec b) { return _mm256_mullo_epi32(a, b); }
static inline vec v_abs32(const vec a) { return _mm256_abs_epi32(a); }
static inline vec v_absdiff_u16(const vec a, const vec b)
{
    return _mm256_sub_epi16(_mm256_max_epu16(a, b), _mm256_min_epu16(a, b));
}
/* The sum of a's lanes minus 1 where b > a (the borrow in motion's split sums). */
static inline vec v_sub_if_lt32(const vec a, const vec x, const vec y)
{
    return _mm256_add_epi32(a, _mm256_cmpgt_epi32(y, x));
}
/* Lanes n.. set to 0. */
static inline vec v_keep32(const vec a, const int n)
{
    return _mm256_and_si256(a, _mm256_cmpgt_epi32(_mm256_set1_epi32(n),
                                                  _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)));
}
static inline uint32_t v_hsum32(const vec a)
{
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return (uint32_t)_mm_cvtsi128_si32(s);
}
static inline uint32_t v_hor32(const vec a)
{
    __m128i s = _mm_or_si128(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    s = _mm_or_si128(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_or_si128(s, _mm_shuffle_epi32(s, 0xb1));
    return (uint32_t)_mm_cvtsi128_si32(s);
}

/* For adm_tmpl.c. */
static inline vec v_set64(const int64_t x) { return _mm256_set1_epi64x(x); }
static inline vec v_add64(const vec a, const vec b) { return _mm256_add_epi64(a, b); }
static inline vec v_sub64(const vec a, const vec b) { return _mm256_sub_epi64(a, b); }
static inline vec v_max32(const vec a, const vec b) { return _mm256_max_epi32(a, b); }
/* Full 64-bit products of the even 32-bit lanes, unsigned and signed. */
static inline vec v_mulu32(const vec a, const vec b) { return _mm256_mul_epu32(a, b); }
static inline vec v_muls32(const vec a, const vec b) { return _mm256_mul_epi32(a, b); }
static inline vec v_srl64(const vec a, const int n) { return _mm256_srl_epi64(a, _mm_cvtsi32_si128(n)); }
static inline vec v_sll64(const vec a, const int n) { return _mm256_sll_epi64(a, _mm_cvtsi32_si128(n)); }
/* Arithmetic 64-bit shift, n in [0, 63]: floor(v / 2^n) = m ^ ((v ^ m) >> n), m the sign mask. */
static inline vec v_srai64(const vec a, const int n)
{
    const vec m = _mm256_cmpgt_epi64(_mm256_setzero_si256(), a);
    return _mm256_xor_si256(v_srl64(_mm256_xor_si256(a, m), n), m);
}
/* Even 32-bit lanes of a, odd ones of b. */
static inline vec v_blend_odd32(const vec a, const vec b) { return _mm256_blend_epi32(a, b, 0xaa); }
/* The low halves of the 64-bit lanes of a, then those of b, as 32-bit lanes in order. */
static inline vec v_narrow64x2(const vec a, const vec b)
{
    return _mm256_permutevar8x32_epi32(v_blend_odd32(a, _mm256_slli_epi64(b, 32)),
                                       _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7));
}
/* N32 int16, sign-extended to 32-bit lanes. */
static inline vec v_ld_s16w(const int16_t *const p)
{
    return _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)p));
}
/* Stores the first min(n, N32) 32-bit lanes; n >= 1. */
static inline void v_st32_n(int32_t *const p, const vec v, const int n)
{
    if (n >= 8) {
        _mm256_storeu_si256((__m256i *)p, v);
    } else {
        int32_t t[8];
        _mm256_storeu_si256((__m256i *)t, v);
        memcpy(p, t, (size_t)n * sizeof(*p));
    }
}
/* The same for 32-bit lanes holding int16 values, stored as int16. */
static inline void v_st16_n(int16_t *const p, const vec v, const int n)
{
    const __m128i s = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    if (n >= 8) {
        _mm_storeu_si128((__m128i *)p, s);
    } else {
        int16_t t[8];
        _mm_storeu_si128((__m128i *)t, s);
        memcpy(p, t, (size_t)n * sizeof(*p));
    }
}
/* Sum of the 64-bit lanes, modulo 2^64. */
static inline int64_t v_hsum64(const vec a)
{
    const __m128i s = _mm_add_epi64(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    return (int64_t)((uint64_t)_mm_cvtsi128_si64(s) + (uint64_t)_mm_extract_epi64(s, 1));
}

/* For adm_tmpl.c's decouple kernels: lane masks, table look-ups, per-lane
 * shifts and the few float/double steps of the angle test and gain limit. */
typedef __m256i vmask; /* all ones in the 32-bit lanes where true */
typedef __m256 vecf;   /* N32 floats */
typedef __m256d vecd;  /* N32 / 2 doubles */
static inline vmask v_eq32(const vec a, const vec b) { return _mm256_cmpeq_epi32(a, b); }
static inline vmask v_gt32(const vec a, const vec b) { return _mm256_cmpgt_epi32(a, b); }
static inline vmask v_mor(const vmask a, const vmask b) { return _mm256_or_si256(a, b); }
/* a and not b. */
static inline vmask v_mandn(const vmask a, const vmask b) { return _mm256_andnot_si256(b, a); }
/* b where m, a elsewhere. */
static inline vec v_sel32(const vmask m, const vec a, const vec b)
{
    return _mm256_blendv_epi8(a, b, m);
}
static inline vec v_min32(const vec a, const vec b) { return _mm256_min_epi32(a, b); }
static inline vec v_sllv32(const vec a, const vec n) { return _mm256_sllv_epi32(a, n); }
static inline vec v_srlv32(const vec a, const vec n) { return _mm256_srlv_epi32(a, n); }
static inline vec v_sllv64(const vec a, const vec n) { return _mm256_sllv_epi64(a, n); }
/* The IEEE single bits of (float)a, per 32-bit lane. */
static inline vec v_cvt32_fbits(const vec a) { return _mm256_castps_si256(_mm256_cvtepi32_ps(a)); }
static inline vecd v_set_pd(const double x) { return _mm256_set1_pd(x); }
/*
 * base[idx] per 32-bit lane. Scalar loads instead of vpgatherdd: the ymm
 * gather is several times slower on some AMD cores (measured on Zen: ADM's
 * scale-0 decouple 11.5 us -> 3 us per 770 columns without it), and this is
 * never slower.
 */
static inline vec v_gather32(const int32_t *const base, const vec idx)
{
    int32_t ix[8];
    _mm256_storeu_si256((__m256i *)ix, idx);
    __m128i lo = _mm_cvtsi32_si128(base[ix[0]]);
    __m128i hi = _mm_cvtsi32_si128(base[ix[4]]);
    lo = _mm_insert_epi32(lo, base[ix[1]], 1);
    hi = _mm_insert_epi32(hi, base[ix[5]], 1);
    lo = _mm_insert_epi32(lo, base[ix[2]], 2);
    hi = _mm_insert_epi32(hi, base[ix[6]], 2);
    lo = _mm_insert_epi32(lo, base[ix[3]], 3);
    hi = _mm_insert_epi32(hi, base[ix[7]], 3);
    return _mm256_setr_m128i(lo, hi);
}
/* clamp(a >> n, 0, hi) on 64-bit lanes, arithmetic shift, n in [0, 63]. The
 * logical shift differs only for a < 0, where the result is 0 either way. */
static inline vec v_shr64_clamp(const vec a, const vec n, const vec hi)
{
    const vec q = _mm256_srlv_epi64(a, n);
    const vec c = _mm256_blendv_epi8(q, hi, _mm256_cmpgt_epi64(q, hi));
    return _mm256_andnot_si256(_mm256_cmpgt_epi64(_mm256_setzero_si256(), a), c);
}
/* Float of int32 lanes holding a value in [-2^31 + 1, 2^31], 2^31 wrapped to INT32_MIN. */
static inline vecf v_cvt_sum_ps(const vec a)
{
    const vec min = _mm256_set1_epi32(INT32_MIN);
    const vecf f = _mm256_cvtepi32_ps(a);
    return _mm256_xor_ps(f, _mm256_castsi256_ps(_mm256_and_si256(_mm256_cmpeq_epi32(a, min), min)));
}
/* Lanes where d >= 0 and d * d >= c * x * y, each float promoted to double,
 * products in that order and never fused (the angle test of ADM). */
static inline __m256d v_dot_ge_half(const __m128 d, const __m128 x, const __m128 y, const vecd c)
{
    const __m256d dd = _mm256_cvtps_pd(d);
    const __m256d rhs = _mm256_mul_pd(_mm256_mul_pd(c, _mm256_cvtps_pd(x)), _mm256_cvtps_pd(y));
    return _mm256_and_pd(_mm256_cmp_pd(dd, _mm256_setzero_pd(), _CMP_GE_OQ),
                         _mm256_cmp_pd(_mm256_mul_pd(dd, dd), rhs, _CMP_GE_OQ));
}
static inline vmask v_dot_ge(const vecf d, const vecf x, const vecf y, const vecd c)
{
    const __m256d lo = v_dot_ge_half(_mm256_castps256_ps128(d), _mm256_castps256_ps128(x),
                                     _mm256_castps256_ps128(y), c);
    const __m256d hi = v_dot_ge_half(_mm256_extractf128_ps(d, 1), _mm256_extractf128_ps(x, 1),
                                     _mm256_extractf128_ps(y, 1), c);
    const vec p = _mm256_packs_epi32(_mm256_castpd_si256(lo), _mm256_castpd_si256(hi));
    return _mm256_permute4x64_epi64(p, 0xD8);
}
/* Per lane: (int32)min((double)a * s, (double)b) where m, else the max; truncated. */
static inline __m128i v_minmax_scaled_half(const __m128i a, const __m128i b, const __m128i m,
                                           const vecd s)
{
    const __m256d x = _mm256_mul_pd(_mm256_cvtepi32_pd(a), s), y = _mm256_cvtepi32_pd(b);
    return _mm_blendv_epi8(_mm256_cvttpd_epi32(_mm256_max_pd(x, y)),
                           _mm256_cvttpd_epi32(_mm256_min_pd(x, y)), m);
}
static inline vec v_minmax_scaled(const vec a, const vec b, const vmask m, const vecd s)
{
    return _mm256_setr_m128i(
        v_minmax_scaled_half(_mm256_castsi256_si128(a), _mm256_castsi256_si128(b),
                             _mm256_castsi256_si128(m), s),
        v_minmax_scaled_half(_mm256_extracti128_si256(a, 1), _mm256_extracti128_si256(b, 1),
                             _mm256_extracti128_si256(m, 1), s));
}

#endif /* TVMAF_SRC_FEATURE_X86_VEC_AVX2_H */
