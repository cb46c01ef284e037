/*
 * Integer ADM, AVX2 kernels. Bit-exact to the C reference in ../adm.c for
 * every n and every input value; the fixed-point derivations are there and in
 * docs/algorithms.md, section 3. Only the ways the same numbers are
 * reached in vectors are explained here.
 *
 * Recurring devices:
 *  - int16 x int16 sums of two products use madd_epi16, which is exact for
 *    our taps (|tap| < 2^15) and, for the angle test, wraps only at
 *    2 * (-2^15)^2 = 2^31, a value that cannot otherwise occur and is fixed up.
 *  - int64 products come from mul_epi32/mul_epu32 on the even 32-bit lanes;
 *    odd lanes are shifted down first. Where the C result is wrap32(v >> s)
 *    with s <= 32, a logical 64-bit shift gives the same low 32 bits.
 *  - AVX2 has no arithmetic 64-bit shift: floor(v / 2^s) = m ^ ((v ^ m) >> s)
 *    with m the sign mask of v.
 *  - Tails run the full vector on over-read input (adm.h contract) and store
 *    through a stack buffer, so outputs are written at [0, n) only.
 *  - The float steps (angle test, enhancement limit) are the C code's IEEE
 *    operations in the same order, in float or double lanes, never fused.
 */
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "feature/adm.h"
#include "feature/x86/adm.h"

#define LO0 15826
#define LO1 27411
#define LO2 7345
#define LO3 (-4240)
#define LO_SUM 46342

#define I4_ONE_BY_30 143165577
#define I4_ONE_BY_15 286331153

/* Two int16 taps in one 32-bit lane, for madd_epi16. */
static inline __m256i tap_pair(const int a, const int b)
{
    return _mm256_set1_epi32((int32_t)(((uint32_t)(uint16_t)b << 16) | (uint16_t)a));
}

/* wrap16 of each 32-bit lane, sign-extended back to 32 bits. */
static inline __m256i wrap16_32(const __m256i v)
{
    return _mm256_srai_epi32(_mm256_slli_epi32(v, 16), 16);
}

/* Arithmetic right shift of 64-bit lanes (s in [0, 63]). */
static inline __m256i srai64(const __m256i v, const int s)
{
    const __m256i m = _mm256_cmpgt_epi64(_mm256_setzero_si256(), v);
    return _mm256_xor_si256(_mm256_srli_epi64(_mm256_xor_si256(v, m), s), m);
}

/* rnd64() of adm.c on 64-bit lanes. */
static inline __m256i rnd64(const __m256i v, const int s)
{
    if (!s) return v;
    return srai64(_mm256_add_epi64(v, _mm256_set1_epi64x((int64_t)1 << (s - 1))), s);
}

/* Low 32 bits of the 64-bit lanes of e (even pixels) and o (odd pixels), interleaved back. */
static inline __m256i join_lo32(const __m256i e, const __m256i o)
{
    return _mm256_blend_epi32(e, _mm256_slli_epi64(o, 32), 0xAA);
}

/* High 32 bits of the 64-bit lanes of e and o, interleaved back. */
static inline __m256i join_hi32(const __m256i e, const __m256i o)
{
    return _mm256_blend_epi32(_mm256_srli_epi64(e, 32), o, 0xAA);
}

static inline __m256i odd32(const __m256i v)
{
    return _mm256_srli_epi64(v, 32);
}

static inline int64_t hsum64(const __m256i v)
{
    const __m128i s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    return tvmaf_adm_add64(_mm_cvtsi128_si64(s), _mm_extract_epi64(s, 1));
}

/* 8 int32 lanes (int16 values) to 8 int16, in order. */
static inline __m128i pack16(const __m256i v)
{
    return _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
}

static inline __m256i load16to32(const int16_t *const p)
{
    return _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)p));
}

static inline __m256i loadu(const void *const p)
{
    return _mm256_loadu_si256((const __m256i *)p);
}

static inline void storeu(void *const p, const __m256i v)
{
    _mm256_storeu_si256((__m256i *)p, v);
}

/*
 * base[idx] for 8 lanes. Scalar loads instead of vpgatherdd: the ymm gather
 * is several times slower on some AMD cores (measured on Zen: decouple_s0
 * 11.5 us -> 3 us per 770 columns without it), and this is never slower.
 */
static inline __m256i gather8(const int32_t *const base, const __m256i idx)
{
    int32_t ix[8];
    storeu(ix, idx);
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

/* Lane mask of the first `rem` 32-bit lanes (rem in [0, 8]). */
static inline __m256i tail_mask32(const int rem)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(rem), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* --- DWT, scale 0 (dwt_s0_c) --- */

/*
 * Vertical pass on 16 samples. The samples are biased into int16 so that
 * madd_epi16 is exact for any uint16 value: x - bias with bias 2^(b-1) for
 * 8-bit and 2^15 otherwise. The C sums are modulo 2^32, so the bias comes
 * back as a constant: LO_SUM * bias on the lo sum, nothing on the hi sum
 * (its taps sum to 0).
 */
static inline void dwt_s0_vert16(int16_t *const lo, int16_t *const hi, const __m256i x[4],
                                 const __m256i cl, const __m256i ch, const int bpc)
{
    const __m256i l01 = tap_pair(LO0, LO1), l23 = tap_pair(LO2, LO3);
    const __m256i h01 = tap_pair(LO3, -LO2), h23 = tap_pair(LO1, -LO0);
    const __m256i m16 = _mm256_set1_epi32(0xffff);
    /* unpacklo/hi keep 128-bit lanes apart; packus below puts them back in order. */
    const __m256i a0 = _mm256_unpacklo_epi16(x[0], x[1]), a1 = _mm256_unpackhi_epi16(x[0], x[1]);
    const __m256i b0 = _mm256_unpacklo_epi16(x[2], x[3]), b1 = _mm256_unpackhi_epi16(x[2], x[3]);
    __m256i l0 = _mm256_add_epi32(_mm256_madd_epi16(a0, l01), _mm256_madd_epi16(b0, l23));
    __m256i l1 = _mm256_add_epi32(_mm256_madd_epi16(a1, l01), _mm256_madd_epi16(b1, l23));
    __m256i h0 = _mm256_add_epi32(_mm256_madd_epi16(a0, h01), _mm256_madd_epi16(b0, h23));
    __m256i h1 = _mm256_add_epi32(_mm256_madd_epi16(a1, h01), _mm256_madd_epi16(b1, h23));
    const __m128i sh = _mm_cvtsi32_si128(bpc);
    /* wrap16 as a truncation: mask, then packus passes [0, 65535] unchanged. */
    l0 = _mm256_and_si256(_mm256_sra_epi32(_mm256_add_epi32(l0, cl), sh), m16);
    l1 = _mm256_and_si256(_mm256_sra_epi32(_mm256_add_epi32(l1, cl), sh), m16);
    h0 = _mm256_and_si256(_mm256_sra_epi32(_mm256_add_epi32(h0, ch), sh), m16);
    h1 = _mm256_and_si256(_mm256_sra_epi32(_mm256_add_epi32(h1, ch), sh), m16);
    storeu(lo, _mm256_packus_epi32(l0, l1));
    storeu(hi, _mm256_packus_epi32(h0, h1));
}

/* 8 outputs of one horizontal band: taps (t01, t23) on the pairs at row + 2j - 1. */
static inline __m256i dwt_s0_horiz8(const int16_t *const p, const __m256i t01, const __m256i t23)
{
    const __m256i s = _mm256_add_epi32(_mm256_madd_epi16(loadu(p - 1), t01),
                                       _mm256_madd_epi16(loadu(p + 1), t23));
    return _mm256_srai_epi32(_mm256_add_epi32(s, _mm256_set1_epi32(32768)), 16);
}

/* Two 8-lane results (int16 values) to 16 int16 in order. */
static inline __m256i pack16x2(const __m256i a, const __m256i b)
{
    return _mm256_permute4x64_epi64(_mm256_packs_epi32(a, b), 0xD8);
}

TVMAF_ADM_DWT_S0_FN(tvmaf_adm_dwt_s0_avx2)
{
    int16_t *const lo = tmp + 32;
    int16_t *const hi = tmp + TVMAF_ADM_DWT_ROW(w) + 32;
    const uint32_t half = 1u << (bpc - 1);
    const uint32_t bias = bpc == 8 ? half : 32768u;
    const uint32_t offset = (uint32_t)LO_SUM * half - half;
    const __m256i cl = _mm256_set1_epi32((int32_t)((uint32_t)LO_SUM * bias - offset));
    const __m256i ch = _mm256_set1_epi32((int32_t)half);

    if (bpc == 8) {
        const __m256i b = _mm256_set1_epi16(128);
        for (int j = 0; j < w; j += 16) {
            __m256i x[4];
            for (int k = 0; k < 4; k++)
                x[k] = _mm256_sub_epi16(_mm256_cvtepu8_epi16(_mm_loadu_si128(
                                            (const __m128i *)((const uint8_t *)src[k] + j))),
                                        b);
            dwt_s0_vert16(lo + j, hi + j, x, cl, ch, 8);
        }
    } else {
        const __m256i b = _mm256_set1_epi16((int16_t)0x8000);
        for (int j = 0; j < w; j += 16) {
            __m256i x[4];
            for (int k = 0; k < 4; k++)
                x[k] = _mm256_xor_si256(loadu((const uint16_t *)src[k] + j), b);
            dwt_s0_vert16(lo + j, hi + j, x, cl, ch, bpc);
        }
    }
    for (int k = 0; k < 2; k++) {
        int16_t *const row = k ? hi : lo;
        row[-1] = row[tvmaf_adm_mirror(-1, w)];
        row[w] = row[tvmaf_adm_mirror(w, w)];
        row[w + 1] = row[tvmaf_adm_mirror(w + 1, w)];
    }

    const __m256i l01 = tap_pair(LO0, LO1), l23 = tap_pair(LO2, LO3);
    const __m256i h01 = tap_pair(LO3, -LO2), h23 = tap_pair(LO1, -LO0);
    const int nout = (w + 1) / 2;
    for (int j = 0; j < nout; j += 16) {
        const int16_t *const pl = lo + 2 * j, *const ph = hi + 2 * j;
        const __m256i a0 = dwt_s0_horiz8(pl, l01, l23), a1 = dwt_s0_horiz8(pl + 16, l01, l23);
        const __m256i v = pack16x2(dwt_s0_horiz8(pl, h01, h23), dwt_s0_horiz8(pl + 16, h01, h23));
        const __m256i h = pack16x2(dwt_s0_horiz8(ph, l01, l23), dwt_s0_horiz8(ph + 16, l01, l23));
        const __m256i d = pack16x2(dwt_s0_horiz8(ph, h01, h23), dwt_s0_horiz8(ph + 16, h01, h23));
        if (j + 16 <= nout) {
            storeu(a + j, a0);
            storeu(a + j + 8, a1);
            storeu(hvd[0] + j, h);
            storeu(hvd[1] + j, v);
            storeu(hvd[2] + j, d);
        } else {
            const int rem = nout - j;
            int32_t ta[16];
            int16_t t16[3][16];
            storeu(ta, a0);
            storeu(ta + 8, a1);
            storeu(t16[0], h);
            storeu(t16[1], v);
            storeu(t16[2], d);
            memcpy(a + j, ta, rem * sizeof(*a));
            for (int t = 0; t < 3; t++) memcpy(hvd[t] + j, t16[t], rem * sizeof(int16_t));
        }
    }
}

/* --- DWT, scales 1..3 (dwt_s123_c) --- */

/* Sum of taps x lanes as int64, for the even lanes of x[0..3]. */
static inline __m256i taps64(const __m256i x[4], const __m256i t[4])
{
    return _mm256_add_epi64(
        _mm256_add_epi64(_mm256_mul_epi32(x[0], t[0]), _mm256_mul_epi32(x[1], t[1])),
        _mm256_add_epi64(_mm256_mul_epi32(x[2], t[2]), _mm256_mul_epi32(x[3], t[3])));
}

static inline __m256i taps32(const __m256i x[4], const __m256i t[4])
{
    return _mm256_add_epi32(
        _mm256_add_epi32(_mm256_mullo_epi32(x[0], t[0]), _mm256_mullo_epi32(x[1], t[1])),
        _mm256_add_epi32(_mm256_mullo_epi32(x[2], t[2]), _mm256_mullo_epi32(x[3], t[3])));
}

/* wrap32(rnd64(sum, s)) for 8 lanes, s in [1, 32]. */
static inline __m256i taps_rnd(const __m256i x[4], const __m256i t[4], const __m256i rnd,
                               const int s)
{
    const __m256i xo[4] = { odd32(x[0]), odd32(x[1]), odd32(x[2]), odd32(x[3]) };
    const __m256i e = _mm256_srli_epi64(_mm256_add_epi64(taps64(x, t), rnd), s);
    const __m256i o = _mm256_srli_epi64(_mm256_add_epi64(taps64(xo, t), rnd), s);
    return join_lo32(e, o);
}

/* 4 outputs (in the even 64-bit lanes) of one horizontal band at row + 2j - 1. */
static inline __m256i dwt_s123_horiz4(const int32_t *const p, const __m256i t[4],
                                      const __m256i rnd, const int s)
{
    const __m256i x[4] = { loadu(p - 1), loadu(p), loadu(p + 1), loadu(p + 2) };
    return _mm256_srli_epi64(_mm256_add_epi64(taps64(x, t), rnd), s);
}

/* 8 outputs in order from two groups of 4 at row + 2j - 1 and row + 2j + 7. */
static inline __m256i dwt_s123_horiz8(const int32_t *const p, const __m256i t[4],
                                      const __m256i rnd, const int s)
{
    const __m256i e = dwt_s123_horiz4(p, t, rnd, s), o = dwt_s123_horiz4(p + 8, t, rnd, s);
    /* join gives j, j+4, j+1, j+5 | j+2, j+6, j+3, j+7 */
    return _mm256_permutevar8x32_epi32(join_lo32(e, o), _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7));
}

TVMAF_ADM_DWT_S123_FN(tvmaf_adm_dwt_s123_avx2)
{
    static const int vshift[3] = { 0, 16, 16 };
    static const int hshift[3] = { 15, 16, 15 };
    const int vs = vshift[scale - 1], hs = hshift[scale - 1];
    int32_t *const lo = tmp + 32;
    int32_t *const hi = tmp + TVMAF_ADM_DWT_ROW(w) + 32;
    const __m256i tl[4] = { _mm256_set1_epi32(LO0), _mm256_set1_epi32(LO1), _mm256_set1_epi32(LO2),
                            _mm256_set1_epi32(LO3) };
    const __m256i th[4] = { _mm256_set1_epi32(LO3), _mm256_set1_epi32(-LO2),
                            _mm256_set1_epi32(LO1), _mm256_set1_epi32(-LO0) };

    if (vs == 0) {
        /* No shift: wrap32 of the sum is the sum modulo 2^32. */
        for (int j = 0; j < w; j += 8) {
            const __m256i x[4] = { loadu(src[0] + j), loadu(src[1] + j), loadu(src[2] + j),
                                   loadu(src[3] + j) };
            storeu(lo + j, taps32(x, tl));
            storeu(hi + j, taps32(x, th));
        }
    } else {
        const __m256i rnd = _mm256_set1_epi64x((int64_t)1 << (vs - 1));
        for (int j = 0; j < w; j += 8) {
            const __m256i x[4] = { loadu(src[0] + j), loadu(src[1] + j), loadu(src[2] + j),
                                   loadu(src[3] + j) };
            storeu(lo + j, taps_rnd(x, tl, rnd, vs));
            storeu(hi + j, taps_rnd(x, th, rnd, vs));
        }
    }
    for (int k = 0; k < 2; k++) {
        int32_t *const row = k ? hi : lo;
        row[-1] = row[tvmaf_adm_mirror(-1, w)];
        row[w] = row[tvmaf_adm_mirror(w, w)];
        row[w + 1] = row[tvmaf_adm_mirror(w + 1, w)];
    }

    const __m256i rnd = _mm256_set1_epi64x((int64_t)1 << (hs - 1));
    const int nout = (w + 1) / 2;
    for (int j = 0; j < nout; j += 8) {
        const int32_t *const pl = lo + 2 * j, *const ph = hi + 2 * j;
        const __m256i va = dwt_s123_horiz8(pl, tl, rnd, hs);
        const __m256i vv = dwt_s123_horiz8(pl, th, rnd, hs);
        const __m256i vh = dwt_s123_horiz8(ph, tl, rnd, hs);
        const __m256i vd = dwt_s123_horiz8(ph, th, rnd, hs);
        if (j + 8 <= nout) {
            storeu(a + j, va);
            storeu(hvd[0] + j, vh);
            storeu(hvd[1] + j, vv);
            storeu(hvd[2] + j, vd);
        } else {
            const size_t bytes = (size_t)(nout - j) * sizeof(int32_t);
            int32_t t[4][8];
            storeu(t[0], va);
            storeu(t[1], vh);
            storeu(t[2], vv);
            storeu(t[3], vd);
            memcpy(a + j, t[0], bytes);
            for (int k = 0; k < 3; k++) memcpy(hvd[k] + j, t[k + 1], bytes);
        }
    }
}

/* --- decouple + CSF (decouple_s0_c, decouple_s123_c) --- */

/* (float)cos^2(1 deg) promoted to double, as cos_1deg_sq() in adm.c. */
static double cos_1deg_sq(void)
{
    const double c = cos(1.0 * 3.14159265358979323846264338327 / 180.0);
    return (float)(c * c);
}

/*
 * The angle test of angle_within_1deg() on four lanes, from the float values
 * of dp, |o|^2 and |t|^2. Dividing each by 4096 is exact and commutes with
 * every later rounding (no under- or overflow), so it is left out.
 */
static inline __m256d angle4(const __m128 dp, const __m128 om, const __m128 tm, const __m256d c)
{
    const __m256d d = _mm256_cvtps_pd(dp);
    const __m256d rhs = _mm256_mul_pd(_mm256_mul_pd(c, _mm256_cvtps_pd(om)), _mm256_cvtps_pd(tm));
    return _mm256_and_pd(_mm256_cmp_pd(d, _mm256_setzero_pd(), _CMP_GE_OQ),
                         _mm256_cmp_pd(_mm256_mul_pd(d, d), rhs, _CMP_GE_OQ));
}

/* Two 4-lane double masks to one 8-lane 32-bit mask, in order. */
static inline __m256i mask_pd_to_32(const __m256d m0, const __m256d m1)
{
    const __m256i p = _mm256_packs_epi32(_mm256_castpd_si256(m0), _mm256_castpd_si256(m1));
    return _mm256_permute4x64_epi64(p, 0xD8);
}

/* Float value of an int32 lane that holds a sum in [-2^31 + 2^16, 2^31]: the
 * only wrapped value, 2^31, reads as INT32_MIN. */
static inline __m256 cvt_sum_ps(const __m256i v)
{
    const __m256i min = _mm256_set1_epi32(INT32_MIN);
    const __m256 f = _mm256_cvtepi32_ps(v);
    return _mm256_xor_ps(f, _mm256_castsi256_ps(_mm256_and_si256(_mm256_cmpeq_epi32(v, min), min)));
}

static inline __m256i angle8_s0(const __m128i oh, const __m128i ov, const __m128i th,
                                const __m128i tv, const __m256d c)
{
    const __m256i po = _mm256_setr_m128i(_mm_unpacklo_epi16(oh, ov), _mm_unpackhi_epi16(oh, ov));
    const __m256i pt = _mm256_setr_m128i(_mm_unpacklo_epi16(th, tv), _mm_unpackhi_epi16(th, tv));
    const __m256 dp = cvt_sum_ps(_mm256_madd_epi16(po, pt));
    const __m256 om = cvt_sum_ps(_mm256_madd_epi16(po, po));
    const __m256 tm = cvt_sum_ps(_mm256_madd_epi16(pt, pt));
    const __m256d m0 = angle4(_mm256_castps256_ps128(dp), _mm256_castps256_ps128(om),
                              _mm256_castps256_ps128(tm), c);
    const __m256d m1 = angle4(_mm256_extractf128_ps(dp, 1), _mm256_extractf128_ps(om, 1),
                              _mm256_extractf128_ps(tm, 1), c);
    return mask_pd_to_32(m0, m1);
}

/*
 * egl_clamp() of adm.c for one 4-lane half: min/max of (double)r * egl and
 * (double)t, truncated. Returns the clamped value; the caller selects.
 */
static inline __m128i egl4(const __m128i r, const __m128i t, const __m128i pos, const __m256d egl)
{
    const __m256d re = _mm256_mul_pd(_mm256_cvtepi32_pd(r), egl);
    const __m256d td = _mm256_cvtepi32_pd(t);
    const __m256d mn = _mm256_min_pd(re, td), mx = _mm256_max_pd(re, td);
    const __m128i lo = _mm256_cvttpd_epi32(mn), hi = _mm256_cvttpd_epi32(mx);
    return _mm_blendv_epi8(hi, lo, pos);
}

static inline __m256i egl8_double(const __m256i r, const __m256i t, const __m256i pos,
                                  const __m256d egl)
{
    const __m128i e0 = egl4(_mm256_castsi256_si128(r), _mm256_castsi256_si128(t),
                            _mm256_castsi256_si128(pos), egl);
    const __m128i e1 = egl4(_mm256_extracti128_si256(r, 1), _mm256_extracti128_si256(t, 1),
                            _mm256_extracti128_si256(pos, 1), egl);
    return _mm256_setr_m128i(e0, e1);
}

typedef struct DecoupleS0Consts {
    const int32_t *div; /* centred: div[o] for o in [-32768, 32767] */
    __m256d cos1sq, egl;
    __m256i egl_int;    /* egl when it is an integer (then r * egl is exact in int32) */
    int egl_is_int;
    __m256i rf[3], add[3];
    int shift[3];
} DecoupleS0Consts;

/* One orientation of 8 pixels (int32 lanes holding int16 values). */
static inline void decouple_s0_8(__m256i *const r_out, __m256i *const ca_out, __m256i *const cf_out,
                                 const __m256i o, const __m256i d, const __m256i angle,
                                 const DecoupleS0Consts *const kc, const int t)
{
    const __m256i zero = _mm256_setzero_si256();
    const __m256i k32768 = _mm256_set1_epi32(32768);
    const __m256i div = gather8(kc->div, o);
    /* (div * d + 2^14) >> 15 without int64: div = dh * 2^15 + dl, dl in [0, 2^15)
     * and d's high half is its sign, so madd gives dl * d exactly. */
    const __m256i dh = _mm256_srai_epi32(div, 15);
    const __m256i dl = _mm256_and_si256(div, _mm256_set1_epi32(0x7fff));
    __m256i k = _mm256_add_epi32(
        _mm256_mullo_epi32(dh, d),
        _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(dl, d), _mm256_set1_epi32(16384)),
                          15));
    k = _mm256_min_epi32(_mm256_max_epi32(k, zero), k32768);
    const __m256i o0 = _mm256_cmpeq_epi32(o, zero);
    k = _mm256_blendv_epi8(k, k32768, o0);

    __m256i rr = _mm256_srai_epi32(
        _mm256_add_epi32(_mm256_mullo_epi32(k, o), _mm256_set1_epi32(16384)), 15);
    const __m256i pos = _mm256_cmpgt_epi32(o, zero);
    const __m256i use =
        _mm256_andnot_si256(_mm256_or_si256(o0, _mm256_cmpeq_epi32(k, zero)), angle);
    __m256i lim;
    if (kc->egl_is_int) {
        const __m256i re = _mm256_mullo_epi32(rr, kc->egl_int);
        lim = _mm256_blendv_epi8(_mm256_max_epi32(re, d), _mm256_min_epi32(re, d), pos);
    } else {
        lim = egl8_double(rr, d, pos, kc->egl);
    }
    rr = _mm256_blendv_epi8(rr, lim, use);

    const __m256i a = wrap16_32(_mm256_sub_epi32(d, rr));
    const __m256i c = wrap16_32(_mm256_srai_epi32(
        _mm256_add_epi32(_mm256_mullo_epi32(a, kc->rf[t]), kc->add[t]), kc->shift[t]));
    const __m256i cf = wrap16_32(_mm256_srai_epi32(
        _mm256_add_epi32(_mm256_mullo_epi32(_mm256_abs_epi32(c), _mm256_set1_epi32(4369)),
                         _mm256_set1_epi32(2048)),
        12));
    *r_out = rr;
    *ca_out = c;
    *cf_out = cf;
}

static void decouple_s0_consts(DecoupleS0Consts *const k, const TvmafAdmKernelParams *const p)
{
    static const int shift[3] = { 15, 15, 17 };
    static const int32_t add[3] = { 16384, 16384, 65535 };
    const double egl = p->enhn_gain_limit;
    k->div = p->div_lut + 32768;
    k->cos1sq = _mm256_set1_pd(cos_1deg_sq());
    k->egl = _mm256_set1_pd(egl);
    k->egl_is_int = egl == (double)(int)egl;
    k->egl_int = _mm256_set1_epi32((int)egl);
    for (int t = 0; t < 3; t++) {
        k->rf[t] = _mm256_set1_epi32((int32_t)p->rf[t]);
        k->add[t] = _mm256_set1_epi32(add[t]);
        k->shift[t] = shift[t];
    }
}

TVMAF_ADM_DECOUPLE_S0_FN(tvmaf_adm_decouple_s0_avx2)
{
    DecoupleS0Consts k;
    decouple_s0_consts(&k, p);
    for (int j = 0; j < n; j += 8) {
        __m128i o16[3], d16[3];
        for (int t = 0; t < 3; t++) {
            o16[t] = _mm_loadu_si128((const __m128i *)(ref[t] + j));
            d16[t] = _mm_loadu_si128((const __m128i *)(dis[t] + j));
        }
        const __m256i angle = angle8_s0(o16[0], o16[1], d16[0], d16[1], k.cos1sq);
        __m128i out[3][3];
        for (int t = 0; t < 3; t++) {
            __m256i vr, vca, vcf;
            decouple_s0_8(&vr, &vca, &vcf, _mm256_cvtepi16_epi32(o16[t]),
                          _mm256_cvtepi16_epi32(d16[t]), angle, &k, t);
            out[t][0] = pack16(vr);
            out[t][1] = pack16(vca);
            out[t][2] = pack16(vcf);
        }
        if (j + 8 <= n) {
            for (int t = 0; t < 3; t++) {
                _mm_storeu_si128((__m128i *)(r[t] + j), out[t][0]);
                _mm_storeu_si128((__m128i *)(ca[t] + j), out[t][1]);
                _mm_storeu_si128((__m128i *)(cf[t] + j), out[t][2]);
            }
        } else {
            const size_t bytes = (size_t)(n - j) * sizeof(int16_t);
            for (int t = 0; t < 3; t++) {
                int16_t b[3][8];
                for (int q = 0; q < 3; q++) _mm_storeu_si128((__m128i *)b[q], out[t][q]);
                memcpy(r[t] + j, b[0], bytes);
                memcpy(ca[t] + j, b[1], bytes);
                memcpy(cf[t] + j, b[2], bytes);
            }
        }
    }
}

/*
 * AVX2 cannot convert int64 to float, and the angle test needs exactly that
 * rounding of sums up to 2^63, so scales 1..3 keep it scalar (same code as
 * angle_within_1deg() in adm.c); everything after it is vectorised.
 */
static inline int32_t angle_s123(const int64_t oh, const int64_t ov, const int64_t th,
                                 const int64_t tv, const double cos1sq)
{
    const double dp = (float)tvmaf_adm_dot2(oh, th, ov, tv) / 4096.0;
    const double om = (float)tvmaf_adm_dot2(oh, oh, ov, ov) / 4096.0;
    const double tm = (float)tvmaf_adm_dot2(th, th, tv, tv) / 4096.0;
    return -(dp >= 0.0 && dp * dp >= cos1sq * om * tm);
}

TVMAF_ADM_DECOUPLE_S123_FN(tvmaf_adm_decouple_s123_avx2)
{
    const int32_t *const div = p->div_lut + 32768;
    const double cos1sq = cos_1deg_sq();
    const __m256d egl = _mm256_set1_pd(p->enhn_gain_limit);
    const __m256i zero = _mm256_setzero_si256();
    const __m256i k32768 = _mm256_set1_epi32(32768);
    const __m256i k32768_64 = _mm256_set1_epi64x(32768);
    const __m256i lo32 = _mm256_set1_epi64x(0xffffffff);
    const __m256i c30 = _mm256_set1_epi32(I4_ONE_BY_30);
    const __m256i r955 = _mm256_set1_epi64x((int64_t)1 << 31);

    for (int j = 0; j < n; j += 8) {
        int32_t ang[8];
        for (int q = 0; q < 8; q++) {
            /* Lanes past n hold over-read values; they are never stored. */
            ang[q] = angle_s123(ref[0][j + q], ref[1][j + q], dis[0][j + q], dis[1][j + q],
                                cos1sq);
        }
        const __m256i angle = loadu(ang);
        __m256i out[3][3];
        for (int t = 0; t < 3; t++) {
            const __m256i o = loadu(ref[t] + j), d = loadu(dis[t] + j);
            /* gain_s123(): |o| rounded to 15 significant bits, sh = bitlength - 15.
             * (|o| >> 8) < 2^24 converts to float exactly, so its exponent is
             * bitlength(|o|) - 9. */
            const __m256i m0 = _mm256_abs_epi32(o); /* as uint32: 2^31 for INT32_MIN */
            const __m256i big = _mm256_cmpgt_epi32(_mm256_srli_epi32(m0, 15), zero);
            const __m256i ex = _mm256_srli_epi32(
                _mm256_castps_si256(_mm256_cvtepi32_ps(_mm256_srli_epi32(m0, 8))), 23);
            const __m256i sh =
                _mm256_and_si256(_mm256_sub_epi32(ex, _mm256_set1_epi32(127 + 6)), big);
            const __m256i half = _mm256_srli_epi32(_mm256_sllv_epi32(_mm256_set1_epi32(1), sh), 1);
            const __m256i m = _mm256_srlv_epi32(_mm256_add_epi32(m0, half), sh);
            const __m256i sdiv = _mm256_sign_epi32(gather8(div, m), o);

            /* k = clamp((sdiv * d + 2^(14 + sh)) >> (15 + sh), 0, 32768), in int64. */
            const __m256i sh_e = _mm256_and_si256(sh, lo32), sh_o = odd32(sh);
            __m256i kk[2];
            for (int h = 0; h < 2; h++) {
                const __m256i s = h ? sh_o : sh_e;
                const __m256i prod = h ? _mm256_mul_epi32(odd32(sdiv), odd32(d))
                                       : _mm256_mul_epi32(sdiv, d);
                const __m256i v = _mm256_add_epi64(
                    prod, _mm256_sllv_epi64(_mm256_set1_epi64x(1 << 14), s));
                __m256i q = _mm256_srlv_epi64(v, _mm256_add_epi64(s, _mm256_set1_epi64x(15)));
                q = _mm256_blendv_epi8(q, k32768_64, _mm256_cmpgt_epi64(q, k32768_64));
                kk[h] = _mm256_andnot_si256(_mm256_cmpgt_epi64(zero, v), q);
            }
            const __m256i o0 = _mm256_cmpeq_epi32(o, zero);
            const __m256i k = _mm256_blendv_epi8(join_lo32(kk[0], kk[1]), k32768, o0);

            const __m256i rnd14 = _mm256_set1_epi64x(16384);
            __m256i rr = join_lo32(
                _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(k, o), rnd14), 15),
                _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(odd32(k), odd32(o)), rnd14),
                                  15));
            const __m256i pos = _mm256_cmpgt_epi32(o, zero);
            const __m256i use =
                _mm256_andnot_si256(_mm256_or_si256(o0, _mm256_cmpeq_epi32(k, zero)), angle);
            rr = _mm256_blendv_epi8(rr, egl8_double(rr, d, pos, egl), use);

            const __m256i a = _mm256_sub_epi32(d, rr);
            const __m256i rf = _mm256_set1_epi32((int32_t)p->rf[t]);
            const __m256i rnd27 = _mm256_set1_epi64x(1 << 27);
            const __m256i c = join_lo32(
                _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(a, rf), rnd27), 28),
                _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(odd32(a), rf), rnd27), 28));
            /* (C * |c| - 2^31) >> 32: the high half of the 64-bit difference. */
            const __m256i u = _mm256_abs_epi32(c);
            const __m256i vcf = join_hi32(_mm256_sub_epi64(_mm256_mul_epu32(u, c30), r955),
                                          _mm256_sub_epi64(_mm256_mul_epu32(odd32(u), c30), r955));
            out[t][0] = rr;
            out[t][1] = c;
            out[t][2] = vcf;
        }
        if (j + 8 <= n) {
            for (int t = 0; t < 3; t++) {
                storeu(r[t] + j, out[t][0]);
                storeu(ca[t] + j, out[t][1]);
                storeu(cf[t] + j, out[t][2]);
            }
        } else {
            const size_t bytes = (size_t)(n - j) * sizeof(int32_t);
            for (int t = 0; t < 3; t++) {
                int32_t b[3][8];
                for (int q = 0; q < 3; q++) storeu(b[q], out[t][q]);
                memcpy(r[t] + j, b[0], bytes);
                memcpy(ca[t] + j, b[1], bytes);
                memcpy(cf[t] + j, b[2], bytes);
            }
        }
    }
}

/* --- masking and numerator (cm_s0_c, cm_s123_c) --- */

/*
 * The masked cube of one orientation, added to acc: xm = max(|x| - tq, 0)
 * (zeroed in lanes past n, which then add exactly 0), x2 = wrap32(rnd(xm^2, q)),
 * acc += rnd64(x2 * xm, e). Kept in even/odd 64-bit lanes throughout: each
 * step only reads the low 32 bits of a lane.
 */
static inline __m256i cube_acc(__m256i acc, const __m256i xm, const int q, const int e)
{
    const __m256i rq = _mm256_set1_epi64x((int64_t)1 << (q - 1));
    const __m256i xo = odd32(xm);
    const __m256i x2e = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epu32(xm, xm), rq), q);
    const __m256i x2o = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epu32(xo, xo), rq), q);
    acc = _mm256_add_epi64(acc, rnd64(_mm256_mul_epi32(x2e, xm), e));
    return _mm256_add_epi64(acc, rnd64(_mm256_mul_epi32(x2o, xo), e));
}

TVMAF_ADM_CM_S0_FN(tvmaf_adm_cm_s0_avx2)
{
    static const int usub[3] = { 10, 10, 12 };
    static const int qsq[3] = { 29, 29, 30 };
    __m256i acc[3] = { _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256() };
    const __m256i zero = _mm256_setzero_si256();

    for (int j = 0; j < n; j += 8) {
        __m256i thr = zero;
        for (int t = 0; t < 3; t++) {
            const int16_t *const u = cf[t][0] + j, *const m = cf[t][1] + j, *const b = cf[t][2] + j;
            const __m256i s0 =
                _mm256_add_epi32(_mm256_add_epi32(load16to32(u - 1), load16to32(u)),
                                 _mm256_add_epi32(load16to32(u + 1), load16to32(m - 1)));
            const __m256i s1 =
                _mm256_add_epi32(_mm256_add_epi32(load16to32(m + 1), load16to32(b - 1)),
                                 _mm256_add_epi32(load16to32(b), load16to32(b + 1)));
            const __m256i cen = wrap16_32(_mm256_srai_epi32(
                _mm256_add_epi32(_mm256_mullo_epi32(_mm256_abs_epi32(load16to32(ca[t] + j)),
                                                    _mm256_set1_epi32(8738)),
                                 _mm256_set1_epi32(2048)),
                12));
            thr = _mm256_add_epi32(thr, _mm256_add_epi32(_mm256_add_epi32(s0, s1), cen));
        }
        const __m256i live = j + 8 <= n ? _mm256_set1_epi32(-1) : tail_mask32(n - j);
        for (int t = 0; t < 3; t++) {
            const __m256i x =
                _mm256_mullo_epi32(load16to32(r[t] + j), _mm256_set1_epi32((int32_t)p->rf[t]));
            __m256i xm = _mm256_sub_epi32(_mm256_abs_epi32(x), _mm256_slli_epi32(thr, usub[t]));
            xm = _mm256_and_si256(_mm256_max_epi32(xm, zero), live);
            acc[t] = cube_acc(acc[t], xm, qsq[t], p->cube_shift[t]);
        }
    }
    for (int t = 0; t < 3; t++) sum[t] = hsum64(acc[t]);
}

TVMAF_ADM_CM_S123_FN(tvmaf_adm_cm_s123_avx2)
{
    __m256i acc[3] = { _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256() };
    const __m256i zero = _mm256_setzero_si256();
    const __m256i c15 = _mm256_set1_epi32(I4_ONE_BY_15);
    const __m256i r955 = _mm256_set1_epi64x((int64_t)1 << 31);
    const __m256i rnd27 = _mm256_set1_epi64x(1 << 27);

    for (int j = 0; j < n; j += 8) {
        __m256i thr = zero;
        for (int t = 0; t < 3; t++) {
            const int32_t *const u = cf[t][0] + j, *const m = cf[t][1] + j, *const b = cf[t][2] + j;
            const __m256i s0 = _mm256_add_epi32(_mm256_add_epi32(loadu(u - 1), loadu(u)),
                                                _mm256_add_epi32(loadu(u + 1), loadu(m - 1)));
            const __m256i s1 = _mm256_add_epi32(_mm256_add_epi32(loadu(m + 1), loadu(b - 1)),
                                                _mm256_add_epi32(loadu(b), loadu(b + 1)));
            const __m256i uc = _mm256_abs_epi32(loadu(ca[t] + j));
            const __m256i cen = join_hi32(_mm256_sub_epi64(_mm256_mul_epu32(uc, c15), r955),
                                          _mm256_sub_epi64(_mm256_mul_epu32(odd32(uc), c15), r955));
            thr = _mm256_add_epi32(thr, _mm256_add_epi32(_mm256_add_epi32(s0, s1), cen));
        }
        const __m256i live = j + 8 <= n ? _mm256_set1_epi32(-1) : tail_mask32(n - j);
        for (int t = 0; t < 3; t++) {
            const __m256i rv = loadu(r[t] + j);
            const __m256i rf = _mm256_set1_epi32((int32_t)p->rf[t]);
            const __m256i x = join_lo32(
                _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(rv, rf), rnd27), 28),
                _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(odd32(rv), rf), rnd27), 28));
            __m256i xm = _mm256_sub_epi32(_mm256_abs_epi32(x), thr);
            xm = _mm256_and_si256(_mm256_max_epi32(xm, zero), live);
            acc[t] = cube_acc(acc[t], xm, 30, p->cube_shift[t]);
        }
    }
    for (int t = 0; t < 3; t++) sum[t] = hsum64(acc[t]);
}

/* --- denominator (den_s0_c, den_s123_c) --- */

TVMAF_ADM_DEN_S0_FN(tvmaf_adm_den_s0_avx2)
{
    (void)p;
    __m256i acc[3] = { _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256() };
    for (int j = 0; j < n; j += 8) {
        const __m256i live = j + 8 <= n ? _mm256_set1_epi32(-1) : tail_mask32(n - j);
        for (int t = 0; t < 3; t++) {
            /* |o| <= 2^15, so |o|^2 fits 32 bits and the cube 64. */
            const __m256i v = _mm256_and_si256(_mm256_abs_epi32(load16to32(o[t] + j)), live);
            const __m256i v2 = _mm256_mullo_epi32(v, v);
            acc[t] = _mm256_add_epi64(acc[t], _mm256_mul_epu32(v2, v));
            acc[t] = _mm256_add_epi64(acc[t], _mm256_mul_epu32(odd32(v2), odd32(v)));
        }
    }
    for (int t = 0; t < 3; t++) sum[t] = (uint64_t)hsum64(acc[t]);
}

/* rndu64(((v * v + 2^q) >> q) * v, e) on the even lanes of v. The square can
 * reach 2^32 + 1 (v = 2^31, q = 30), so its high half is multiplied in too. */
static inline __m256i den_s123_term(const __m256i v, const int q, const __m256i addq,
                                    const __m256i adde, const int e)
{
    const __m256i sq = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epu32(v, v), addq), q);
    const __m256i c = _mm256_add_epi64(_mm256_mul_epu32(sq, v),
                                       _mm256_slli_epi64(_mm256_mul_epu32(odd32(sq), v), 32));
    return _mm256_srli_epi64(_mm256_add_epi64(c, adde), e);
}

TVMAF_ADM_DEN_S123_FN(tvmaf_adm_den_s123_avx2)
{
    const int q = p->den_sq_shift, e = p->den_cube_shift;
    const __m256i addq = _mm256_set1_epi64x((int64_t)((uint64_t)1 << q));
    const __m256i adde = _mm256_set1_epi64x(e ? (int64_t)1 << (e - 1) : 0);
    __m256i acc[3] = { _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256() };
    for (int j = 0; j < n; j += 8) {
        const __m256i live = j + 8 <= n ? _mm256_set1_epi32(-1) : tail_mask32(n - j);
        for (int t = 0; t < 3; t++) {
            const __m256i v = _mm256_and_si256(_mm256_abs_epi32(loadu(o[t] + j)), live);
            acc[t] = _mm256_add_epi64(acc[t], den_s123_term(v, q, addq, adde, e));
            acc[t] = _mm256_add_epi64(acc[t], den_s123_term(odd32(v), q, addq, adde, e));
        }
    }
    for (int t = 0; t < 3; t++) sum[t] = (uint64_t)hsum64(acc[t]);
}
