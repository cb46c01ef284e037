/*
 * The integer vector layer that vif_tmpl.c, motion_tmpl.c and adm_tmpl.c are written
 * against, for AVX-512 (F, BW, DQ, VL). Only the per-ISA static library may include it:
 * it needs that library's -m flags.
 */
#ifndef TVMAF_SRC_FEATURE_X86_VEC_AVX512_H
#define TVMAF_SRC_FEATURE_X86_VEC_AVX512_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

typedef __m512i vec;
#define N16 32
#define N32 16

static inline vec v_zero(void) { return _mm512_setzero_si512(); }
static inline vec v_set16(const short x) { return _mm512_set1_epi16(x); }
static inline vec v_set32(const int x) { return _mm512_set1_epi32(x); }
static inline vec v_ld(const void *const p) { return _mm512_loadu_si512(p); }
static inline void v_st(void *const p, const vec v) { _mm512_storeu_si512(p, v); }
static inline vec v_ld_u8(const uint8_t *const p)
{
    return _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)p));
}
static inline vec v_add32(const vec a, const vec b) { return _mm512_add_epi32(a, b); }
static inline vec v_sub32(const vec a, const vec b) { return _mm512_sub_epi32(a, b); }
static inline vec v_sub16(const vec a, const vec b) { return _mm512_sub_epi16(a, b); }
static inline vec v_xor(const vec a, const vec b) { return _mm512_xor_si512(a, b); }
static inline vec v_or(const vec a, const vec b) { return _mm512_or_si512(a, b); }
static inline vec v_srl32(const vec a, const int n) { return _mm512_srl_epi32(a, _mm_cvtsi32_si128(n)); }
static inline vec v_sll32(const vec a, const int n) { return _mm512_sll_epi32(a, _mm_cvtsi32_si128(n)); }
static inline vec v_mullo16(const vec a, const vec b) { return _mm512_mullo_epi16(a, b); }
static inline vec v_mulhiu16(const vec a, const vec b) { return _mm512_mulhi_epu16(a, b); }
static inline vec v_madd(const vec a, const vec b) { return _mm512_madd_epi16(a, b); }
/*
 * acc + pmaddwd(a, b) mod 2^32. With VNNI (the avx512icl library) this is
 * one vpdpwssd: it adds both products to acc exactly and wraps once, which
 * is the same value mod 2^32 as pmaddwd's wrap followed by the add.
 */
static inline vec v_dpadd(const vec acc, const vec a, const vec b)
{
#ifdef __AVX512VNNI__
    return _mm512_dpwssd_epi32(acc, a, b);
#else
    return _mm512_add_epi32(acc, _mm512_madd_epi16(a, b));
#endif
}
static inline vec v_unlo16(const vec a, const vec b) { return _mm512_unpacklo_epi16(a, b); }
static inline vec v_unhi16(const vec a, const vec b) { return _mm512_unpackhi_epi16(a, b); }
/* lo holds columns 0-3, 8-11, 16-19, 24-27; hi the other quads. */
static inline vec v_packus32(const vec lo, const vec hi) { return _mm512_packus_epi32(lo, hi); }
static inline void v_fix32(const vec lo, const vec hi, vec *const o0, vec *const o1)
{
    *o0 = _mm512_permutex2var_epi64(lo, _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11), hi);
    *o1 = _mm512_permutex2var_epi64(lo, _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15), hi);
}
/* Values are <= 65535, so truncation is exact. */
static inline vec v_pack32(const vec a, const vec b)
{
    return _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi32_epi16(a)),
                              _mm512_cvtepi32_epi16(b), 1);
}
static inline vec v_blend_odd16(const vec a, const vec b)
{
    return _mm512_mask_blend_epi16(0xaaaaaaaau, a, b);
}

/* For motion_tmpl.c. */
static inline vec v_and(const vec a, const vec b) { return _mm512_and_si512(a, b); }
static inline vec v_srai32(const vec a, const int n) { return _mm512_sra_epi32(a, _mm_cvtsi32_si128(n)); }
static inline vec v_mullo32(const vec a, const vec b) { return _mm512_mullo_epi32(a, b); }
static inline vec v_abs32(const vec a) { return _mm512_abs_epi32(a); }
static inline vec v_absdiff_u16(const vec a, const vec b)
{
    return _mm512_sub_epi16(_mm512_max_epu16(a, b), _mm512_min_epu16(a, b));
}
static inline vec v_sub_if_lt32(const vec a, const vec x, const vec y)
{
    return _mm512_mask_sub_epi32(a, _mm512_cmpgt_epi32_mask(y, x), a, _mm512_set1_epi32(1));
}
static inline vec v_keep32(const vec a, const int n)
{
    const __mmask16 k = n <= 0 ? 0 : n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1);
    return _mm512_maskz_mov_epi32(k, a);
}
static inline uint32_t v_hsum32(const vec a) { return (uint32_t)_mm512_reduce_add_epi32(a); }
static inline uint32_t v_hor32(const vec a) { return (uint32_t)_mm512_reduce_or_epi32(a); }

/* For adm_tmpl.c. */
static inline vec v_set64(const int64_t x) { return _mm512_set1_epi64(x); }
static inline vec v_add64(const vec a, const vec b) { return _mm512_add_epi64(a, b); }
static inline vec v_sub64(const vec a, const vec b) { return _mm512_sub_epi64(a, b); }
static inline vec v_max32(const vec a, const vec b) { return _mm512_max_epi32(a, b); }
static inline vec v_mulu32(const vec a, const vec b) { return _mm512_mul_epu32(a, b); }
static inline vec v_muls32(const vec a, const vec b) { return _mm512_mul_epi32(a, b); }
static inline vec v_srl64(const vec a, const int n) { return _mm512_srl_epi64(a, _mm_cvtsi32_si128(n)); }
static inline vec v_sll64(const vec a, const int n) { return _mm512_sll_epi64(a, _mm_cvtsi32_si128(n)); }
static inline vec v_srai64(const vec a, const int n) { return _mm512_sra_epi64(a, _mm_cvtsi32_si128(n)); }
static inline vec v_blend_odd32(const vec a, const vec b) { return _mm512_mask_blend_epi32(0xaaaa, a, b); }
static inline vec v_narrow64x2(const vec a, const vec b)
{
    return _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(a)),
                              _mm512_cvtepi64_epi32(b), 1);
}
static inline vec v_ld_s16w(const int16_t *const p)
{
    return _mm512_cvtepi16_epi32(_mm256_loadu_si256((const __m256i *)p));
}
static inline __mmask16 v_first16(const int n)
{
    return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1);
}
static inline void v_st32_n(int32_t *const p, const vec v, const int n)
{
    _mm512_mask_storeu_epi32(p, v_first16(n), v);
}
/* The truncating narrowing store is exact for int16 values. */
static inline void v_st16_n(int16_t *const p, const vec v, const int n)
{
    _mm512_mask_cvtepi32_storeu_epi16(p, v_first16(n), v);
}
/* _mm512_reduce_add_epi64 is written with signed C additions in GCC's
 * header; this sums the lanes with modular vector adds instead. */
static inline int64_t v_hsum64(const vec a)
{
    const __m256i h = _mm256_add_epi64(_mm512_castsi512_si256(a), _mm512_extracti64x4_epi64(a, 1));
    const __m128i q = _mm_add_epi64(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
    return (int64_t)((uint64_t)_mm_cvtsi128_si64(q) + (uint64_t)_mm_extract_epi64(q, 1));
}

/* For adm_tmpl.c's decouple kernels (see vec_avx2.h). */
typedef __mmask16 vmask;
typedef __m512 vecf;
typedef __m512d vecd;
static inline vmask v_eq32(const vec a, const vec b) { return _mm512_cmpeq_epi32_mask(a, b); }
static inline vmask v_gt32(const vec a, const vec b) { return _mm512_cmpgt_epi32_mask(a, b); }
static inline vmask v_mor(const vmask a, const vmask b) { return (vmask)(a | b); }
static inline vmask v_mandn(const vmask a, const vmask b) { return (vmask)(a & ~b); }
static inline vec v_sel32(const vmask m, const vec a, const vec b)
{
    return _mm512_mask_mov_epi32(a, m, b);
}
static inline vec v_min32(const vec a, const vec b) { return _mm512_min_epi32(a, b); }
static inline vec v_sllv32(const vec a, const vec n) { return _mm512_sllv_epi32(a, n); }
static inline vec v_srlv32(const vec a, const vec n) { return _mm512_srlv_epi32(a, n); }
static inline vec v_sllv64(const vec a, const vec n) { return _mm512_sllv_epi64(a, n); }
static inline vec v_cvt32_fbits(const vec a) { return _mm512_castps_si512(_mm512_cvtepi32_ps(a)); }
static inline vecd v_set_pd(const double x) { return _mm512_set1_pd(x); }
static inline vec v_gather32(const int32_t *const base, const vec idx)
{
    return _mm512_i32gather_epi32(idx, base, 4);
}
static inline vec v_shr64_clamp(const vec a, const vec n, const vec hi)
{
    return _mm512_min_epi64(_mm512_max_epi64(_mm512_srav_epi64(a, n), _mm512_setzero_si512()), hi);
}
static inline vecf v_cvt_sum_ps(const vec a)
{
    return _mm512_mask_mov_ps(_mm512_cvtepi32_ps(a),
                              _mm512_cmpeq_epi32_mask(a, _mm512_set1_epi32(INT32_MIN)),
                              _mm512_set1_ps(2147483648.0f));
}
static inline __mmask8 v_dot_ge_half(const __m256 d, const __m256 x, const __m256 y, const vecd c)
{
    const __m512d dd = _mm512_cvtps_pd(d);
    const __m512d rhs = _mm512_mul_pd(_mm512_mul_pd(c, _mm512_cvtps_pd(x)), _mm512_cvtps_pd(y));
    return _mm512_cmp_pd_mask(dd, _mm512_setzero_pd(), _CMP_GE_OQ) &
           _mm512_cmp_pd_mask(_mm512_mul_pd(dd, dd), rhs, _CMP_GE_OQ);
}
static inline vmask v_dot_ge(const vecf d, const vecf x, const vecf y, const vecd c)
{
    const __mmask8 lo = v_dot_ge_half(_mm512_castps512_ps256(d), _mm512_castps512_ps256(x),
                                      _mm512_castps512_ps256(y), c);
    const __mmask8 hi = v_dot_ge_half(_mm512_extractf32x8_ps(d, 1), _mm512_extractf32x8_ps(x, 1),
                                      _mm512_extractf32x8_ps(y, 1), c);
    return _mm512_kunpackb(hi, lo);
}
static inline __m256i v_minmax_scaled_half(const __m256i a, const __m256i b, const __mmask8 m,
                                           const vecd s)
{
    const __m512d x = _mm512_mul_pd(_mm512_cvtepi32_pd(a), s), y = _mm512_cvtepi32_pd(b);
    return _mm512_cvttpd_epi32(_mm512_mask_blend_pd(m, _mm512_max_pd(x, y), _mm512_min_pd(x, y)));
}
static inline vec v_minmax_scaled(const vec a, const vec b, const vmask m, const vecd s)
{
    const __m256i lo = v_minmax_scaled_half(_mm512_castsi512_si256(a), _mm512_castsi512_si256(b),
                                            (__mmask8)m, s);
    const __m256i hi = v_minmax_scaled_half(_mm512_extracti64x4_epi64(a, 1),
                                            _mm512_extracti64x4_epi64(b, 1), (__mmask8)(m >> 8), s);
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

#endif /* TVMAF_SRC_FEATURE_X86_VEC_AVX512_H */
