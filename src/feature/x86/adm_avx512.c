/*
 * Integer ADM, AVX-512 (F/BW/DQ/VL). The DWT, masking and denominator
 * kernels are adm_tmpl.c (read its header comment first); the decouple
 * kernels are here, with the devices of adm_avx2.c plus what AVX-512 adds:
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
#include "feature/x86/vec_avx512.h"

#define FN(name) tvmaf_adm_##name##_avx512

#include "feature/x86/adm_tmpl.c"

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
        const __mmask16 live = v_first16(n - j);
        __m512i o[3], d[3];
        for (int t = 0; t < 3; t++) {
            o[t] = v_ld_s16w(ref[t] + j);
            d[t] = v_ld_s16w(dis[t] + j);
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
        const __mmask16 live = v_first16(n - j);
        const __mmask16 angle = _mm512_kunpackb(
            angle8_s123(ref[0] + j + 8, ref[1] + j + 8, dis[0] + j + 8, dis[1] + j + 8, cos1sq),
            angle8_s123(ref[0] + j, ref[1] + j, dis[0] + j, dis[1] + j, cos1sq));
        for (int t = 0; t < 3; t++) {
            const __m512i o = v_ld(ref[t] + j), d = v_ld(dis[t] + j);
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
