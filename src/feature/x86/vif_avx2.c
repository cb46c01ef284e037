/*
 * Integer VIF, AVX2. Filters: vif_tmpl.c (how the sums map onto pmaddwd);
 * numerics and derivations: the C reference, vif.c.
 */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "feature/vif.h"
#include "feature/x86/vif.h"
#include "feature/x86/vec_avx2.h"

#define FN(name) tvmaf_vif_##name##_avx2

#include "feature/x86/vif_tmpl.c"

/* ---- the per-pixel statistic ---- */

/*
 * tvmaf_vif_log2_table[1 + m] for 8 lanes of m in [0, 2^15). Scalar loads,
 * not vpgatherdd: on AMD Zen 3 the ymm gather made this statistic twice as
 * slow (the table, 64 KiB, lives in L2 either way).
 */
static inline __m256i lut8(const __m256i m)
{
    const uint16_t *const t = tvmaf_vif_log2_table + 1;
    uint32_t i[8];
    _mm256_storeu_si256((__m256i *)i, m);
    return _mm256_setr_epi32(t[i[0]], t[i[1]], t[i[2]], t[i[3]], t[i[4]], t[i[5]], t[i[6]], t[i[7]]);
}

/*
 * log2Q11 of 32-bit values >= 2^17 (vif.c log2q11_32). v >> 8 < 2^24
 * converts to float exactly, so its exponent is floor(log2 v) - 8. The
 * looked-up index v >> k is 2^15 + m, table entry 1 + m.
 */
static inline __m256i log2q11_32_v(const __m256i v)
{
    const __m256i e = _mm256_srli_epi32(_mm256_castps_si256(_mm256_cvtepi32_ps(_mm256_srli_epi32(v, 8))), 23);
    const __m256i k = _mm256_sub_epi32(e, _mm256_set1_epi32(127 + 7));
    const __m256i m = _mm256_and_si256(_mm256_srlv_epi32(v, k), _mm256_set1_epi32(0x7fff));
    return _mm256_add_epi32(lut8(m), _mm256_slli_epi32(k, 11));
}

/* Table index bits and 2048*k of integers held exactly in doubles,
 * 2^17 <= v < 2^53: the top 16 bits are the implicit one and the top 15
 * mantissa bits; k = floor(log2 v) - 15. Both as 4 x int32. */
static inline void log2q11_pd_parts(const __m256d v, __m128i *const m, __m128i *const k2048)
{
    const __m256i even = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
    const __m256i b = _mm256_castpd_si256(v);
    const __m256i mm = _mm256_and_si256(_mm256_srli_epi64(b, 37), _mm256_set1_epi64x(0x7fff));
    const __m256i kk = _mm256_sub_epi64(_mm256_srli_epi64(b, 52), _mm256_set1_epi64x(1023 + 15));
    *m = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(mm, even));
    *k2048 = _mm_slli_epi32(_mm256_castsi256_si128(_mm256_permutevar8x32_epi32(kk, even)), 11);
}

/* (a*b + 2^31) >> 32 per unsigned 32-bit lane. */
static inline __m256i mulhi_rnd(const __m256i a, const __m256i b)
{
    const __m256i r = _mm256_set1_epi64x(0x80000000ll);
    const __m256i ev = _mm256_add_epi64(_mm256_mul_epu32(a, b), r);
    const __m256i od = _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(a, 32), _mm256_srli_epi64(b, 32)), r);
    return _mm256_blend_epi32(_mm256_srli_epi64(ev, 32), od, 0xaa);
}

static inline __m128i lo128(const __m256i v) { return _mm256_castsi256_si128(v); }
static inline __m128i hi128(const __m256i v) { return _mm256_extracti128_si256(v, 1); }

/* The numerator's log terms (vif.c vif_stat_c: the same double operations
 * in the same order; -ffp-contract=off keeps them unfused), in two halves of
 * 4 doubles; the three table lookups are lut8(). */
static inline __m256i num_log8(const __m256i s1, const __m256i s2, const __m256i s12,
                               const __m256d eps, const __m256d lim)
{
    __m128i svq[2];
    __m256d t[2];
    for (int h = 0; h < 2; h++) {
        const __m128i s1h = h ? hi128(s1) : lo128(s1), s2h = h ? hi128(s2) : lo128(s2);
        const __m128i s12h = h ? hi128(s12) : lo128(s12);
        const __m256d d1 = _mm256_cvtepi32_pd(s1h), d12 = _mm256_cvtepi32_pd(s12h);
        __m256d g = _mm256_div_pd(d12, _mm256_add_pd(d1, eps));
        svq[h] = _mm256_cvttpd_epi32(_mm256_sub_pd(_mm256_cvtepi32_pd(s2h), _mm256_mul_pd(g, d12)));
        g = _mm256_min_pd(g, lim); /* g < lim ? g : lim, as the C */
        t[h] = _mm256_round_pd(_mm256_mul_pd(_mm256_mul_pd(g, g), d1), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    }
    const __m256i n1 = _mm256_add_epi32(_mm256_max_epi32(_mm256_set_m128i(svq[1], svq[0]), _mm256_setzero_si256()),
                                        _mm256_set1_epi32(131072));
    __m128i m[2], k[2];
    for (int h = 0; h < 2; h++) {
        /* n1 < 2^32 as a double (no unsigned convert in AVX2: bias by 2^31);
         * trunc(g*g*s1) < 2^45, so the sum is exact. */
        const __m256d n1d = _mm256_add_pd(_mm256_cvtepi32_pd(_mm_xor_si128(h ? hi128(n1) : lo128(n1),
                                                                           _mm_set1_epi32((int)0x80000000u))),
                                          _mm256_set1_pd(2147483648.0));
        log2q11_pd_parts(_mm256_add_pd(t[h], n1d), &m[h], &k[h]);
    }
    const __m256i l2 = _mm256_add_epi32(lut8(_mm256_set_m128i(m[1], m[0])), _mm256_set_m128i(k[1], k[0]));
    return _mm256_sub_epi32(l2, log2q11_32_v(n1));
}

decl_vif_stat_fn(tvmaf_vif_stat_avx2)
{
    const __m256d eps = _mm256_set1_pd(65536 * 1.0e-10), lim = _mm256_set1_pd(enhn_gain_limit);
    const __m256i zero = _mm256_setzero_si256(), nsq_m1 = _mm256_set1_epi32(131072 - 1);
    const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    /* Per-lane sums stay far below 2^31 for w <= 2^16 (vif_init's bound);
     * only the sigma2^2 sum needs 64 bits. */
    __m256i num_log = zero, den_log = zero, den_nl = zero, num_nl = zero;

    for (int j = 0; j < w; j += 8) {
        const __m256i valid = _mm256_cmpgt_epi32(_mm256_set1_epi32(w - j), iota);
        const __m256i mu1 = _mm256_loadu_si256((const __m256i *)(in->mu1 + j));
        const __m256i mu2 = _mm256_loadu_si256((const __m256i *)(in->mu2 + j));
        const __m256i s1 = _mm256_sub_epi32(_mm256_loadu_si256((const __m256i *)(in->xx + j)), mulhi_rnd(mu1, mu1));
        const __m256i s2 = _mm256_max_epi32(
            _mm256_sub_epi32(_mm256_loadu_si256((const __m256i *)(in->yy + j)), mulhi_rnd(mu2, mu2)), zero);
        const __m256i s12 = _mm256_sub_epi32(_mm256_loadu_si256((const __m256i *)(in->xy + j)), mulhi_rnd(mu1, mu2));
        const __m256i islog = _mm256_and_si256(_mm256_cmpgt_epi32(s1, nsq_m1), valid);
        const __m256i nonlog = _mm256_andnot_si256(islog, valid);
        den_nl = _mm256_sub_epi32(den_nl, nonlog);
        const __m256i s2n = _mm256_and_si256(s2, nonlog);
        num_nl = _mm256_add_epi64(num_nl, _mm256_add_epi64(_mm256_cvtepu32_epi64(lo128(s2n)),
                                                           _mm256_cvtepu32_epi64(hi128(s2n))));
        if (_mm256_testz_si256(islog, islog))
            continue;
        const __m256i lg = log2q11_32_v(_mm256_add_epi32(s1, _mm256_set1_epi32(131072)));
        den_log = _mm256_add_epi32(den_log, _mm256_and_si256(_mm256_sub_epi32(lg, _mm256_set1_epi32(17 * 2048)), islog));
        const __m256i isnum = _mm256_and_si256(islog, _mm256_and_si256(_mm256_cmpgt_epi32(s12, zero),
                                                                       _mm256_cmpgt_epi32(s2, zero)));
        if (_mm256_testz_si256(isnum, isnum))
            continue;
        num_log = _mm256_add_epi32(num_log, _mm256_and_si256(num_log8(s1, s2, s12, eps, lim), isnum));
    }

    const __m256i l64 = _mm256_add_epi64(_mm256_cvtepi32_epi64(lo128(num_log)), _mm256_cvtepi32_epi64(hi128(num_log)));
    const __m256i d64 = _mm256_add_epi64(_mm256_cvtepi32_epi64(lo128(den_log)), _mm256_cvtepi32_epi64(hi128(den_log)));
    const __m256i c64 = _mm256_add_epi64(_mm256_cvtepi32_epi64(lo128(den_nl)), _mm256_cvtepi32_epi64(hi128(den_nl)));
    int64_t t[4][4];
    _mm256_storeu_si256((__m256i *)t[0], l64);
    _mm256_storeu_si256((__m256i *)t[1], d64);
    _mm256_storeu_si256((__m256i *)t[2], num_nl);
    _mm256_storeu_si256((__m256i *)t[3], c64);
    acc->num_log += t[0][0] + t[0][1] + t[0][2] + t[0][3];
    acc->den_log += t[1][0] + t[1][1] + t[1][2] + t[1][3];
    acc->num_non_log += t[2][0] + t[2][1] + t[2][2] + t[2][3];
    acc->den_non_log += t[3][0] + t[3][1] + t[3][2] + t[3][3];
}
