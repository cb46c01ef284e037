/*
 * Integer ADM, AVX2. The DWT, masking and denominator kernels are
 * adm_tmpl.c (read its header comment first); the decouple kernels are
 * here. Bit-exact to the C reference in ../adm.c for every n and every input
 * value. What is specific to these:
 *  - the angle test's int16 x int16 sums of two products wrap only at
 *    2 * (-2^15)^2 = 2^31, a value that cannot otherwise occur and is fixed up;
 *  - the float steps (angle test, enhancement limit) are the C code's IEEE
 *    operations in the same order, in float or double lanes, never fused;
 *  - tails run the full vector on over-read input and store through a stack
 *    buffer, so outputs are written at [0, n) only.
 */
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "feature/adm.h"
#include "feature/x86/adm.h"
#include "feature/x86/vec_avx2.h"

#define FN(name) tvmaf_adm_##name##_avx2

#include "feature/x86/adm_tmpl.c"

/* 8 int32 lanes (int16 values) to 8 int16, in order. */
static inline __m128i pack16(const __m256i v)
{
    return _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
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
