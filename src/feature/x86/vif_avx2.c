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
#define VIF_OWN_VFILT_MOM_8

#include "feature/x86/vif_tmpl.c"

/* ---- vertical moments, 8-bit rows (scale 0 only: 17 taps) ---- */

/*
 * The sums and the x - 128 trick of vif_tmpl.c's vfilt_mom_8_body, 8
 * columns per vector instead of 16: the two rows of a pair are interleaved
 * byte by byte before widening, so 32-bit lane i holds (row a, row b) of
 * column i and the results come out in column order. Two output rows take
 * ten accumulators, which fit in the 16 ymm registers with the operands;
 * the 16-column form needs twenty and spilled them on every tap pair.
 */
static inline __m256i ld_pair_u8(const uint8_t *const a, const uint8_t *const b)
{
    return _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)a),
                                                  _mm_loadl_epi64((const __m128i *)b)));
}

static inline __attribute__((always_inline)) void mom8_store(const TvmafVifMomRow *const out, const int j,
                                                             const Mom8Sums *const a, const int sh_mu)
{
    const __m256i rnd_mu = _mm256_set1_epi32(1 << (sh_mu - 1));
    const __m128i sh = _mm_cvtsi32_si128(sh_mu);
    const __m256i m1 = _mm256_srl_epi32(_mm256_add_epi32(a->m1, rnd_mu), sh);
    const __m256i m2 = _mm256_srl_epi32(_mm256_add_epi32(a->m2, rnd_mu), sh);
    __m256i xx, yy, xy;
    mom8_unoffset(a, &xx, &yy, &xy);
    _mm_storeu_si128((__m128i *)(out->mu1 + j), _mm_packus_epi32(_mm256_castsi256_si128(m1), _mm256_extracti128_si256(m1, 1)));
    _mm_storeu_si128((__m128i *)(out->mu2 + j), _mm_packus_epi32(_mm256_castsi256_si128(m2), _mm256_extracti128_si256(m2, 1)));
    _mm256_storeu_si256((__m256i *)(out->xx + j), xx);
    _mm256_storeu_si256((__m256i *)(out->yy + j), yy);
    _mm256_storeu_si256((__m256i *)(out->xy + j), xy);
}

/* Tap pair p of columns j..j+7 added to the sums of one or two output rows. */
static inline __attribute__((always_inline)) void
mom8_pair(Mom8Sums *const a, Mom8Sums *const b, const __m256i *const FA, const __m256i *const FB,
          const uint8_t *const *const ref, const uint8_t *const *const dis, const int j, const int p,
          const int nrows, const __m256i c128)
{
    const int r1 = nrows == 2 || p < 8 ? 2 * p + 1 : 2 * p;
    const __m256i x = ld_pair_u8(ref[2 * p] + j, ref[r1] + j);
    const __m256i y = ld_pair_u8(dis[2 * p] + j, dis[r1] + j);
    const __m256i x_ = _mm256_sub_epi16(x, c128), y_ = _mm256_sub_epi16(y, c128);
    const __m256i pxx = _mm256_mullo_epi16(x_, x_), pyy = _mm256_mullo_epi16(y_, y_);
    const __m256i pxy = _mm256_mullo_epi16(x_, y_);
    mom8_add(a, FA[p], x, y, pxx, pyy, pxy);
    if (nrows == 2)
        mom8_add(b, FB[p], x, y, pxx, pyy, pxy);
}

/* nrows = 2: pairs (0,1) .. (16,17) serve both outputs, with taps (f_2p,
 * f_2p+1) and (f_2p-1, f_2p); for one output the last pair is row 16
 * twice, its second tap 0. */
static inline __attribute__((always_inline)) void
vfilt_mom_8_body(const TvmafVifMomRow *const out, const uint8_t *const *const ref,
                 const uint8_t *const *const dis, const int w, const int nrows, const int sh_mu)
{
    const uint16_t *const f = tvmaf_vif_filter[0];
    __m256i FA[9], FB[9];
    for (int p = 0; p < 9; p++) {
        FA[p] = _mm256_set1_epi32((int)(f[2 * p] | (uint32_t)(p < 8 ? f[2 * p + 1] : 0) << 16));
        FB[p] = _mm256_set1_epi32((int)((p ? f[2 * p - 1] : 0) | (uint32_t)f[2 * p] << 16));
    }
    const __m256i c128 = _mm256_set1_epi16(128), zero = _mm256_setzero_si256();

    for (int j = 0; j < w; j += 8) {
        Mom8Sums a = { zero, zero, zero, zero, zero }, b = a;
        /* The first pair starts the sums (they fold into the zeros); the
         * others run unrolled, each followed by an empty asm statement
         * that keeps the sums in tap order. Rolled, GCC copies each
         * loop-carried sum after its multiply-add; unrolled without the
         * statement, it reassociates the sums, hoists the products ahead
         * of them and spills them. */
        mom8_pair(&a, &b, FA, FB, ref, dis, j, 0, nrows, c128);
#pragma GCC unroll 8
        for (int p = 1; p < 9; p++) {
            mom8_pair(&a, &b, FA, FB, ref, dis, j, p, nrows, c128);
            __asm__("" : "+x"(a.m1), "+x"(a.m2), "+x"(a.xx), "+x"(a.yy), "+x"(a.xy));
            if (nrows == 2)
                __asm__("" : "+x"(b.m1), "+x"(b.m2), "+x"(b.xx), "+x"(b.yy), "+x"(b.xy));
        }
        mom8_store(&out[0], j, &a, sh_mu);
        if (nrows == 2)
            mom8_store(&out[1], j, &b, sh_mu);
    }
}

decl_vif_vfilt_mom_fn(tvmaf_vif_vfilt_mom_8_avx2)
{
    (void)scale;
    (void)sh_sq; /* 0 for 8-bit: the product sums are kept whole */
    const uint8_t *const *const r = (const uint8_t *const *)ref, *const *const d = (const uint8_t *const *)dis;
    if (nrows == 2)
        vfilt_mom_8_body(out, r, d, w, 2, sh_mu);
    else
        vfilt_mom_8_body(out, r, d, w, 1, sh_mu);
}

/* ---- the per-pixel statistic ---- */

/*
 * The log2 table lookups: each pass over up to SB columns stores the table
 * indices, and a scalar loop sums the entries afterwards. On AMD Zen 3 this
 * beat both the ymm gather and eight scalar loads inserted into a vector
 * (which measured the same): the table, 64 KiB, lives in L2 either way, and
 * the separate loop keeps the lookups out of the long floating-point
 * dependency chains.
 */
#define SB 256

/* The sum of tvmaf_vif_log2_table[1 + id[i]], i < n (n even, n <= SB:
 * below 2^25, no overflow). */
static inline uint32_t tab_sum(const int32_t *const id, const int n)
{
    const uint16_t *const tab1 = tvmaf_vif_log2_table + 1;
    uint32_t a = 0, b = 0;
    for (int i = 0; i < n; i += 2) {
        a += tab1[id[i]];
        b += tab1[id[i + 1]];
    }
    return a + b;
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

/* The high dwords of two vectors of 4 doubles, as 8 lanes in the order
 * a0 a1 b0 b1 a2 a3 b2 b3. */
static inline __m256i hi32x8(const __m256d a, const __m256d b)
{
    return _mm256_castps_si256(_mm256_shuffle_ps(_mm256_castpd_ps(a), _mm256_castpd_ps(b), 0xdd));
}

/*
 * The numerator's log terms log2Q11(n2) - log2Q11(n1) of 8 lanes: stores
 * the table indices of n1 and n2 (in the lane order of hi32x8) and returns
 * 2048 times the difference of the exponents. A lane whose s12 and s2 are 0
 * adds exactly 0 (g = 0, so n2 = n1), whatever its s1: lanes that do not
 * count come in so. The double operations are vif.c vif_stat_c's in the
 * same order (-ffp-contract=off keeps them unfused). n1 < 2^32 and n2 <
 * 2^46 (trunc(g*g*s1) < 2^45) are integers held exactly, at least 2^17:
 * the high dword holds the biased exponent floor(log2 v) + 1023 above the
 * top 20 mantissa bits, of which the table index takes 15; the biases
 * cancel in the difference.
 */
static inline __m256i num_log8(const __m256i s1, const __m256i s2, const __m256i s12,
                               const __m256d eps, const __m256d lim, int32_t *const id1,
                               int32_t *const id2)
{
    const __m256d nsq = _mm256_set1_pd(131072.0);
    __m256d n1[2], n2[2];
    for (int h = 0; h < 2; h++) {
        const __m128i s1h = h ? hi128(s1) : lo128(s1), s2h = h ? hi128(s2) : lo128(s2);
        const __m128i s12h = h ? hi128(s12) : lo128(s12);
        const __m256d d1 = _mm256_cvtepi32_pd(s1h), d12 = _mm256_cvtepi32_pd(s12h);
        __m256d g = _mm256_div_pd(d12, _mm256_add_pd(d1, eps));
        /* sv^2 = max(int32(s2 - g*s12), 0) without leaving doubles: the
         * difference is at most s2 < 2^31 (g*s12 >= 0), so truncating in
         * double and clamping at 0 is the same whenever int32 holds it, and
         * below -2^31 (where the conversion gives INT32_MIN) both clamp to 0. */
        const __m256d sv = _mm256_max_pd(_mm256_round_pd(_mm256_sub_pd(_mm256_cvtepi32_pd(s2h), _mm256_mul_pd(g, d12)),
                                                         _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC),
                                         _mm256_setzero_pd());
        g = _mm256_min_pd(g, lim); /* g < lim ? g : lim, as the C */
        const __m256d t = _mm256_round_pd(_mm256_mul_pd(_mm256_mul_pd(g, g), d1), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
        n1[h] = _mm256_add_pd(sv, nsq);
        n2[h] = _mm256_add_pd(t, n1[h]);
    }
    const __m256i b1 = hi32x8(n1[0], n1[1]), b2 = hi32x8(n2[0], n2[1]);
    const __m256i mant = _mm256_set1_epi32(0x7fff);
    _mm256_store_si256((__m256i *)id1, _mm256_and_si256(_mm256_srli_epi32(b1, 5), mant));
    _mm256_store_si256((__m256i *)id2, _mm256_and_si256(_mm256_srli_epi32(b2, 5), mant));
    return _mm256_slli_epi32(_mm256_sub_epi32(_mm256_srli_epi32(b2, 20), _mm256_srli_epi32(b1, 20)), 11);
}

decl_vif_stat_fn(tvmaf_vif_stat_avx2)
{
    const __m256d eps = _mm256_set1_pd(65536 * 1.0e-10), lim = _mm256_set1_pd(enhn_gain_limit);
    const __m256i zero = _mm256_setzero_si256(), nsq = _mm256_set1_epi32(131072);
    const __m256i nsq_m1 = _mm256_set1_epi32(131072 - 1), iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    /* Per-lane sums stay far below 2^31 for w <= 2^16 (vif_init's bound);
     * only the sigma2^2 sum needs 64 bits. */
    __m256i num_k = zero, den_k = zero, den_nl = zero, num_nl = zero;
    int64_t num_tab = 0, den_tab = 0;
    _Alignas(32) int32_t id_den[SB], id_n1[SB], id_n2[SB], b1[SB], b2[SB], b12[SB];

    for (int j0 = 0; j0 < w; j0 += SB) {
        const int j1 = w - j0 < SB ? w : j0 + SB;
        int nd = 0, nn = 0, nd_off = 0;
        for (int j = j0; j < j1; j += 8) {
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
            const int logbits = _mm256_movemask_ps(_mm256_castsi256_ps(islog));
            if (!logbits)
                continue;
            /* log2Q11(v), v = s1 + 2^17 < 2^32: v >> 8 < 2^24 converts to
             * float exactly, so its exponent is floor(log2 v) - 8 + 127; the
             * index v >> k (k = floor(log2 v) - 15) is 2^15 + m, table entry
             * 1 + m. Lanes left out look up entry 0 (index -1), removed
             * after the sum. */
            const __m256i v = _mm256_add_epi32(s1, nsq);
            const __m256i e = _mm256_srli_epi32(_mm256_castps_si256(_mm256_cvtepi32_ps(_mm256_srli_epi32(v, 8))), 23);
            const __m256i k = _mm256_sub_epi32(e, _mm256_set1_epi32(127 + 7));
            const __m256i m = _mm256_and_si256(_mm256_srlv_epi32(v, k), _mm256_set1_epi32(0x7fff));
            _mm256_store_si256((__m256i *)(id_den + nd), _mm256_or_si256(m, _mm256_xor_si256(islog, _mm256_set1_epi32(-1))));
            nd += 8;
            nd_off += 8 - __builtin_popcount((unsigned)logbits);
            den_k = _mm256_add_epi32(den_k, _mm256_and_si256(_mm256_slli_epi32(_mm256_sub_epi32(k, _mm256_set1_epi32(17)), 11), islog));
            const __m256i isnum = _mm256_and_si256(islog, _mm256_and_si256(_mm256_cmpgt_epi32(s12, zero),
                                                                           _mm256_cmpgt_epi32(s2, zero)));
            if (_mm256_testz_si256(isnum, isnum))
                continue;
            _mm256_store_si256((__m256i *)(b1 + nn), s1);
            _mm256_store_si256((__m256i *)(b2 + nn), _mm256_and_si256(s2, isnum));
            _mm256_store_si256((__m256i *)(b12 + nn), _mm256_and_si256(s12, isnum));
            nn += 8;
        }
        /* The numerator in a loop of its own: no branches, so the long
         * division chains of several vectors overlap. */
        for (int i = 0; i < nn; i += 8)
            num_k = _mm256_add_epi32(num_k, num_log8(_mm256_load_si256((const __m256i *)(b1 + i)),
                                                     _mm256_load_si256((const __m256i *)(b2 + i)),
                                                     _mm256_load_si256((const __m256i *)(b12 + i)), eps, lim,
                                                     id_n1 + i, id_n2 + i));
        den_tab += (int64_t)tab_sum(id_den, nd) - (int64_t)nd_off * tvmaf_vif_log2_table[0];
        num_tab += (int64_t)tab_sum(id_n2, nn) - (int64_t)tab_sum(id_n1, nn);
    }

    const __m256i l64 = _mm256_add_epi64(_mm256_cvtepi32_epi64(lo128(num_k)), _mm256_cvtepi32_epi64(hi128(num_k)));
    const __m256i d64 = _mm256_add_epi64(_mm256_cvtepi32_epi64(lo128(den_k)), _mm256_cvtepi32_epi64(hi128(den_k)));
    const __m256i c64 = _mm256_add_epi64(_mm256_cvtepi32_epi64(lo128(den_nl)), _mm256_cvtepi32_epi64(hi128(den_nl)));
    int64_t t[4][4];
    _mm256_storeu_si256((__m256i *)t[0], l64);
    _mm256_storeu_si256((__m256i *)t[1], d64);
    _mm256_storeu_si256((__m256i *)t[2], num_nl);
    _mm256_storeu_si256((__m256i *)t[3], c64);
    acc->num_log += num_tab + t[0][0] + t[0][1] + t[0][2] + t[0][3];
    acc->den_log += den_tab + t[1][0] + t[1][1] + t[1][2] + t[1][3];
    acc->num_non_log += t[2][0] + t[2][1] + t[2][2] + t[2][3];
    acc->den_non_log += t[3][0] + t[3][1] + t[3][2] + t[3][3];
}
