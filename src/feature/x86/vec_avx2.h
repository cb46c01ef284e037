/*
 * The integer vector layer that vif_tmpl.c and motion_tmpl.c are written
 * against, for AVX2. Only the per-ISA static library may include it:
 * it needs that library's -m flags.
 */
#ifndef TVMAF_SRC_FEATURE_X86_VEC_AVX2_H
#define TVMAF_SRC_FEATURE_X86_VEC_AVX2_H

#include <immintrin.h>
#include <stdint.h>

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
static inline vec v_ld_u16w(const uint16_t *const p)
{
    return _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));
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

#endif /* TVMAF_SRC_FEATURE_X86_VEC_AVX2_H */
