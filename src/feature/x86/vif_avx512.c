/*
 * Integer VIF, AVX-512 (F, BW, DQ, VL). Filters: vif_tmpl.c; the statistic
 * mirrors vif_avx2.c at twice the width; numerics: the C reference, vif.c.
 */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "feature/vif.h"
#include "feature/x86/vif.h"
#include "feature/x86/vec_avx512.h"

#define FN(name) tvmaf_vif_##name##_avx512

#include "feature/x86/vif_tmpl.c"

/* ---- the per-pixel statistic (derivations of the tricks: vif_avx2.c) ---- */

/* Table index bits m (entry m+1) and k of 32-bit values >= 2^17. */
static inline __m512i log2_parts_32(const __m512i v, __m512i *const k)
{
    const __m512i e = _mm512_srli_epi32(_mm512_castps_si512(_mm512_cvtepi32_ps(_mm512_srli_epi32(v, 8))), 23);
    *k = _mm512_sub_epi32(e, _mm512_set1_epi32(127 + 7));
    return _mm512_and_si512(_mm512_srlv_epi32(v, *k), _mm512_set1_epi32(0x7fff));
}

/* The same for integers held exactly in doubles, 2^17 <= v < 2^53. */
static inline void log2_parts_pd(const __m512d v, __m256i *const m, __m256i *const k)
{
    const __m512i b = _mm512_castpd_si512(v);
    *m = _mm512_cvtepi64_epi32(_mm512_and_si512(_mm512_srli_epi64(b, 37), _mm512_set1_epi64(0x7fff)));
    *k = _mm512_cvtepi64_epi32(_mm512_sub_epi64(_mm512_srli_epi64(b, 52), _mm512_set1_epi64(1023 + 15)));
}

static inline __m512i cat256(const __m256i lo, const __m256i hi)
{
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

static inline __m512i mulhi_rnd(const __m512i a, const __m512i b)
{
    const __m512i r = _mm512_set1_epi64(0x80000000ll);
    const __m512i ev = _mm512_add_epi64(_mm512_mul_epu32(a, b), r);
    const __m512i od = _mm512_add_epi64(_mm512_mul_epu32(_mm512_srli_epi64(a, 32), _mm512_srli_epi64(b, 32)), r);
    return _mm512_mask_blend_epi32(0xaaaa, _mm512_srli_epi64(ev, 32), od);
}

/* The numerator's n1, n2 (vif.c vif_stat_c: the same double operations in
 * the same order) as table indices and exponents, two halves of 8 doubles. */
static inline void num_parts(const __m512i s1, const __m512i s2, const __m512i s12, const __m512d eps,
                             const __m512d lim, __m512i *const m1, __m512i *const k1,
                             __m512i *const m2, __m512i *const k2)
{
    __m256i svq[2], m[2], k[2];
    __m512d t[2];
    for (int h = 0; h < 2; h++) {
        const __m256i s1h = h ? _mm512_extracti64x4_epi64(s1, 1) : _mm512_castsi512_si256(s1);
        const __m256i s2h = h ? _mm512_extracti64x4_epi64(s2, 1) : _mm512_castsi512_si256(s2);
        const __m256i s12h = h ? _mm512_extracti64x4_epi64(s12, 1) : _mm512_castsi512_si256(s12);
        const __m512d d1 = _mm512_cvtepi32_pd(s1h), d12 = _mm512_cvtepi32_pd(s12h);
        __m512d g = _mm512_div_pd(d12, _mm512_add_pd(d1, eps));
        svq[h] = _mm512_cvttpd_epi32(_mm512_sub_pd(_mm512_cvtepi32_pd(s2h), _mm512_mul_pd(g, d12)));
        g = _mm512_min_pd(g, lim); /* g < lim ? g : lim, as the C */
        t[h] = _mm512_roundscale_pd(_mm512_mul_pd(_mm512_mul_pd(g, g), d1),
                                    _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    }
    const __m512i n1 = _mm512_add_epi32(_mm512_max_epi32(cat256(svq[0], svq[1]), _mm512_setzero_si512()),
                                        _mm512_set1_epi32(131072));
    for (int h = 0; h < 2; h++) {
        const __m256i n1h = h ? _mm512_extracti64x4_epi64(n1, 1) : _mm512_castsi512_si256(n1);
        /* trunc(g*g*s1) < 2^45 and n1 < 2^32: their sum is exact. */
        log2_parts_pd(_mm512_add_pd(t[h], _mm512_cvtepu32_pd(n1h)), &m[h], &k[h]);
    }
    *m2 = cat256(m[0], m[1]);
    *k2 = cat256(k[0], k[1]);
    *m1 = log2_parts_32(n1, k1);
}

/* Columns per pass; the table lookups of one pass are summed afterwards. */
#define SB 256

decl_vif_stat_fn(tvmaf_vif_stat_avx512)
{
    const __m512d eps = _mm512_set1_pd(65536 * 1.0e-10), lim = _mm512_set1_pd(enhn_gain_limit);
    const __m512i zero = _mm512_setzero_si512(), nsq_m1 = _mm512_set1_epi32(131072 - 1);
    const __m512i none = _mm512_set1_epi32(-1);
    const uint16_t *const tab = tvmaf_vif_log2_table, *const tab1 = tab + 1;
    /* Per-lane sums stay far below 2^31 for w <= 2^16 (vif_init's bound);
     * only the sigma2^2 sum needs 64 bits. */
    __m512i num_k = zero, den_k = zero, den_nl = zero, num_nl = zero;
    int64_t num_tab = 0, den_tab = 0;
    _Alignas(64) int32_t id_den[SB], id_n1[SB], id_n2[SB];

    for (int j0 = 0; j0 < w; j0 += SB) {
        const int j1 = w - j0 < SB ? w : j0 + SB;
        int nd = 0, nn = 0, nd_active = 0;
        for (int j = j0; j < j1; j += 16) {
            const __mmask16 valid = j1 - j >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (j1 - j)) - 1);
            const __m512i mu1 = _mm512_maskz_loadu_epi32(valid, in->mu1 + j);
            const __m512i mu2 = _mm512_maskz_loadu_epi32(valid, in->mu2 + j);
            const __m512i s1 = _mm512_sub_epi32(_mm512_maskz_loadu_epi32(valid, in->xx + j), mulhi_rnd(mu1, mu1));
            const __m512i s2 = _mm512_max_epi32(
                _mm512_sub_epi32(_mm512_maskz_loadu_epi32(valid, in->yy + j), mulhi_rnd(mu2, mu2)), zero);
            const __m512i s12 = _mm512_sub_epi32(_mm512_maskz_loadu_epi32(valid, in->xy + j), mulhi_rnd(mu1, mu2));
            const __mmask16 islog = _mm512_mask_cmpgt_epi32_mask(valid, s1, nsq_m1);
            const __mmask16 nonlog = valid & ~islog;
            den_nl = _mm512_mask_sub_epi32(den_nl, nonlog, den_nl, none);
            const __m512i s2n = _mm512_maskz_mov_epi32(nonlog, s2);
            num_nl = _mm512_add_epi64(num_nl, _mm512_add_epi64(_mm512_cvtepu32_epi64(_mm512_castsi512_si256(s2n)),
                                                               _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(s2n, 1))));
            if (!islog)
                continue;
            /* Lanes left out look up entry 0 (index -1): counted and removed below. */
            __m512i k;
            const __m512i m = log2_parts_32(_mm512_add_epi32(s1, _mm512_set1_epi32(131072)), &k);
            _mm512_store_si512(id_den + nd, _mm512_mask_mov_epi32(none, islog, m));
            nd += 16;
            nd_active += __builtin_popcount(islog);
            den_k = _mm512_mask_add_epi32(den_k, islog, den_k,
                                          _mm512_sub_epi32(_mm512_slli_epi32(k, 11), _mm512_set1_epi32(17 * 2048)));
            const __mmask16 isnum = _mm512_mask_cmpgt_epi32_mask(_mm512_mask_cmpgt_epi32_mask(islog, s12, zero), s2, zero);
            if (!isnum)
                continue;
            __m512i m1, k1, m2, k2;
            num_parts(s1, s2, s12, eps, lim, &m1, &k1, &m2, &k2);
            /* Left-out lanes look up entry 0 for both n1 and n2: they cancel. */
            _mm512_store_si512(id_n1 + nn, _mm512_mask_mov_epi32(none, isnum, m1));
            _mm512_store_si512(id_n2 + nn, _mm512_mask_mov_epi32(none, isnum, m2));
            nn += 16;
            num_k = _mm512_mask_add_epi32(num_k, isnum, num_k, _mm512_slli_epi32(_mm512_sub_epi32(k2, k1), 11));
        }
        /* At most SB entries below 2^16 each: every sum fits in uint32.
         * nd and nn are multiples of 16; two chains per table. */
        uint32_t d0 = 0, d1 = 0, a2 = 0, a1 = 0;
        for (int i = 0; i < nd; i += 2) {
            d0 += tab1[id_den[i]];
            d1 += tab1[id_den[i + 1]];
        }
        uint32_t b2 = 0, b1 = 0;
        for (int i = 0; i < nn; i += 2) {
            a2 += tab1[id_n2[i]];
            a1 += tab1[id_n1[i]];
            b2 += tab1[id_n2[i + 1]];
            b1 += tab1[id_n1[i + 1]];
        }
        den_tab += (int64_t)d0 + d1 - (int64_t)(nd - nd_active) * tab[0];
        num_tab += (int64_t)a2 + b2 - ((int64_t)a1 + b1);
    }

#define SUM64(v) (_mm512_reduce_add_epi64(_mm512_cvtepi32_epi64(_mm512_castsi512_si256(v))) + \
                  _mm512_reduce_add_epi64(_mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(v, 1))))
    acc->num_log += num_tab + SUM64(num_k);
    acc->den_log += den_tab + SUM64(den_k);
    acc->den_non_log += SUM64(den_nl);
    acc->num_non_log += _mm512_reduce_add_epi64(num_nl);
#undef SUM64
}
