/*
 * Integer ADM, AVX-512 (F/BW/DQ/VL) kernels. Bit-exact to the C reference
 * in ../adm.c for every n and every input value; the fixed-point derivations
 * are there and in docs/algorithms.md, section 3. The vector devices
 * are those of adm_avx2.c (read its header comment first); what AVX-512 adds:
 *  - arithmetic and variable 64-bit shifts and 64-bit min/max for the
 *    scale 1..3 gain;
 *  - int64 -> float conversion (DQ) with the same rounding as the C cast, so
 *    the scale 1..3 angle test is vectorised too;
 *  - truncating narrowing stores (vpmovdw), which are the C int16 wraps;
 *  - masked stores for tails.
 */
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "feature/adm.h"
#include "feature/x86/adm.h"

/* _mm512_reduce_add_epi64 is written with signed C additions in GCC's
 * header; this sums the lanes with modular vector adds instead. */
static inline int64_t hsum512_64(const __m512i v)
{
    const __m256i h = _mm256_add_epi64(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
    const __m128i q = _mm_add_epi64(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
    return tvmaf_adm_add64(_mm_cvtsi128_si64(q), _mm_extract_epi64(q, 1));
}

#define LO0 15826
#define LO1 27411
#define LO2 7345
#define LO3 (-4240)
#define LO_SUM 46342

#define I4_ONE_BY_30 143165577
#define I4_ONE_BY_15 286331153

static inline __m512i tap_pair(const int a, const int b)
{
    return _mm512_set1_epi32((int32_t)(((uint32_t)(uint16_t)b << 16) | (uint16_t)a));
}

static inline __m512i wrap16_32(const __m512i v)
{
    return _mm512_srai_epi32(_mm512_slli_epi32(v, 16), 16);
}

static inline __m512i rnd64(const __m512i v, const int s)
{
    if (!s) return v;
    return _mm512_srai_epi64(_mm512_add_epi64(v, _mm512_set1_epi64((int64_t)1 << (s - 1))), s);
}

static inline __m512i odd32(const __m512i v)
{
    return _mm512_srli_epi64(v, 32);
}

static inline __m512i join_lo32(const __m512i e, const __m512i o)
{
    return _mm512_mask_blend_epi32(0xAAAA, e, _mm512_slli_epi64(o, 32));
}

static inline __m512i join_hi32(const __m512i e, const __m512i o)
{
    return _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(e, 32), o);
}

static inline __m512i loadu(const void *const p)
{
    return _mm512_loadu_si512(p);
}

static inline __m512i load16to32(const int16_t *const p)
{
    return _mm512_cvtepi16_epi32(_mm256_loadu_si256((const __m256i *)p));
}

static inline __mmask16 tail16(const int n, const int j)
{
    return n - j >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - j)) - 1);
}

/* --- DWT, scale 0 (dwt_s0_c; bias and madd as in adm_avx2.c) --- */

static inline void dwt_s0_vert32(int16_t *const lo, int16_t *const hi, const __m512i x[4],
                                 const __m512i cl, const __m512i ch, const int bpc)
{
    const __m512i l01 = tap_pair(LO0, LO1), l23 = tap_pair(LO2, LO3);
    const __m512i h01 = tap_pair(LO3, -LO2), h23 = tap_pair(LO1, -LO0);
    const __m512i m16 = _mm512_set1_epi32(0xffff);
    const __m512i a0 = _mm512_unpacklo_epi16(x[0], x[1]), a1 = _mm512_unpackhi_epi16(x[0], x[1]);
    const __m512i b0 = _mm512_unpacklo_epi16(x[2], x[3]), b1 = _mm512_unpackhi_epi16(x[2], x[3]);
    __m512i l0 = _mm512_add_epi32(_mm512_madd_epi16(a0, l01), _mm512_madd_epi16(b0, l23));
    __m512i l1 = _mm512_add_epi32(_mm512_madd_epi16(a1, l01), _mm512_madd_epi16(b1, l23));
    __m512i h0 = _mm512_add_epi32(_mm512_madd_epi16(a0, h01), _mm512_madd_epi16(b0, h23));
    __m512i h1 = _mm512_add_epi32(_mm512_madd_epi16(a1, h01), _mm512_madd_epi16(b1, h23));
    const __m128i sh = _mm_cvtsi32_si128(bpc);
    l0 = _mm512_and_si512(_mm512_sra_epi32(_mm512_add_epi32(l0, cl), sh), m16);
    l1 = _mm512_and_si512(_mm512_sra_epi32(_mm512_add_epi32(l1, cl), sh), m16);
    h0 = _mm512_and_si512(_mm512_sra_epi32(_mm512_add_epi32(h0, ch), sh), m16);
    h1 = _mm512_and_si512(_mm512_sra_epi32(_mm512_add_epi32(h1, ch), sh), m16);
    _mm512_storeu_si512(lo, _mm512_packus_epi32(l0, l1));
    _mm512_storeu_si512(hi, _mm512_packus_epi32(h0, h1));
}

static inline __m512i dwt_s0_horiz16(const int16_t *const p, const __m512i t01, const __m512i t23)
{
    const __m512i s = _mm512_add_epi32(_mm512_madd_epi16(loadu(p - 1), t01),
                                       _mm512_madd_epi16(loadu(p + 1), t23));
    return _mm512_srai_epi32(_mm512_add_epi32(s, _mm512_set1_epi32(32768)), 16);
}

TVMAF_ADM_DWT_S0_FN(tvmaf_adm_dwt_s0_avx512)
{
    int16_t *const lo = tmp + 32;
    int16_t *const hi = tmp + TVMAF_ADM_DWT_ROW(w) + 32;
    const uint32_t half = 1u << (bpc - 1);
    const uint32_t bias = bpc == 8 ? half : 32768u;
    const uint32_t offset = (uint32_t)LO_SUM * half - half;
    const __m512i cl = _mm512_set1_epi32((int32_t)((uint32_t)LO_SUM * bias - offset));
    const __m512i ch = _mm512_set1_epi32((int32_t)half);

    if (bpc == 8) {
        const __m512i b = _mm512_set1_epi16(128);
        for (int j = 0; j < w; j += 32) {
            __m512i x[4];
            for (int k = 0; k < 4; k++)
                x[k] = _mm512_sub_epi16(_mm512_cvtepu8_epi16(_mm256_loadu_si256(
                                            (const __m256i *)((const uint8_t *)src[k] + j))),
                                        b);
            dwt_s0_vert32(lo + j, hi + j, x, cl, ch, 8);
        }
    } else {
        const __m512i b = _mm512_set1_epi16((int16_t)0x8000);
        for (int j = 0; j < w; j += 32) {
            __m512i x[4];
            for (int k = 0; k < 4; k++)
                x[k] = _mm512_xor_si512(loadu((const uint16_t *)src[k] + j), b);
            dwt_s0_vert32(lo + j, hi + j, x, cl, ch, bpc);
        }
    }
    for (int k = 0; k < 2; k++) {
        int16_t *const row = k ? hi : lo;
        row[-1] = row[tvmaf_adm_mirror(-1, w)];
        row[w] = row[tvmaf_adm_mirror(w, w)];
        row[w + 1] = row[tvmaf_adm_mirror(w + 1, w)];
    }

    const __m512i l01 = tap_pair(LO0, LO1), l23 = tap_pair(LO2, LO3);
    const __m512i h01 = tap_pair(LO3, -LO2), h23 = tap_pair(LO1, -LO0);
    const int nout = (w + 1) / 2;
    for (int j = 0; j < nout; j += 16) {
        const int16_t *const pl = lo + 2 * j, *const ph = hi + 2 * j;
        const __mmask16 m = tail16(nout, j);
        _mm512_mask_storeu_epi32(a + j, m, dwt_s0_horiz16(pl, l01, l23));
        /* The results are int16 values: the truncating store is exact. */
        _mm512_mask_cvtepi32_storeu_epi16(hvd[1] + j, m, dwt_s0_horiz16(pl, h01, h23));
        _mm512_mask_cvtepi32_storeu_epi16(hvd[0] + j, m, dwt_s0_horiz16(ph, l01, l23));
        _mm512_mask_cvtepi32_storeu_epi16(hvd[2] + j, m, dwt_s0_horiz16(ph, h01, h23));
    }
}

/* --- DWT, scales 1..3 (dwt_s123_c) --- */

static inline __m512i taps64(const __m512i x[4], const __m512i t[4])
{
    return _mm512_add_epi64(
        _mm512_add_epi64(_mm512_mul_epi32(x[0], t[0]), _mm512_mul_epi32(x[1], t[1])),
        _mm512_add_epi64(_mm512_mul_epi32(x[2], t[2]), _mm512_mul_epi32(x[3], t[3])));
}

static inline __m512i taps32(const __m512i x[4], const __m512i t[4])
{
    return _mm512_add_epi32(
        _mm512_add_epi32(_mm512_mullo_epi32(x[0], t[0]), _mm512_mullo_epi32(x[1], t[1])),
        _mm512_add_epi32(_mm512_mullo_epi32(x[2], t[2]), _mm512_mullo_epi32(x[3], t[3])));
}

static inline __m512i taps_rnd(const __m512i x[4], const __m512i t[4], const __m512i rnd,
                               const int s)
{
    const __m512i xo[4] = { odd32(x[0]), odd32(x[1]), odd32(x[2]), odd32(x[3]) };
    const __m512i e = _mm512_srli_epi64(_mm512_add_epi64(taps64(x, t), rnd), s);
    const __m512i o = _mm512_srli_epi64(_mm512_add_epi64(taps64(xo, t), rnd), s);
    return join_lo32(e, o);
}

/* 8 outputs (even 64-bit lanes) at row + 2j - 1, narrowed to int32. */
static inline __m256i dwt_s123_horiz8(const int32_t *const p, const __m512i t[4],
                                      const __m512i rnd, const int s)
{
    const __m512i x[4] = { loadu(p - 1), loadu(p), loadu(p + 1), loadu(p + 2) };
    return _mm512_cvtepi64_epi32(_mm512_srli_epi64(_mm512_add_epi64(taps64(x, t), rnd), s));
}

static inline __m512i dwt_s123_horiz16(const int32_t *const p, const __m512i t[4],
                                       const __m512i rnd, const int s)
{
    return _mm512_inserti64x4(_mm512_castsi256_si512(dwt_s123_horiz8(p, t, rnd, s)),
                              dwt_s123_horiz8(p + 16, t, rnd, s), 1);
}

TVMAF_ADM_DWT_S123_FN(tvmaf_adm_dwt_s123_avx512)
{
    static const int vshift[3] = { 0, 16, 16 };
    static const int hshift[3] = { 15, 16, 15 };
    const int vs = vshift[scale - 1], hs = hshift[scale - 1];
    int32_t *const lo = tmp + 32;
    int32_t *const hi = tmp + TVMAF_ADM_DWT_ROW(w) + 32;
    const __m512i tl[4] = { _mm512_set1_epi32(LO0), _mm512_set1_epi32(LO1), _mm512_set1_epi32(LO2),
                            _mm512_set1_epi32(LO3) };
    const __m512i th[4] = { _mm512_set1_epi32(LO3), _mm512_set1_epi32(-LO2),
                            _mm512_set1_epi32(LO1), _mm512_set1_epi32(-LO0) };

    if (vs == 0) {
        for (int j = 0; j < w; j += 16) {
            const __m512i x[4] = { loadu(src[0] + j), loadu(src[1] + j), loadu(src[2] + j),
                                   loadu(src[3] + j) };
            _mm512_storeu_si512(lo + j, taps32(x, tl));
            _mm512_storeu_si512(hi + j, taps32(x, th));
        }
    } else {
        const __m512i rnd = _mm512_set1_epi64((int64_t)1 << (vs - 1));
        for (int j = 0; j < w; j += 16) {
            const __m512i x[4] = { loadu(src[0] + j), loadu(src[1] + j), loadu(src[2] + j),
                                   loadu(src[3] + j) };
            _mm512_storeu_si512(lo + j, taps_rnd(x, tl, rnd, vs));
            _mm512_storeu_si512(hi + j, taps_rnd(x, th, rnd, vs));
        }
    }
    for (int k = 0; k < 2; k++) {
        int32_t *const row = k ? hi : lo;
        row[-1] = row[tvmaf_adm_mirror(-1, w)];
        row[w] = row[tvmaf_adm_mirror(w, w)];
        row[w + 1] = row[tvmaf_adm_mirror(w + 1, w)];
    }

    const __m512i rnd = _mm512_set1_epi64((int64_t)1 << (hs - 1));
    const int nout = (w + 1) / 2;
    for (int j = 0; j < nout; j += 16) {
        const int32_t *const pl = lo + 2 * j, *const ph = hi + 2 * j;
        const __mmask16 m = tail16(nout, j);
        _mm512_mask_storeu_epi32(a + j, m, dwt_s123_horiz16(pl, tl, rnd, hs));
        _mm512_mask_storeu_epi32(hvd[1] + j, m, dwt_s123_horiz16(pl, th, rnd, hs));
        _mm512_mask_storeu_epi32(hvd[0] + j, m, dwt_s123_horiz16(ph, tl, rnd, hs));
        _mm512_mask_storeu_epi32(hvd[2] + j, m, dwt_s123_horiz16(ph, th, rnd, hs));
    }
}

/* --- decouple + CSF (decouple_s0_c, decouple_s123_c) --- */

static double cos_1deg_sq(void)
{
    const double c = cos(1.0 * 3.14159265358979323846264338327 / 180.0);
    return (float)(c * c);
}

/* Angle test on 8 lanes from the float dp, |o|^2, |t|^2 (the /4096 left out,
 * see adm_avx2.c). */
static inline __mmask8 angle8(const __m256 dp, const __m256 om, const __m256 tm, const __m512d c)
{
    const __m512d d = _mm512_cvtps_pd(dp);
    const __m512d rhs = _mm512_mul_pd(_mm512_mul_pd(c, _mm512_cvtps_pd(om)), _mm512_cvtps_pd(tm));
    return _mm512_cmp_pd_mask(d, _mm512_setzero_pd(), _CMP_GE_OQ) &
           _mm512_cmp_pd_mask(_mm512_mul_pd(d, d), rhs, _CMP_GE_OQ);
}

/* Float of an int32 sum in [-2^31 + 2^16, 2^31]; 2^31 reads as INT32_MIN. */
static inline __m512 cvt_sum_ps(const __m512i v)
{
    return _mm512_mask_mov_ps(_mm512_cvtepi32_ps(v),
                              _mm512_cmpeq_epi32_mask(v, _mm512_set1_epi32(INT32_MIN)),
                              _mm512_set1_ps(2147483648.0f));
}

static inline __mmask16 angle16_s0(const __m512i oh, const __m512i ov, const __m512i th,
                                   const __m512i tv, const __m512d c)
{
    const __m512i po = _mm512_mask_blend_epi16(0xAAAAAAAA, oh, _mm512_slli_epi32(ov, 16));
    const __m512i pt = _mm512_mask_blend_epi16(0xAAAAAAAA, th, _mm512_slli_epi32(tv, 16));
    const __m512 dp = cvt_sum_ps(_mm512_madd_epi16(po, pt));
    const __m512 om = cvt_sum_ps(_mm512_madd_epi16(po, po));
    const __m512 tm = cvt_sum_ps(_mm512_madd_epi16(pt, pt));
    const __mmask8 m0 = angle8(_mm512_castps512_ps256(dp), _mm512_castps512_ps256(om),
                               _mm512_castps512_ps256(tm), c);
    const __mmask8 m1 = angle8(_mm512_extractf32x8_ps(dp, 1), _mm512_extractf32x8_ps(om, 1),
                               _mm512_extractf32x8_ps(tm, 1), c);
    return _mm512_kunpackb(m1, m0);
}

/* egl_clamp() of adm.c in double lanes: min (o > 0) or max of r * egl and t, truncated. */
static inline __m256i egl8(const __m256i r, const __m256i t, const __mmask8 pos, const __m512d egl)
{
    const __m512d re = _mm512_mul_pd(_mm512_cvtepi32_pd(r), egl);
    const __m512d td = _mm512_cvtepi32_pd(t);
    return _mm512_cvttpd_epi32(
        _mm512_mask_blend_pd(pos, _mm512_max_pd(re, td), _mm512_min_pd(re, td)));
}

static inline __m512i egl16_double(const __m512i r, const __m512i t, const __mmask16 pos,
                                   const __m512d egl)
{
    const __m256i lo =
        egl8(_mm512_castsi512_si256(r), _mm512_castsi512_si256(t), (__mmask8)pos, egl);
    const __m256i hi = egl8(_mm512_extracti64x4_epi64(r, 1), _mm512_extracti64x4_epi64(t, 1),
                            (__mmask8)(pos >> 8), egl);
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

TVMAF_ADM_DECOUPLE_S0_FN(tvmaf_adm_decouple_s0_avx512)
{
    static const int shift[3] = { 15, 15, 17 };
    static const int32_t add[3] = { 16384, 16384, 65535 };
    const int32_t *const div = p->div_lut + 32768;
    const __m512d cos1sq = _mm512_set1_pd(cos_1deg_sq());
    const double eglv = p->enhn_gain_limit;
    const __m512d egl = _mm512_set1_pd(eglv);
    const int egl_is_int = eglv == (double)(int)eglv;
    const __m512i egl_int = _mm512_set1_epi32((int)eglv);
    const __m512i zero = _mm512_setzero_si512();
    const __m512i k32768 = _mm512_set1_epi32(32768);

    for (int j = 0; j < n; j += 16) {
        const __mmask16 live = tail16(n, j);
        __m512i o[3], d[3];
        for (int t = 0; t < 3; t++) {
            o[t] = load16to32(ref[t] + j);
            d[t] = load16to32(dis[t] + j);
        }
        const __mmask16 angle = angle16_s0(o[0], o[1], d[0], d[1], cos1sq);
        for (int t = 0; t < 3; t++) {
            const __m512i div_o = _mm512_i32gather_epi32(o[t], div, 4);
            /* (div * d + 2^14) >> 15 in int32, as in adm_avx2.c. */
            const __m512i dh = _mm512_srai_epi32(div_o, 15);
            const __m512i dl = _mm512_and_si512(div_o, _mm512_set1_epi32(0x7fff));
            __m512i k = _mm512_add_epi32(
                _mm512_mullo_epi32(dh, d[t]),
                _mm512_srai_epi32(_mm512_add_epi32(_mm512_madd_epi16(dl, d[t]),
                                                   _mm512_set1_epi32(16384)),
                                  15));
            k = _mm512_min_epi32(_mm512_max_epi32(k, zero), k32768);
            const __mmask16 o0 = _mm512_cmpeq_epi32_mask(o[t], zero);
            k = _mm512_mask_mov_epi32(k, o0, k32768);

            __m512i rr = _mm512_srai_epi32(
                _mm512_add_epi32(_mm512_mullo_epi32(k, o[t]), _mm512_set1_epi32(16384)), 15);
            const __mmask16 pos = _mm512_cmpgt_epi32_mask(o[t], zero);
            const __mmask16 use = angle & ~o0 & _mm512_cmpneq_epi32_mask(k, zero);
            __m512i lim;
            if (egl_is_int) {
                const __m512i re = _mm512_mullo_epi32(rr, egl_int);
                lim = _mm512_mask_blend_epi32(pos, _mm512_max_epi32(re, d[t]),
                                              _mm512_min_epi32(re, d[t]));
            } else {
                lim = egl16_double(rr, d[t], pos, egl);
            }
            rr = _mm512_mask_mov_epi32(rr, use, lim);

            const __m512i a = wrap16_32(_mm512_sub_epi32(d[t], rr));
            const __m512i c = wrap16_32(_mm512_srai_epi32(
                _mm512_add_epi32(_mm512_mullo_epi32(a, _mm512_set1_epi32((int32_t)p->rf[t])),
                                 _mm512_set1_epi32(add[t])),
                shift[t]));
            /* cf is only stored: the truncating store is its wrap16. */
            const __m512i vcf = _mm512_srai_epi32(
                _mm512_add_epi32(_mm512_mullo_epi32(_mm512_abs_epi32(c), _mm512_set1_epi32(4369)),
                                 _mm512_set1_epi32(2048)),
                12);
            _mm512_mask_cvtepi32_storeu_epi16(r[t] + j, live, rr);
            _mm512_mask_cvtepi32_storeu_epi16(ca[t] + j, live, c);
            _mm512_mask_cvtepi32_storeu_epi16(cf[t] + j, live, vcf);
        }
    }
}

/* Angle test of 8 scale 1..3 pixels: the int64 sums and their int64 -> float
 * conversion are exactly the C expressions (wrapping where C would overflow). */
static inline __mmask8 angle8_s123(const int32_t *const oh, const int32_t *const ov,
                                   const int32_t *const th, const int32_t *const tv,
                                   const __m512d c)
{
    const __m512i a = _mm512_cvtepi32_epi64(_mm256_loadu_si256((const __m256i *)oh));
    const __m512i b = _mm512_cvtepi32_epi64(_mm256_loadu_si256((const __m256i *)ov));
    const __m512i x = _mm512_cvtepi32_epi64(_mm256_loadu_si256((const __m256i *)th));
    const __m512i y = _mm512_cvtepi32_epi64(_mm256_loadu_si256((const __m256i *)tv));
    const __m512i dp = _mm512_add_epi64(_mm512_mul_epi32(a, x), _mm512_mul_epi32(b, y));
    const __m512i om = _mm512_add_epi64(_mm512_mul_epi32(a, a), _mm512_mul_epi32(b, b));
    const __m512i tm = _mm512_add_epi64(_mm512_mul_epi32(x, x), _mm512_mul_epi32(y, y));
    return angle8(_mm512_cvtepi64_ps(dp), _mm512_cvtepi64_ps(om), _mm512_cvtepi64_ps(tm), c);
}

TVMAF_ADM_DECOUPLE_S123_FN(tvmaf_adm_decouple_s123_avx512)
{
    const int32_t *const div = p->div_lut + 32768;
    const __m512d cos1sq = _mm512_set1_pd(cos_1deg_sq());
    const __m512d egl = _mm512_set1_pd(p->enhn_gain_limit);
    const __m512i zero = _mm512_setzero_si512();
    const __m512i k32768 = _mm512_set1_epi32(32768);
    const __m512i k32768_64 = _mm512_set1_epi64(32768);
    const __m512i lo32 = _mm512_set1_epi64(0xffffffff);
    const __m512i c30 = _mm512_set1_epi32(I4_ONE_BY_30);
    const __m512i r955 = _mm512_set1_epi64((int64_t)1 << 31);
    const __m512i rnd14 = _mm512_set1_epi64(16384);
    const __m512i rnd27 = _mm512_set1_epi64(1 << 27);

    for (int j = 0; j < n; j += 16) {
        const __mmask16 live = tail16(n, j);
        const __mmask16 angle = _mm512_kunpackb(
            angle8_s123(ref[0] + j + 8, ref[1] + j + 8, dis[0] + j + 8, dis[1] + j + 8, cos1sq),
            angle8_s123(ref[0] + j, ref[1] + j, dis[0] + j, dis[1] + j, cos1sq));
        for (int t = 0; t < 3; t++) {
            const __m512i o = loadu(ref[t] + j), d = loadu(dis[t] + j);
            /* gain_s123(): |o| rounded to its top 15 bits; bitlength from the
             * exact float exponent of |o| >> 8, as in adm_avx2.c. */
            const __m512i m0 = _mm512_abs_epi32(o); /* as uint32 */
            const __m512i ex = _mm512_srli_epi32(
                _mm512_castps_si512(_mm512_cvtepi32_ps(_mm512_srli_epi32(m0, 8))), 23);
            const __m512i sh =
                _mm512_maskz_sub_epi32(_mm512_cmpgt_epu32_mask(m0, _mm512_set1_epi32(32767)), ex,
                                       _mm512_set1_epi32(127 + 6));
            const __m512i half = _mm512_srli_epi32(_mm512_sllv_epi32(_mm512_set1_epi32(1), sh), 1);
            const __m512i m = _mm512_srlv_epi32(_mm512_add_epi32(m0, half), sh);
            const __m512i dv = _mm512_i32gather_epi32(m, div, 4);
            const __m512i sdiv =
                _mm512_mask_sub_epi32(dv, _mm512_cmplt_epi32_mask(o, zero), zero, dv);

            __m512i kk[2];
            for (int h = 0; h < 2; h++) {
                const __m512i s = h ? odd32(sh) : _mm512_and_si512(sh, lo32);
                const __m512i prod =
                    h ? _mm512_mul_epi32(odd32(sdiv), odd32(d)) : _mm512_mul_epi32(sdiv, d);
                const __m512i v =
                    _mm512_add_epi64(prod, _mm512_sllv_epi64(_mm512_set1_epi64(1 << 14), s));
                const __m512i q = _mm512_srav_epi64(v, _mm512_add_epi64(s, _mm512_set1_epi64(15)));
                kk[h] = _mm512_min_epi64(_mm512_max_epi64(q, zero), k32768_64);
            }
            const __mmask16 o0 = _mm512_cmpeq_epi32_mask(o, zero);
            const __m512i k = _mm512_mask_mov_epi32(join_lo32(kk[0], kk[1]), o0, k32768);

            __m512i rr =
                join_lo32(_mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epi32(k, o), rnd14), 15),
                          _mm512_srli_epi64(
                              _mm512_add_epi64(_mm512_mul_epi32(odd32(k), odd32(o)), rnd14), 15));
            const __mmask16 pos = _mm512_cmpgt_epi32_mask(o, zero);
            const __mmask16 use = angle & ~o0 & _mm512_cmpneq_epi32_mask(k, zero);
            rr = _mm512_mask_mov_epi32(rr, use, egl16_double(rr, d, pos, egl));

            const __m512i a = _mm512_sub_epi32(d, rr);
            const __m512i rf = _mm512_set1_epi32((int32_t)p->rf[t]);
            const __m512i c = join_lo32(
                _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epi32(a, rf), rnd27), 28),
                _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epi32(odd32(a), rf), rnd27), 28));
            const __m512i u = _mm512_abs_epi32(c);
            const __m512i vcf = join_hi32(_mm512_sub_epi64(_mm512_mul_epu32(u, c30), r955),
                                          _mm512_sub_epi64(_mm512_mul_epu32(odd32(u), c30), r955));
            _mm512_mask_storeu_epi32(r[t] + j, live, rr);
            _mm512_mask_storeu_epi32(ca[t] + j, live, c);
            _mm512_mask_storeu_epi32(cf[t] + j, live, vcf);
        }
    }
}

/* --- masking and numerator (cm_s0_c, cm_s123_c) --- */

/* As cube_acc() in adm_avx2.c. */
static inline __m512i cube_acc(__m512i acc, const __m512i xm, const int q, const int e)
{
    const __m512i rq = _mm512_set1_epi64((int64_t)1 << (q - 1));
    const __m512i xo = odd32(xm);
    const __m512i x2e = _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epu32(xm, xm), rq), q);
    const __m512i x2o = _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epu32(xo, xo), rq), q);
    acc = _mm512_add_epi64(acc, rnd64(_mm512_mul_epi32(x2e, xm), e));
    return _mm512_add_epi64(acc, rnd64(_mm512_mul_epi32(x2o, xo), e));
}

TVMAF_ADM_CM_S0_FN(tvmaf_adm_cm_s0_avx512)
{
    static const int usub[3] = { 10, 10, 12 };
    static const int qsq[3] = { 29, 29, 30 };
    __m512i acc[3] = { _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512() };
    const __m512i zero = _mm512_setzero_si512();

    for (int j = 0; j < n; j += 16) {
        __m512i thr = zero;
        for (int t = 0; t < 3; t++) {
            const int16_t *const u = cf[t][0] + j, *const m = cf[t][1] + j, *const b = cf[t][2] + j;
            const __m512i s0 =
                _mm512_add_epi32(_mm512_add_epi32(load16to32(u - 1), load16to32(u)),
                                 _mm512_add_epi32(load16to32(u + 1), load16to32(m - 1)));
            const __m512i s1 =
                _mm512_add_epi32(_mm512_add_epi32(load16to32(m + 1), load16to32(b - 1)),
                                 _mm512_add_epi32(load16to32(b), load16to32(b + 1)));
            const __m512i cen = wrap16_32(_mm512_srai_epi32(
                _mm512_add_epi32(_mm512_mullo_epi32(_mm512_abs_epi32(load16to32(ca[t] + j)),
                                                    _mm512_set1_epi32(8738)),
                                 _mm512_set1_epi32(2048)),
                12));
            thr = _mm512_add_epi32(thr, _mm512_add_epi32(_mm512_add_epi32(s0, s1), cen));
        }
        const __mmask16 live = tail16(n, j);
        for (int t = 0; t < 3; t++) {
            const __m512i x =
                _mm512_mullo_epi32(load16to32(r[t] + j), _mm512_set1_epi32((int32_t)p->rf[t]));
            const __m512i xm = _mm512_maskz_max_epi32(
                live, _mm512_sub_epi32(_mm512_abs_epi32(x), _mm512_slli_epi32(thr, usub[t])), zero);
            acc[t] = cube_acc(acc[t], xm, qsq[t], p->cube_shift[t]);
        }
    }
    for (int t = 0; t < 3; t++) sum[t] = hsum512_64(acc[t]);
}

TVMAF_ADM_CM_S123_FN(tvmaf_adm_cm_s123_avx512)
{
    __m512i acc[3] = { _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512() };
    const __m512i zero = _mm512_setzero_si512();
    const __m512i c15 = _mm512_set1_epi32(I4_ONE_BY_15);
    const __m512i r955 = _mm512_set1_epi64((int64_t)1 << 31);
    const __m512i rnd27 = _mm512_set1_epi64(1 << 27);

    for (int j = 0; j < n; j += 16) {
        __m512i thr = zero;
        for (int t = 0; t < 3; t++) {
            const int32_t *const u = cf[t][0] + j, *const m = cf[t][1] + j, *const b = cf[t][2] + j;
            const __m512i s0 = _mm512_add_epi32(_mm512_add_epi32(loadu(u - 1), loadu(u)),
                                                _mm512_add_epi32(loadu(u + 1), loadu(m - 1)));
            const __m512i s1 = _mm512_add_epi32(_mm512_add_epi32(loadu(m + 1), loadu(b - 1)),
                                                _mm512_add_epi32(loadu(b), loadu(b + 1)));
            const __m512i uc = _mm512_abs_epi32(loadu(ca[t] + j));
            const __m512i cen = join_hi32(_mm512_sub_epi64(_mm512_mul_epu32(uc, c15), r955),
                                          _mm512_sub_epi64(_mm512_mul_epu32(odd32(uc), c15), r955));
            thr = _mm512_add_epi32(thr, _mm512_add_epi32(_mm512_add_epi32(s0, s1), cen));
        }
        const __mmask16 live = tail16(n, j);
        for (int t = 0; t < 3; t++) {
            const __m512i rv = loadu(r[t] + j);
            const __m512i rf = _mm512_set1_epi32((int32_t)p->rf[t]);
            const __m512i x = join_lo32(
                _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epi32(rv, rf), rnd27), 28),
                _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epi32(odd32(rv), rf), rnd27), 28));
            const __m512i xm =
                _mm512_maskz_max_epi32(live, _mm512_sub_epi32(_mm512_abs_epi32(x), thr), zero);
            acc[t] = cube_acc(acc[t], xm, 30, p->cube_shift[t]);
        }
    }
    for (int t = 0; t < 3; t++) sum[t] = hsum512_64(acc[t]);
}

/* --- denominator (den_s0_c, den_s123_c) --- */

TVMAF_ADM_DEN_S0_FN(tvmaf_adm_den_s0_avx512)
{
    (void)p;
    __m512i acc[3] = { _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512() };
    for (int j = 0; j < n; j += 16) {
        const __mmask16 live = tail16(n, j);
        for (int t = 0; t < 3; t++) {
            const __m512i v = _mm512_maskz_abs_epi32(live, load16to32(o[t] + j));
            const __m512i v2 = _mm512_mullo_epi32(v, v);
            acc[t] = _mm512_add_epi64(acc[t], _mm512_mul_epu32(v2, v));
            acc[t] = _mm512_add_epi64(acc[t], _mm512_mul_epu32(odd32(v2), odd32(v)));
        }
    }
    for (int t = 0; t < 3; t++) sum[t] = (uint64_t)hsum512_64(acc[t]);
}

/* As den_s123_term() in adm_avx2.c. */
static inline __m512i den_s123_term(const __m512i v, const int q, const __m512i addq,
                                    const __m512i adde, const int e)
{
    const __m512i sq = _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epu32(v, v), addq), q);
    const __m512i c = _mm512_add_epi64(_mm512_mul_epu32(sq, v),
                                       _mm512_slli_epi64(_mm512_mul_epu32(odd32(sq), v), 32));
    return _mm512_srli_epi64(_mm512_add_epi64(c, adde), e);
}

TVMAF_ADM_DEN_S123_FN(tvmaf_adm_den_s123_avx512)
{
    const int q = p->den_sq_shift, e = p->den_cube_shift;
    const __m512i addq = _mm512_set1_epi64((int64_t)((uint64_t)1 << q));
    const __m512i adde = _mm512_set1_epi64(e ? (int64_t)1 << (e - 1) : 0);
    __m512i acc[3] = { _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512() };
    for (int j = 0; j < n; j += 16) {
        const __mmask16 live = tail16(n, j);
        for (int t = 0; t < 3; t++) {
            const __m512i v = _mm512_maskz_abs_epi32(live, loadu(o[t] + j));
            acc[t] = _mm512_add_epi64(acc[t], den_s123_term(v, q, addq, adde, e));
            acc[t] = _mm512_add_epi64(acc[t], den_s123_term(odd32(v), q, addq, adde, e));
        }
    }
    for (int t = 0; t < 3; t++) sum[t] = (uint64_t)hsum512_64(acc[t]);
}
